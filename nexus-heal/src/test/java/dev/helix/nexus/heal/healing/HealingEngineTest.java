package dev.helix.nexus.heal.healing;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.heal.SafetyGate;
import dev.helix.nexus.heal.checkpoint.CheckpointStore;
import dev.helix.nexus.heal.checkpoint.Checkpointable;
import dev.helix.nexus.heal.checkpoint.StateCodec;
import dev.helix.nexus.heal.component.ComponentRegistry;
import dev.helix.nexus.heal.component.ComponentSpec;
import dev.helix.nexus.heal.component.ManagedComponent;
import dev.helix.nexus.heal.degrade.DegradationManager;
import dev.helix.nexus.heal.healing.HealingOutcome.Status;
import dev.helix.nexus.heal.healing.HealingOutcome.StepStatus;
import dev.helix.nexus.heal.quarantine.QuarantineManager;
import dev.helix.nexus.heal.quarantine.QuarantineState;
import dev.helix.nexus.heal.quarantine.RestartPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.helix.nexus.heal.healing.HealingStrategy.FULL_ROLLBACK;
import static dev.helix.nexus.heal.healing.HealingStrategy.HARD_RESTART;
import static dev.helix.nexus.heal.healing.HealingStrategy.MICRO_ROLLBACK;
import static dev.helix.nexus.heal.healing.HealingStrategy.QUARANTINE;
import static dev.helix.nexus.heal.healing.HealingStrategy.RECONSTRUCT;
import static dev.helix.nexus.heal.healing.HealingStrategy.SOFT_RESET;
import static dev.helix.nexus.heal.healing.HealingStrategy.SUBSTITUTE;
import static dev.helix.nexus.heal.healing.HealingStrategy.SURVIVAL_MODE;
import static org.assertj.core.api.Assertions.assertThat;

class HealingEngineTest {

    interface Counter {
        int increment();

        int value();
    }

    /** A counter whose state can be corrupted (negative = corrupt). */
    static final class CounterImpl implements Counter {
        int v;

        @Override
        public int increment() {
            return ++v;
        }

        @Override
        public int value() {
            return v;
        }
    }

    interface Greeter {
        String greet(String who);
    }

    /** Throws once broken, until it is replaced by a new instance. */
    static final class FragileGreeter implements Greeter {
        volatile boolean broken;

        @Override
        public String greet(String who) {
            if (broken) {
                throw new IllegalStateException("connection lost");
            }
            return "hello " + who;
        }
    }

    static final class Flag implements DegradationManager.Feature {
        boolean on = true;

        @Override public void disable() { on = false; }
        @Override public void enable() { on = true; }
        @Override public boolean enabled() { return on; }
    }

    final ManualClock clock = new ManualClock();
    final RecentEvents log = new RecentEvents(2000);
    final ComponentRegistry registry = new ComponentRegistry(clock, log);
    final SafetyGate gate = SafetyGate.builder(clock, log).level(NexusLevel.HEALING).maxActionsPerMinute(1000).build();
    final List<HealingEvent> events = new ArrayList<>();

    HealingEngine.Builder engine() {
        return HealingEngine.builder(gate, clock, log);
    }

    HealingEngine listen(HealingEngine e) {
        e.onEvent(events::add);
        return e;
    }

    ManagedComponent<Counter> counter(String name) {
        return registry.register(ComponentSpec.of(name, Counter.class, (Counter) new CounterImpl()));
    }

    static CounterImpl impl(ManagedComponent<Counter> c) {
        return (CounterImpl) c.primary();
    }

    static Checkpointable<Integer> state(ManagedComponent<Counter> c) {
        return new Checkpointable<>() {
            @Override
            public Integer checkpoint() {
                return impl(c).v;
            }

            @Override
            public void restore(Integer s) {
                impl(c).v = s;
            }
        };
    }

    static HealingTarget<Counter> healable(ManagedComponent<Counter> c) {
        return HealingTarget.of(c).withHealth(x -> x.value() >= 0);
    }

    @Test
    void softResetRunsTheHookOnTheLiveInstanceAndTheChainStopsThere() {
        ManagedComponent<Counter> c = counter("counter");
        AtomicInteger made = new AtomicInteger();
        HealingEngine e = listen(engine().build());
        e.register(healable(c).withResetHook(x -> ((CounterImpl) x).v = 0)
                .withFactory(() -> { made.incrementAndGet(); return new CounterImpl(); }));
        Counter proxy = c.proxy();
        proxy.increment();
        impl(c).v = -999;
        CounterImpl before = impl(c);

        HealingOutcome out = e.heal("counter");

        assertThat(out.status()).isEqualTo(Status.HEALED);
        assertThat(out.healedBy()).isEqualTo(SOFT_RESET);
        assertThat(out.steps()).hasSize(1);
        assertThat(impl(c)).as("same instance, reset in place").isSameAs(before);
        assertThat(proxy.value()).isZero();
        assertThat(proxy.increment()).isEqualTo(1);
        assertThat(made).as("the chain stopped before HARD_RESTART").hasValue(0);
        assertThat(events).extracting(ev -> ev.getClass().getSimpleName())
                .containsExactly("AttemptStarted", "StrategyFinished", "AttemptFinished");
        assertThat(log.snapshot()).anyMatch(ev -> ev.type().equals("action.succeeded")
                && "heal.soft_reset".equals(ev.evidence().get("action")));
        assertThat(e.heal("counter").status()).isEqualTo(Status.ALREADY_HEALTHY);
    }

    @Test
    void hardRestartSwapsInAFreshInstanceAfterAResetThatDidNotHelp() {
        FragileGreeter first = new FragileGreeter();
        ManagedComponent<Greeter> c = registry.register(ComponentSpec.of("greeter", Greeter.class, (Greeter) first));
        AtomicInteger resets = new AtomicInteger();
        AtomicInteger made = new AtomicInteger();
        HealingEngine e = engine().build();
        e.register(HealingTarget.of(c).withHealth(g -> g.greet("probe") != null)
                .withResetHook(g -> resets.incrementAndGet()) // clears nothing: the connection stays lost
                .withFactory(() -> { made.incrementAndGet(); return new FragileGreeter(); }));
        Greeter proxy = c.proxy();
        assertThat(proxy.greet("a")).isEqualTo("hello a");
        first.broken = true;

        HealingOutcome out = e.heal("greeter");

        assertThat(out.healedBy()).isEqualTo(HARD_RESTART);
        assertThat(out.step(SOFT_RESET).orElseThrow().status()).isEqualTo(StepStatus.FAILED);
        assertThat(out.step(SOFT_RESET).orElseThrow().detail()).contains("health check still fails");
        assertThat(resets).hasValue(1);
        assertThat(made).hasValue(1);
        assertThat(c.primary()).isNotSameAs(first);
        assertThat(proxy.greet("b")).isEqualTo("hello b");
        assertThat(out.steps()).extracting(HealingOutcome.Step::strategy).containsExactly(SOFT_RESET, HARD_RESTART);
    }

    @Test
    void microRollbackRestoresTheLatestCheckpoint() {
        ManagedComponent<Counter> c = counter("counter");
        CheckpointStore store = new CheckpointStore(clock);
        store.register("counter", state(c));
        HealingEngine e = engine().checkpoints(store).build();
        e.register(healable(c));
        for (int i = 0; i < 7; i++) {
            c.proxy().increment();
        }
        store.take("counter", false);
        impl(c).v = -1;

        HealingOutcome out = e.heal("counter");

        assertThat(out.healedBy()).isEqualTo(MICRO_ROLLBACK);
        assertThat(out.step(SOFT_RESET).orElseThrow().status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(out.step(SOFT_RESET).orElseThrow().detail()).contains("no reset hook");
        assertThat(out.step(HARD_RESTART).orElseThrow().detail()).contains("no factory");
        assertThat(c.proxy().value()).isEqualTo(7);
    }

    @Test
    void fullRollbackToLastKnownSafeAfterTheLatestCheckpointWasAlreadyCorrupt() {
        ManagedComponent<Counter> c = counter("counter");
        CheckpointStore store = new CheckpointStore(clock);
        store.register("counter", state(c));
        HealingEngine e = engine().checkpoints(store).build();
        e.register(healable(c));
        for (int i = 0; i < 5; i++) {
            c.proxy().increment();
        }
        store.take("counter", true);
        impl(c).v = -42;
        store.take("counter", false); // a checkpoint of the corrupted state

        HealingOutcome out = e.heal("counter");

        HealingOutcome.Step micro = out.step(MICRO_ROLLBACK).orElseThrow();
        assertThat(micro.status()).as("ran, but restored the corrupt state").isEqualTo(StepStatus.FAILED);
        assertThat(micro.detail()).contains("health check still fails");
        assertThat(out.healedBy()).isEqualTo(FULL_ROLLBACK);
        assertThat(c.proxy().value()).isEqualTo(5);
        assertThat(out.step(RECONSTRUCT)).as("stopped at the first success").isEmpty();
    }

    static final StateCodec<Integer> INT = new StateCodec<>() {
        @Override
        public byte[] encode(Integer s) {
            return ByteBuffer.allocate(4).putInt(s).array();
        }

        @Override
        public Integer decode(byte[] b) {
            return ByteBuffer.wrap(b).getInt();
        }
    };

    @Test
    void reconstructRebuildsTheStateFromTheJournal(@TempDir Path dir) {
        ManagedComponent<Counter> c = counter("counter");
        CheckpointStore store = CheckpointStore.persistent(clock, 10, Duration.ofHours(1), dir);
        try {
            store.register("counter", state(c), INT);
            HealingEngine e = engine().checkpoints(store).chain(List.of(SOFT_RESET, RECONSTRUCT)).build();
            e.register(healable(c));
            for (int i = 0; i < 3; i++) {
                c.proxy().increment();
            }
            store.take("counter", true);
            impl(c).v = -7;

            HealingOutcome out = e.heal("counter");

            assertThat(out.healedBy()).isEqualTo(RECONSTRUCT);
            assertThat(out.step(RECONSTRUCT).orElseThrow().detail()).contains("journal checkpoint");
            assertThat(c.proxy().value()).isEqualTo(3);
        } finally {
            store.close();
        }
    }

    @Test
    void reconstructIsSkippedWithoutAJournalAndRollbacksWithoutCheckpoints() {
        ManagedComponent<Counter> c = counter("counter");
        CheckpointStore store = new CheckpointStore(clock);
        store.register("counter", state(c));
        HealingEngine e = engine().checkpoints(store).build();
        e.register(healable(c));
        impl(c).v = -3;

        HealingOutcome out = e.heal("counter");

        assertThat(out.status()).isEqualTo(Status.UNHEALED);
        assertThat(out.step(MICRO_ROLLBACK).orElseThrow().detail()).contains("no latest checkpoint");
        assertThat(out.step(FULL_ROLLBACK).orElseThrow().detail()).contains("no last-known-safe checkpoint");
        assertThat(out.step(RECONSTRUCT).orElseThrow().detail()).contains("no journal");
        assertThat(out.step(SUBSTITUTE).orElseThrow().detail()).contains("no fallback");
        assertThat(out.step(QUARANTINE).orElseThrow().detail()).contains("no quarantine manager");
        assertThat(out.step(SURVIVAL_MODE).orElseThrow().detail()).contains("no degradation manager");
        assertThat(out.steps()).allMatch(s -> s.status() == StepStatus.SKIPPED);
        assertThat(impl(c).v).as("nothing touched it").isEqualTo(-3);
    }

    @Test
    void substituteSwapsToTheFallbackAndALaterRepairPutsThePrimaryBack() {
        FragileGreeter primary = new FragileGreeter();
        ManagedComponent<Greeter> c = registry.register(ComponentSpec.of("greeter", Greeter.class, (Greeter) primary)
                .withFallback(who -> "cached hello " + who));
        AtomicInteger fixes = new AtomicInteger();
        HealingEngine e = engine().policy(new RestartPolicy(5, Duration.ofMinutes(10), Duration.ZERO, Duration.ZERO))
                .build();
        e.register(HealingTarget.of(c).withHealth(g -> g.greet("probe") != null)
                .withResetHook(g -> { if (fixes.incrementAndGet() > 1) { ((FragileGreeter) g).broken = false; } }));
        primary.broken = true;

        HealingOutcome out = e.heal("greeter");

        assertThat(out.healedBy()).isEqualTo(SUBSTITUTE);
        assertThat(c.serving()).isEqualTo(ManagedComponent.Serving.FALLBACK);
        assertThat(c.proxy().greet("x")).isEqualTo("cached hello x");

        HealingOutcome again = e.heal("greeter"); // the primary is still broken: try to repair it
        assertThat(again.healedBy()).isEqualTo(SOFT_RESET);
        assertThat(c.serving()).isEqualTo(ManagedComponent.Serving.PRIMARY);
        assertThat(c.proxy().greet("y")).isEqualTo("hello y");
    }

    @Test
    void exhaustingTheChainQuarantinesAndEntersSurvivalMode() {
        ManagedComponent<Counter> c = counter("counter");
        AtomicInteger resets = new AtomicInteger();
        DegradationManager dm = new DegradationManager(clock, 0.9, 0.5, Duration.ofSeconds(30), Duration.ofSeconds(5));
        Flag recommendations = new Flag();
        Flag thumbnails = new Flag();
        dm.register("recommendations", 1, recommendations);
        dm.register("thumbnails", 2, thumbnails);
        QuarantineManager qm = new QuarantineManager(gate, clock, log, Duration.ofHours(1), Duration.ofSeconds(30),
                Duration.ofMinutes(1), RestartPolicy.DEFAULT);
        HealingEngine e = listen(engine().degradation(dm).quarantine(qm).build());
        e.register(healable(c).withResetHook(x -> resets.incrementAndGet()));
        impl(c).v = -1;

        HealingOutcome out = e.heal("counter");

        assertThat(out.status()).isEqualTo(Status.CONTAINED);
        assertThat(out.healedBy()).isNull();
        assertThat(out.step(SOFT_RESET).orElseThrow().status()).isEqualTo(StepStatus.FAILED);
        assertThat(out.step(QUARANTINE).orElseThrow().status()).isEqualTo(StepStatus.CONTAINED);
        assertThat(out.step(SURVIVAL_MODE).orElseThrow().status()).isEqualTo(StepStatus.CONTAINED);
        assertThat(qm.get(c.id()).orElseThrow().state()).isEqualTo(QuarantineState.RESTRICT);
        assertThat(c.bulkhead().getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(1);
        assertThat(recommendations.enabled()).isFalse();
        assertThat(thumbnails.enabled()).isFalse();
        assertThat(dm.level()).isEqualTo(2);
        assertThat(events).filteredOn(ev -> ev instanceof HealingEvent.StrategyFinished).hasSize(8);

        gate.revertAll(); // engine stop: survival mode is undone with everything else
        assertThat(recommendations.enabled()).isTrue();
        assertThat(thumbnails.enabled()).isTrue();
    }

    @Test
    void quarantineAfterTheChainEvenWhenTheChainOmitsIt() {
        ManagedComponent<Counter> c = counter("counter");
        QuarantineManager qm = new QuarantineManager(gate, clock, log, Duration.ofHours(1), Duration.ofSeconds(30),
                Duration.ofMinutes(1), RestartPolicy.DEFAULT);
        HealingEngine e = engine().quarantine(qm).chain(List.of(SOFT_RESET)).build();
        e.register(healable(c).withResetHook(x -> { }));
        impl(c).v = -1;

        HealingOutcome out = e.heal("counter");

        assertThat(out.status()).isEqualTo(Status.CONTAINED);
        assertThat(out.steps()).extracting(HealingOutcome.Step::strategy).containsExactly(SOFT_RESET, QUARANTINE);
        assertThat(qm.isQuarantined(c.id())).isTrue();
    }

    @Test
    void backoffAndIntensityLimitAttemptsThenGiveUpAndQuarantine() {
        ManagedComponent<Counter> c = counter("counter");
        AtomicInteger resets = new AtomicInteger();
        QuarantineManager qm = new QuarantineManager(gate, clock, log, Duration.ofHours(1), Duration.ofSeconds(30),
                Duration.ofMinutes(1), RestartPolicy.DEFAULT);
        HealingEngine e = listen(engine().chain(List.of(SOFT_RESET))
                .policy(new RestartPolicy(3, Duration.ofMinutes(10), Duration.ofSeconds(10), Duration.ofMinutes(1)))
                .build());
        e.register(healable(c).withResetHook(x -> resets.incrementAndGet()));
        impl(c).v = -1;

        assertThat(e.heal("counter").status()).isEqualTo(Status.UNHEALED);
        HealingOutcome deferred = e.heal("counter");
        assertThat(deferred.status()).isEqualTo(Status.DEFERRED);
        assertThat(deferred.retryAfter()).isEqualTo(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(10));
        assertThat(e.heal("counter").attempt()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(10));
        assertThat(e.heal("counter").retryAfter()).as("exponential: 20 s after attempt 2")
                .isEqualTo(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(10));
        assertThat(e.heal("counter").attempt()).isEqualTo(3);
        clock.advance(Duration.ofMinutes(2));
        HealingOutcome gaveUp = e.heal("counter");
        assertThat(gaveUp.status()).isEqualTo(Status.GAVE_UP);
        assertThat(resets).as("only three attempts ran").hasValue(3);
        assertThat(events).anyMatch(ev -> ev instanceof HealingEvent.GaveUp g && g.attempts() == 3);
        assertThat(events).anyMatch(ev -> ev instanceof HealingEvent.AttemptDeferred);

        clock.advance(Duration.ofMinutes(10)); // the period has passed: attempts are allowed again
        assertThat(e.heal("counter").attempt()).isEqualTo(1);
        assertThat(resets).hasValue(4);
        assertThat(qm.isQuarantined(c.id())).as("this engine has no quarantine manager").isFalse();
    }

    @Test
    void gaveUpQuarantinesWhenAManagerIsConfigured() {
        ManagedComponent<Counter> c = counter("counter");
        QuarantineManager qm = new QuarantineManager(gate, clock, log, Duration.ofHours(1), Duration.ofSeconds(30),
                Duration.ofMinutes(1), RestartPolicy.DEFAULT);
        HealingEngine e = engine().quarantine(qm).chain(List.of(SOFT_RESET))
                .policy(new RestartPolicy(1, Duration.ofMinutes(10), Duration.ZERO, Duration.ZERO)).build();
        e.register(healable(c).withResetHook(x -> { }));
        impl(c).v = -1;
        assertThat(e.heal("counter").status()).isEqualTo(Status.CONTAINED);
        qm.release(c.id());

        HealingOutcome out = e.heal("counter");

        assertThat(out.status()).isEqualTo(Status.GAVE_UP);
        assertThat(out.steps()).extracting(HealingOutcome.Step::strategy).containsExactly(QUARANTINE);
        assertThat(qm.isQuarantined(c.id())).isTrue();
    }

    @Test
    void aGateBelowHealingRefusesEveryStrategyAndNothingChanges() {
        SafetyGate low = SafetyGate.builder(clock, log).level(NexusLevel.CORRECTION).build();
        ManagedComponent<Counter> c = counter("counter");
        CheckpointStore store = new CheckpointStore(clock);
        store.register("counter", state(c));
        impl(c).v = 4;
        store.take("counter", true);
        HealingEngine e = HealingEngine.builder(low, clock, log).checkpoints(store)
                .chain(List.of(SOFT_RESET, HARD_RESTART, FULL_ROLLBACK)).build();
        CounterImpl original = impl(c);
        e.register(healable(c).withResetHook(x -> ((CounterImpl) x).v = 0).withFactory(CounterImpl::new));
        impl(c).v = -1;

        HealingOutcome out = e.heal("counter");

        assertThat(out.status()).isEqualTo(Status.UNHEALED);
        assertThat(out.steps()).allMatch(s -> s.status() == StepStatus.SKIPPED && s.detail().contains("HEALING"));
        assertThat(impl(c)).isSameAs(original);
        assertThat(impl(c).v).isEqualTo(-1);
    }

    @Test
    void aThrowingResetHookIsReportedAsFailed() {
        ManagedComponent<Counter> c = counter("counter");
        HealingEngine e = engine().chain(List.of(SOFT_RESET, HARD_RESTART)).build();
        e.register(healable(c).withResetHook(x -> { throw new IllegalStateException("reset broke"); })
                .withFactory(CounterImpl::new));
        impl(c).v = -1;

        HealingOutcome out = e.heal("counter");

        assertThat(out.step(SOFT_RESET).orElseThrow().status()).isEqualTo(StepStatus.FAILED);
        assertThat(out.step(SOFT_RESET).orElseThrow().detail()).contains("reset broke");
        assertThat(out.healedBy()).isEqualTo(HARD_RESTART);
        assertThat(c.proxy().value()).isZero();
    }

    @Test
    void revertingAHardRestartSwapsThePreviousInstanceBack() {
        ManagedComponent<Counter> c = counter("counter");
        CounterImpl original = impl(c);
        HealingEngine e = engine().chain(List.of(HARD_RESTART)).build();
        e.register(healable(c).withFactory(CounterImpl::new));
        original.v = -1;

        assertThat(e.heal("counter").healedBy()).isEqualTo(HARD_RESTART);
        assertThat(impl(c)).isNotSameAs(original);

        Action restart = gate.applied().getLast();
        assertThat(restart.name()).isEqualTo("heal.hard_restart");
        assertThat(gate.revert(restart).succeeded()).isTrue();
        assertThat(impl(c)).isSameAs(original);
    }

    @Test
    void aFactoryReturningTheRunningInstanceIsAFailedRestart() {
        ManagedComponent<Counter> c = counter("counter");
        HealingEngine e = engine().chain(List.of(HARD_RESTART)).build();
        e.register(healable(c).withFactory(() -> impl(c)));
        impl(c).v = -1;

        HealingOutcome out = e.heal("counter");

        assertThat(out.status()).isEqualTo(Status.UNHEALED);
        assertThat(out.step(HARD_RESTART).orElseThrow().status()).isEqualTo(StepStatus.FAILED);
        assertThat(out.step(HARD_RESTART).orElseThrow().detail()).contains("returned the running instance");
    }

    private List<String> keptActions() {
        return log.snapshot().stream().filter(ev -> ev.type().equals("action.kept"))
                .map(ev -> String.valueOf(ev.evidence().get("action"))).toList();
    }

    @Test
    void stoppingNexusKeepsAHardRestart() {
        ManagedComponent<Counter> c = counter("counter");
        CounterImpl original = impl(c);
        HealingEngine e = engine().chain(List.of(HARD_RESTART)).build();
        e.register(healable(c).withFactory(CounterImpl::new));
        original.v = -1;
        assertThat(e.heal("counter").healedBy()).isEqualTo(HARD_RESTART);
        CounterImpl fresh = impl(c);

        assertThat(gate.revertAll()).as("nothing to revert: the restart is a repair").isEmpty();

        assertThat(impl(c)).as("the broken instance does not come back").isSameAs(fresh);
        assertThat(c.proxy().value()).isZero();
        assertThat(keptActions()).containsExactly("heal.hard_restart");
        assertThat(gate.applied()).isEmpty();
    }

    @Test
    void stoppingNexusKeepsSoftResetsAndRollbacks() {
        ManagedComponent<Counter> c = counter("counter");
        CheckpointStore store = new CheckpointStore(clock);
        store.register("counter", state(c));
        HealingEngine e = engine().checkpoints(store).chain(List.of(SOFT_RESET, MICRO_ROLLBACK, FULL_ROLLBACK))
                .build();
        e.register(healable(c).withResetHook(x -> { }));
        for (int i = 0; i < 5; i++) {
            c.proxy().increment();
        }
        store.take("counter", true);
        impl(c).v = -42;
        store.take("counter", false);

        assertThat(e.heal("counter").healedBy()).isEqualTo(FULL_ROLLBACK);
        assertThat(c.proxy().value()).isEqualTo(5);

        gate.revertAll();

        assertThat(c.proxy().value()).as("the corrupt state is not put back").isEqualTo(5);
        assertThat(keptActions()).containsExactly("jvm.rollback", "jvm.rollback", "heal.soft_reset");
        assertThat(log.snapshot()).noneMatch(ev -> ev.type().startsWith("action.revert"));
    }

    @Test
    void stoppingNexusKeepsAReconstruction(@TempDir Path dir) {
        ManagedComponent<Counter> c = counter("counter");
        CheckpointStore store = CheckpointStore.persistent(clock, 10, Duration.ofHours(1), dir);
        store.register("counter", state(c), INT);
        HealingEngine e = engine().checkpoints(store).chain(List.of(RECONSTRUCT)).build();
        e.register(healable(c));
        c.proxy().increment();
        store.take("counter", true);
        impl(c).v = -7;

        assertThat(e.heal("counter").healedBy()).isEqualTo(RECONSTRUCT);
        gate.revertAll();

        assertThat(c.proxy().value()).isEqualTo(1);
        assertThat(keptActions()).containsExactly("jvm.reconstruct");
        store.close();
    }

    @Test
    void stoppingNexusStillUndoesASubstitutionBecauseItIsContainment() {
        FragileGreeter primary = new FragileGreeter();
        ManagedComponent<Greeter> c = registry.register(ComponentSpec.of("greeter", Greeter.class, (Greeter) primary)
                .withFallback(who -> "cached hello " + who));
        HealingEngine e = engine().chain(List.of(SUBSTITUTE)).build();
        e.register(HealingTarget.of(c).withHealth(g -> g.greet("probe") != null));
        primary.broken = true;
        assertThat(e.heal("greeter").healedBy()).isEqualTo(SUBSTITUTE);
        assertThat(c.serving()).isEqualTo(ManagedComponent.Serving.FALLBACK);

        List<dev.helix.nexus.core.spi.ActionResult> reverted = gate.revertAll();

        assertThat(reverted).singleElement().satisfies(r -> assertThat(r.succeeded()).isTrue());
        assertThat(c.serving()).isEqualTo(ManagedComponent.Serving.PRIMARY);
        assertThat(keptActions()).isEmpty();
    }
}
