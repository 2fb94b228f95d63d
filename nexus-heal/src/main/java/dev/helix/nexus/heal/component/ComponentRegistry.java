package dev.helix.nexus.heal.component;

import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.heal.internal.EngineClockAdapter;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * In-JVM components under NEXUS management: each gets a circuit breaker (on the engine clock) and a bulkhead, and is
 * hot-swapped to its fallback while isolated. Swaps are logged as ACTION events ({@code component.swapped}) and sent
 * to listeners.
 *
 * <p>Thread-safe.
 */
public final class ComponentRegistry {

    private final EngineClock clock;
    private final EventLog log;
    private final Map<String, ManagedComponent<?>> components = new ConcurrentHashMap<>();
    private final List<Consumer<ComponentEvent>> listeners = new CopyOnWriteArrayList<>();

    public ComponentRegistry(EngineClock clock, EventLog log) {
        this.clock = clock;
        this.log = log;
    }

    public void onEvent(Consumer<ComponentEvent> listener) {
        listeners.add(listener);
    }

    /** Registers a component; names are unique. */
    public <T> ManagedComponent<T> register(ComponentSpec<T> spec) {
        CircuitBreakerConfig cfg = CircuitBreakerConfig.from(spec.circuitBreaker())
                .clock(new EngineClockAdapter(clock)).build();
        ManagedComponent<T> c = new ManagedComponent<>(spec, CircuitBreaker.of(spec.name(), cfg),
                Bulkhead.of(spec.name(), spec.bulkhead()), clock, this::fire);
        if (components.putIfAbsent(spec.name(), c) != null) {
            throw new IllegalArgumentException("component '" + spec.name() + "' is already registered");
        }
        return c;
    }

    public Optional<ManagedComponent<?>> get(String name) {
        return Optional.ofNullable(components.get(name));
    }

    public List<ManagedComponent<?>> components() {
        return new ArrayList<>(components.values());
    }

    /** Runs every health check; name → healthy. */
    public Map<String, Boolean> checkHealth() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (ManagedComponent<?> c : components.values()) {
            out.put(c.name(), c.primaryHealthy());
        }
        return out;
    }

    /** Restores every component served by its fallback whose primary is healthy again; returns their names. */
    public List<String> restoreHealthy() {
        List<String> out = new ArrayList<>();
        for (ManagedComponent<?> c : components.values()) {
            if (c.serving() == ManagedComponent.Serving.FALLBACK && c.restorePrimary()) {
                out.add(c.name());
            }
        }
        return out;
    }

    private void fire(ComponentEvent e) {
        log.append(new NexusEvent(e.timestampMillis(), EventCategory.ACTION, "component.swapped",
                "jvm:" + e.component(), e.reason(),
                Map.of("from", e.from().name(), "to", e.to().name(), "breaker", e.breakerState())));
        for (Consumer<ComponentEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                // listeners must not break the component
            }
        }
    }
}
