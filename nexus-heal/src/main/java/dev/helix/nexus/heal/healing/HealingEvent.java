package dev.helix.nexus.heal.healing;

import java.time.Duration;

/** Typed events of the {@link HealingEngine}, also written to the event log as {@code healing.*} (DECISION). */
public sealed interface HealingEvent {

    String component();

    long timestampMillis();

    /** An attempt (a walk along the chain) begins. */
    record AttemptStarted(String component, long timestampMillis, int attempt) implements HealingEvent { }

    /** One strategy of an attempt finished. */
    record StrategyFinished(String component, long timestampMillis, int attempt, HealingOutcome.Step step)
            implements HealingEvent { }

    /** An attempt finished (HEALED, CONTAINED or UNHEALED). */
    record AttemptFinished(String component, long timestampMillis, HealingOutcome outcome) implements HealingEvent { }

    /** Backoff: attempt {@code attempt} must wait {@code retryAfter} more. */
    record AttemptDeferred(String component, long timestampMillis, int attempt, Duration retryAfter)
            implements HealingEvent { }

    /** More than the policy's intensity of attempts within its period: no more strategies run. */
    record GaveUp(String component, long timestampMillis, int attempts, Duration period) implements HealingEvent { }
}
