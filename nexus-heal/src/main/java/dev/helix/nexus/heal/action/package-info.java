/** Verified, reversible actions on cgroups and processes, and process measurement from procfs. */
package dev.helix.nexus.heal.action;
