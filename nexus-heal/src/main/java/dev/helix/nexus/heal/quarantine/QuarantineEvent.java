package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.spi.ComponentId;

import java.time.Duration;

/** Typed events of the quarantine state machine (in the style of resilience4j's CircuitBreakerEvent). */
public sealed interface QuarantineEvent {

    ComponentId component();

    long timestampMillis();

    /** A step was applied and verified; {@code from} is null for the first step. */
    record Transitioned(ComponentId component, long timestampMillis, QuarantineState from, QuarantineState to,
                        String reason) implements QuarantineEvent { }

    /** A step's actions did not all succeed; the quarantine stays where it was and retries next tick. */
    record StepFailed(ComponentId component, long timestampMillis, QuarantineState attempted, String detail)
            implements QuarantineEvent { }

    /** A restart (REPLACE) is deferred by exponential backoff. */
    record RestartDeferred(ComponentId component, long timestampMillis, int restartsInPeriod, Duration backoff)
            implements QuarantineEvent { }

    /** The quarantine ended (RELEASED or GAVE_UP); {@code revertFailures} counts actions that failed to revert. */
    record Ended(ComponentId component, long timestampMillis, QuarantineState state, String reason, int revertFailures)
            implements QuarantineEvent { }
}
