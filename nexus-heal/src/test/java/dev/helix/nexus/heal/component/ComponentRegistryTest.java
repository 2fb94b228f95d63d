package dev.helix.nexus.heal.component;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.heal.SafetyGate;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ComponentRegistryTest {

    interface Pricing {
        int price(String item);
    }

    private final ManualClock clock = new ManualClock();
    private final RecentEvents log = new RecentEvents(200);
    private final ComponentRegistry registry = new ComponentRegistry(clock, log);
    private final AtomicBoolean broken = new AtomicBoolean(true);
    private final AtomicInteger primaryCalls = new AtomicInteger();

    private final Pricing primary = item -> {
        primaryCalls.incrementAndGet();
        if (broken.get()) {
            throw new IllegalStateException("pricing db down");
        }
        return 100;
    };
    private final Pricing knownGood = item -> 42;

    @Test
    void failingComponentIsIsolatedByItsBreakerAndHotSwappedToTheFallback() {
        List<ComponentEvent> swaps = new ArrayList<>();
        registry.onEvent(swaps::add);
        ManagedComponent<Pricing> c = registry.register(ComponentSpec.of("pricing", Pricing.class, primary)
                .withFallback(knownGood).withHealthCheck(() -> !broken.get()));
        Pricing p = c.proxy();
        for (int i = 0; i < 5; i++) {
            assertThat(p.price("x")).as("a failed call is answered by the fallback").isEqualTo(42);
        }
        assertThat(c.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(c.serving()).isEqualTo(ManagedComponent.Serving.FALLBACK);
        int before = primaryCalls.get();
        for (int i = 0; i < 20; i++) {
            assertThat(p.price("x")).isEqualTo(42);
        }
        assertThat(primaryCalls.get()).as("primary not called while isolated").isEqualTo(before);
        assertThat(swaps).singleElement().satisfies(e -> {
            assertThat(e.from()).isEqualTo(ManagedComponent.Serving.PRIMARY);
            assertThat(e.to()).isEqualTo(ManagedComponent.Serving.FALLBACK);
        });
        assertThat(log.snapshot()).anyMatch(e -> e.type().equals("component.swapped"));

        assertThat(registry.restoreHealthy()).as("primary still unhealthy").isEmpty();
        broken.set(false);
        // the breaker's open wait (30 s) runs on the engine clock
        clock.advance(Duration.ofSeconds(31));
        assertThat(p.price("x")).as("half-open trial goes to the primary").isEqualTo(100);
        assertThat(c.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        p.price("x");
        p.price("x");
        assertThat(c.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(c.serving()).isEqualTo(ManagedComponent.Serving.PRIMARY);
    }

    @Test
    void withoutFallbackCallsAreRejectedWhileOpen() {
        ManagedComponent<Pricing> c = registry.register(ComponentSpec.of("nofb", Pricing.class, primary));
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> c.proxy().price("x")).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> c.call(x -> x.price("y"))).isInstanceOf(CallNotPermittedException.class);
    }

    @Test
    void isolateActionThroughTheGateAndRevert() {
        broken.set(false);
        ManagedComponent<Pricing> c = registry.register(ComponentSpec.of("iso", Pricing.class, primary)
                .withFallback(knownGood));
        SafetyGate gate = SafetyGate.builder(clock, log).level(NexusLevel.CORRECTION).build();
        ActionResult r = gate.execute(c.isolateAction("operator request"));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(c.proxy().price("a")).isEqualTo(42);
        assertThat(gate.revertAll()).allMatch(ActionResult::succeeded);
        assertThat(c.proxy().price("a")).isEqualTo(100);
    }

    @Test
    void fullBulkheadDivertsToTheFallback() throws Exception {
        broken.set(false);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Pricing slow = item -> {
            inside.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 7;
        };
        ManagedComponent<Pricing> c = registry.register(ComponentSpec.of("bh", Pricing.class, slow)
                .withFallback(knownGood)
                .withBulkhead(BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build()));
        Thread t = new Thread(() -> c.proxy().price("a"));
        t.start();
        try {
            assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(c.proxy().price("b")).isEqualTo(42);
        } finally {
            release.countDown();
            t.join(5000);
        }
    }

    @Test
    void duplicateNamesRejected() {
        registry.register(ComponentSpec.of("dup", Pricing.class, primary));
        assertThatThrownBy(() -> registry.register(ComponentSpec.of("dup", Pricing.class, primary)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
