package dev.helix.nexus.heal.healing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one call to {@link HealingEngine#heal} did.
 *
 * @param component  registered name
 * @param status     overall result
 * @param healedBy   the strategy that restored health (status HEALED), else null
 * @param attempt    the attempt number within the restart-policy period (0 when no attempt ran)
 * @param steps      every strategy tried, in order
 * @param retryAfter for DEFERRED, how long until the next attempt is allowed; else zero
 */
public record HealingOutcome(String component, Status status, HealingStrategy healedBy, int attempt,
                             List<Step> steps, Duration retryAfter) {

    /** Overall result of a heal call. */
    public enum Status {
        /** The health check passed: nothing was done. */
        ALREADY_HEALTHY,
        /** A strategy restored health (see {@link #healedBy}). */
        HEALED,
        /** No strategy restored health; the component was quarantined and/or survival mode was entered. */
        CONTAINED,
        /** No strategy restored health and nothing contained it. */
        UNHEALED,
        /** Backoff: too soon after the previous attempt; nothing was done. */
        DEFERRED,
        /** The restart policy's intensity is exhausted within its period: no more strategies run (quarantined). */
        GAVE_UP
    }

    /** How one strategy went. */
    public enum StepStatus {
        /** Ran, and the health check passes afterwards. */
        HEALED,
        /** Ran (or tried to) and the health check still fails, or the action itself failed. */
        FAILED,
        /** Did not apply (no hook, factory, checkpoint, journal, fallback...) or refused by the gate; see detail. */
        SKIPPED,
        /** Containment applied (quarantined, features shed); health is not restored by it. */
        CONTAINED
    }

    /** One strategy's result. */
    public record Step(HealingStrategy strategy, StepStatus status, String detail, Map<String, Object> evidence) {
        public Step {
            Objects.requireNonNull(strategy);
            Objects.requireNonNull(status);
            detail = detail == null ? "" : detail;
            evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
        }
    }

    public HealingOutcome {
        Objects.requireNonNull(component);
        Objects.requireNonNull(status);
        steps = List.copyOf(steps);
        retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
    }

    /** The step of one strategy, if it was tried. */
    public Optional<Step> step(HealingStrategy strategy) {
        return steps.stream().filter(s -> s.strategy() == strategy).findFirst();
    }

    public boolean healed() {
        return status == Status.HEALED;
    }
}
