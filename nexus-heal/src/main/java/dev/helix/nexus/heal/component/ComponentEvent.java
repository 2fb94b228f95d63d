package dev.helix.nexus.heal.component;

/**
 * The implementation serving a component changed (hot-swap).
 *
 * @param component    registered name
 * @param timestampMillis engine wall time
 * @param from         what served before
 * @param to           what serves now
 * @param breakerState the circuit breaker state that caused it
 * @param reason       why
 */
public record ComponentEvent(String component, long timestampMillis, ManagedComponent.Serving from,
                             ManagedComponent.Serving to, String breakerState, String reason) { }
