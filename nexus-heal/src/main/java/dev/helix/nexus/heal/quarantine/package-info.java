/** The quarantine escalation state machine RESTRICT → LIMIT → MONITOR → ISOLATE → REPLACE with restart limits. */
package dev.helix.nexus.heal.quarantine;
