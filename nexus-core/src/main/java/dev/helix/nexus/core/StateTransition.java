package dev.helix.nexus.core;

import java.util.Objects;

/**
 * A typed event published for every state change.
 *
 * @param from            the state left
 * @param to              the state entered
 * @param reason          why, in words
 * @param timestampMillis when, on the engine clock
 */
public record StateTransition(NexusState from, NexusState to, String reason, long timestampMillis) {
    public StateTransition {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        reason = reason == null ? "" : reason;
    }
}
