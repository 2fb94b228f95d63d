package dev.helix.nexus.heal.component;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One registered in-JVM component, isolated by a resilience4j {@link CircuitBreaker} and {@link Bulkhead}. While the
 * breaker is OPEN or FORCED_OPEN calls are served by the fallback (hot-swap) or rejected with
 * {@link CallNotPermittedException} when there is none; a call whose primary throws is recorded by the breaker and,
 * if a fallback exists, answered by the fallback. A full bulkhead also diverts to the fallback.
 *
 * <p>Thread-safe: resilience4j primitives are thread-safe, the serving flag is volatile.
 */
public final class ManagedComponent<T> {

    /** Which implementation answers calls. */
    public enum Serving { PRIMARY, FALLBACK }

    private final ComponentSpec<T> spec;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final EngineClock clock;
    private final Consumer<ComponentEvent> events;
    private volatile Serving serving = Serving.PRIMARY;
    private volatile T primary;
    private volatile RateLimiter rateLimiter;

    ManagedComponent(ComponentSpec<T> spec, CircuitBreaker breaker, Bulkhead bulkhead, EngineClock clock,
                     Consumer<ComponentEvent> events) {
        this.spec = spec;
        this.breaker = breaker;
        this.bulkhead = bulkhead;
        this.clock = clock;
        this.events = events;
        this.primary = spec.primary();
        breaker.getEventPublisher().onStateTransition(e -> {
            CircuitBreaker.State to = e.getStateTransition().getToState();
            boolean open = to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.FORCED_OPEN;
            Serving next = open && spec.fallback() != null ? Serving.FALLBACK : Serving.PRIMARY;
            Serving prev = serving;
            serving = next;
            if (prev != next) {
                events.accept(new ComponentEvent(spec.name(), clock.wallMillis(), prev, next, to.name(),
                        "circuit breaker " + e.getStateTransition()));
            }
        });
    }

    public String name() {
        return spec.name();
    }

    public ComponentId id() {
        return ComponentId.jvm(spec.name());
    }

    public ComponentSpec<T> spec() {
        return spec;
    }

    /** The primary implementation in use now (the spec's, unless {@link #replacePrimary} swapped in another). */
    public T primary() {
        return primary;
    }

    /**
     * Swaps in a new primary implementation (a hard restart recreated it); calls made after this return go to
     * {@code next}. Returns the instance it replaced. The spec keeps the original instance.
     */
    public T replacePrimary(T next) {
        if (!spec.type().isInstance(next)) {
            throw new IllegalArgumentException("the new primary of " + spec.name() + " must implement "
                    + spec.type().getName());
        }
        T old = primary;
        primary = next;
        return old;
    }

    /** Which implementation serves now. */
    public Serving serving() {
        return serving;
    }

    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    public Bulkhead bulkhead() {
        return bulkhead;
    }

    /** True when the primary's health check passes (a throwing check counts as unhealthy). */
    public boolean primaryHealthy() {
        try {
            return spec.healthCheck().getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Calls the component through the rate limiter (if set), bulkhead and breaker; see the class comment. */
    public <R> R call(Function<? super T, ? extends R> fn) {
        RateLimiter rl = rateLimiter;
        if (rl != null && !rl.acquirePermission()) {
            if (spec.fallback() != null) {
                return fn.apply(spec.fallback());
            }
            throw RequestNotPermitted.createRequestNotPermitted(rl);
        }
        if (!bulkhead.tryAcquirePermission()) {
            if (spec.fallback() != null) {
                return fn.apply(spec.fallback());
            }
            throw BulkheadFullException.createBulkheadFullException(bulkhead);
        }
        try {
            if (!breaker.tryAcquirePermission()) {
                if (spec.fallback() != null) {
                    return fn.apply(spec.fallback());
                }
                throw CallNotPermittedException.createCallNotPermittedException(breaker);
            }
            long t0 = clock.monotonicNanos();
            try {
                R r = fn.apply(primary);
                breaker.onSuccess(clock.monotonicNanos() - t0, TimeUnit.NANOSECONDS);
                return r;
            } catch (RuntimeException | Error e) {
                breaker.onError(clock.monotonicNanos() - t0, TimeUnit.NANOSECONDS, e);
                if (spec.fallback() != null) {
                    return fn.apply(spec.fallback());
                }
                throw e;
            }
        } finally {
            bulkhead.onComplete();
        }
    }

    /** A proxy of the component's interface whose every call goes through {@link #call(Function)}. */
    public T proxy() {
        Object p = Proxy.newProxyInstance(spec.type().getClassLoader(), new Class<?>[] {spec.type()},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "toString" -> "ManagedComponent[" + spec.name() + "]";
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> method.invoke(primary, args);
                        };
                    }
                    method.trySetAccessible(); // non-public interfaces (package-private, nested); else invoke reports it
                    try {
                        return call(impl -> {
                            try {
                                return method.invoke(impl, args);
                            } catch (InvocationTargetException e) {
                                throw new CallFailure(e.getCause());
                            } catch (IllegalAccessException e) {
                                throw new IllegalStateException(e);
                            }
                        });
                    } catch (CallFailure f) {
                        throw f.getCause();
                    }
                });
        return spec.type().cast(p);
    }

    private static final class CallFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallFailure(Throwable cause) {
            super(cause);
        }
    }

    /** Limits concurrent calls to the primary (excess calls go to the fallback or are rejected). */
    public void limitConcurrency(int maxConcurrentCalls) {
        bulkhead.changeConfig(BulkheadConfig.from(bulkhead.getBulkheadConfig())
                .maxConcurrentCalls(maxConcurrentCalls).build());
    }

    /**
     * Limits calls per second (no waiting; excess calls go to the fallback or fail with {@link RequestNotPermitted}),
     * or removes the limit when {@code callsPerSecond <= 0}. The limiter refreshes on the JVM's nanoTime, not on the
     * engine clock (resilience4j offers no clock hook for it).
     */
    public void limitRate(int callsPerSecond) {
        rateLimiter = callsPerSecond <= 0 ? null : RateLimiter.of(spec.name(), RateLimiterConfig.custom()
                .limitForPeriod(callsPerSecond).limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO).build());
    }

    /** The rate limiter in effect, if any. */
    public Optional<RateLimiter> rateLimiter() {
        return Optional.ofNullable(rateLimiter);
    }

    /** Isolates now: forces the breaker open (calls go to the fallback or are rejected). */
    public void isolate() {
        breaker.transitionToForcedOpenState();
    }

    /** Puts the primary back if its health check passes: closes the breaker. Returns whether it did. */
    public boolean restorePrimary() {
        if (!primaryHealthy()) {
            return false;
        }
        breaker.transitionToClosedState();
        return true;
    }

    /**
     * An {@link Action} (level CORRECTION, target {@code jvm:<name>}) that isolates this component and verifies the
     * breaker is FORCED_OPEN and, if there is a fallback, that the fallback serves. Revert closes the breaker.
     */
    public Action isolateAction(String why) {
        ManagedComponent<T> self = this;
        return new Action() {
            @Override
            public String name() {
                return "jvm.isolate";
            }

            @Override
            public ComponentId target() {
                return self.id();
            }

            @Override
            public NexusLevel requiredLevel() {
                return NexusLevel.CORRECTION;
            }

            @Override
            public String describe() {
                return "force circuit breaker of " + spec.name() + " open" + (spec.fallback() != null
                        ? " and serve its fallback" : " (calls rejected)") + ": " + why;
            }

            @Override
            public ActionResult execute() {
                isolate();
                boolean ok = breaker.getState() == CircuitBreaker.State.FORCED_OPEN
                        && (spec.fallback() == null || serving == Serving.FALLBACK);
                return ok ? ActionResult.succeeded(spec.name() + " isolated",
                        Map.of("breaker", breaker.getState().name(), "serving", serving.name()))
                        : ActionResult.failed("breaker " + breaker.getState() + ", serving " + serving);
            }

            @Override
            public ActionResult revert() {
                breaker.transitionToClosedState();
                return breaker.getState() == CircuitBreaker.State.CLOSED && serving == Serving.PRIMARY
                        ? ActionResult.succeeded(spec.name() + " restored to primary", Map.of())
                        : ActionResult.failed("breaker " + breaker.getState() + ", serving " + serving);
            }
        };
    }

    private abstract class ComponentAction implements Action {
        private final String name;

        ComponentAction(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ComponentId target() {
            return id();
        }

        @Override
        public NexusLevel requiredLevel() {
            return NexusLevel.CORRECTION;
        }
    }

    /** An action limiting concurrent calls, verified by reading the bulkhead config back; revert restores it. */
    public Action limitConcurrencyAction(int maxConcurrentCalls) {
        return new ComponentAction("jvm.bulkhead.limit") {
            private int before = -1;

            @Override
            public String describe() {
                return "limit " + spec.name() + " to " + maxConcurrentCalls + " concurrent calls";
            }

            @Override
            public synchronized ActionResult execute() {
                before = bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
                limitConcurrency(maxConcurrentCalls);
                int now = bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
                return now == maxConcurrentCalls
                        ? ActionResult.succeeded("max concurrent calls " + now, Map.of("before", before, "after", now))
                        : ActionResult.failed("bulkhead reads back " + now);
            }

            @Override
            public synchronized ActionResult revert() {
                if (before < 0) {
                    return ActionResult.succeeded("nothing to restore", Map.of());
                }
                limitConcurrency(before);
                return bulkhead.getBulkheadConfig().getMaxConcurrentCalls() == before
                        ? ActionResult.succeeded("max concurrent calls restored to " + before, Map.of())
                        : ActionResult.failed("bulkhead reads back " + bulkhead.getBulkheadConfig().getMaxConcurrentCalls());
            }
        };
    }

    /** An action limiting calls per second, verified by reading the limiter config back; revert removes it. */
    public Action limitRateAction(int callsPerSecond) {
        return new ComponentAction("jvm.ratelimit") {
            private RateLimiter before;

            @Override
            public String describe() {
                return "limit " + spec.name() + " to " + callsPerSecond + " calls per second";
            }

            @Override
            public synchronized ActionResult execute() {
                before = rateLimiter;
                limitRate(callsPerSecond);
                RateLimiter now = rateLimiter;
                return now != null && now.getRateLimiterConfig().getLimitForPeriod() == callsPerSecond
                        ? ActionResult.succeeded(callsPerSecond + " calls/s", Map.of("limitForPeriod", callsPerSecond))
                        : ActionResult.failed("rate limiter not in effect");
            }

            @Override
            public synchronized ActionResult revert() {
                rateLimiter = before;
                return ActionResult.succeeded("rate limit " + (before == null ? "removed" : "restored"), Map.of());
            }
        };
    }
}
