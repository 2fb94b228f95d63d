package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.SafetyGate;
import dev.helix.nexus.heal.checkpoint.CheckpointStore;
import dev.helix.nexus.heal.checkpoint.Checkpointable;
import dev.helix.nexus.heal.component.ComponentRegistry;
import dev.helix.nexus.heal.component.ComponentSpec;
import dev.helix.nexus.heal.component.ManagedComponent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class JvmQuarantinePlanTest {

    interface Counter {
        int next();
    }

    @Test
    void inJvmLadderEndsOnTheFallbackWithRolledBackStateAndReleaseRestoresThePrimary() {
        ManualClock clock = new ManualClock();
        RecentEvents log = new RecentEvents(500);
        AtomicInteger state = new AtomicInteger();
        AtomicBoolean healthy = new AtomicBoolean(false);
        ComponentRegistry registry = new ComponentRegistry(clock, log);
        ManagedComponent<Counter> c = registry.register(ComponentSpec.of("counter", Counter.class,
                (Counter) state::incrementAndGet).withFallback(() -> -1).withHealthCheck(healthy::get));
        CheckpointStore store = new CheckpointStore(clock);
        store.register("counter", new Checkpointable<Integer>() {
            @Override
            public Integer checkpoint() {
                return state.get();
            }

            @Override
            public void restore(Integer s) {
                state.set(s);
            }
        });
        c.proxy().next();
        store.take("counter", true); // safe at 1
        for (int i = 0; i < 5; i++) {
            c.proxy().next();
        }
        SafetyGate gate = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS).build();
        QuarantineManager m = new QuarantineManager(gate, clock, log, Duration.ofHours(1), Duration.ofSeconds(5),
                Duration.ofSeconds(20), new RestartPolicy(1, Duration.ofMinutes(5), Duration.ZERO, Duration.ZERO));
        ComponentId id = c.id();
        m.quarantine(id, "drifting", new JvmQuarantinePlan(c, 2, 50, store, null));
        assertThat(c.bulkhead().getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(2);
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(5));
            m.tick();
        }
        assertThat(m.get(id).orElseThrow().state()).isEqualTo(QuarantineState.REPLACE);
        assertThat(c.rateLimiter()).isPresent();
        assertThat(c.serving()).isEqualTo(ManagedComponent.Serving.FALLBACK);
        assertThat(state.get()).as("rolled back to the safe checkpoint").isEqualTo(1);
        assertThat(c.proxy().next()).isEqualTo(-1);

        healthy.set(true);
        clock.advance(Duration.ofSeconds(1));
        m.tick();
        clock.advance(Duration.ofSeconds(20));
        m.tick();
        assertThat(m.isQuarantined(id)).isFalse();
        assertThat(c.serving()).isEqualTo(ManagedComponent.Serving.PRIMARY);
        assertThat(c.rateLimiter()).isEmpty();
        assertThat(c.bulkhead().getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(10);
        assertThat(c.proxy().next()).isEqualTo(2);
    }
}
