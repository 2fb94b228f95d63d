/** Per-process sensors over /proc/[pid]. */
package dev.helix.nexus.telemetry.process;
