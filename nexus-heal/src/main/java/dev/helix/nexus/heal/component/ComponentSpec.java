package dev.helix.nexus.heal.component;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * How to manage one in-JVM component: its interface, primary implementation, health check, optional fallback
 * (known-good implementation) and isolation settings. Immutable; use the {@code with*} methods.
 *
 * @param name           registered name (also the {@code jvm:} component id)
 * @param type           the interface callers use (required for {@link ManagedComponent#proxy()})
 * @param primary        the normal implementation
 * @param healthCheck    true when the primary is healthy
 * @param fallback       the known-good implementation, or null
 * @param circuitBreaker breaker settings (the engine clock is set by the registry)
 * @param bulkhead       concurrent-call limit settings
 */
public record ComponentSpec<T>(String name, Class<T> type, T primary, BooleanSupplier healthCheck, T fallback,
                               CircuitBreakerConfig circuitBreaker, BulkheadConfig bulkhead) {

    /** Count-based window of 10 calls, at least 5 calls, opens at 50 % failures, 30 s open. */
    public static final CircuitBreakerConfig DEFAULT_BREAKER = CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(30)).permittedNumberOfCallsInHalfOpenState(3).build();

    /** 10 concurrent calls, no waiting. */
    public static final BulkheadConfig DEFAULT_BULKHEAD = BulkheadConfig.custom().maxConcurrentCalls(10)
            .maxWaitDuration(Duration.ZERO).build();

    public ComponentSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        Objects.requireNonNull(bulkhead, "bulkhead");
        if (!type.isInstance(primary) || (fallback != null && !type.isInstance(fallback))) {
            throw new IllegalArgumentException("implementations of " + name + " must implement " + type.getName());
        }
    }

    public static <T> ComponentSpec<T> of(String name, Class<T> type, T primary) {
        return new ComponentSpec<>(name, type, primary, () -> true, null, DEFAULT_BREAKER, DEFAULT_BULKHEAD);
    }

    public ComponentSpec<T> withHealthCheck(BooleanSupplier check) {
        return new ComponentSpec<>(name, type, primary, check, fallback, circuitBreaker, bulkhead);
    }

    public ComponentSpec<T> withFallback(T known) {
        return new ComponentSpec<>(name, type, primary, healthCheck, known, circuitBreaker, bulkhead);
    }

    public ComponentSpec<T> withCircuitBreaker(CircuitBreakerConfig config) {
        return new ComponentSpec<>(name, type, primary, healthCheck, fallback, config, bulkhead);
    }

    public ComponentSpec<T> withBulkhead(BulkheadConfig config) {
        return new ComponentSpec<>(name, type, primary, healthCheck, fallback, circuitBreaker, config);
    }
}
