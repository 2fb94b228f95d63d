package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.spi.ComponentId;

/**
 * A snapshot of one quarantine.
 *
 * @param component      what is quarantined
 * @param reason         why it was quarantined
 * @param state          the current state
 * @param startedMillis  wall time the quarantine began
 * @param stateSinceMillis wall time the current state was entered
 * @param restarts       REPLACE steps applied so far
 * @param appliedActions actions in effect (to be reverted on release)
 */
public record QuarantineRecord(ComponentId component, String reason, QuarantineState state, long startedMillis,
                               long stateSinceMillis, int restarts, int appliedActions) { }
