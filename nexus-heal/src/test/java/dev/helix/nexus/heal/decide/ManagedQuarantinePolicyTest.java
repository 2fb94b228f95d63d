package dev.helix.nexus.heal.decide;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.ActionGate;
import dev.helix.nexus.core.engine.Anomaly;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.heal.SafetyGate;
import dev.helix.nexus.heal.quarantine.QuarantineManager;
import dev.helix.nexus.heal.quarantine.QuarantinePlan;
import dev.helix.nexus.heal.quarantine.QuarantineState;
import dev.helix.nexus.heal.quarantine.RestartPolicy;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.testkit.ScriptedSensor;
import dev.helix.nexus.core.testkit.ThresholdDetector;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The scoped decision policy on a manual clock, with fake plan actions and the engine's real ActionGate. */
class ManagedQuarantinePolicyTest {

    private final ManualClock clock = new ManualClock();
    private final RecentEvents log = new RecentEvents(1000);
    private final SafetyGate heal = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS)
            .maxActionsPerMinute(1000).build();
    private final QuarantineManager quarantine = new QuarantineManager(heal, clock, log, Duration.ofHours(1),
            Duration.ofMinutes(10), Duration.ofMinutes(10), RestartPolicy.DEFAULT);
    private final ManagedQuarantinePolicy policy = new ManagedQuarantinePolicy(quarantine, clock, 3,
            Duration.ofSeconds(10), Duration.ofSeconds(5));
    private final List<String> journal = new ArrayList<>();
    private final ComponentId managed = ComponentId.jvm("orders");
    private final ComponentId stranger = ComponentId.process(777);

    private ActionGate engineGate(NexusLevel level) {
        return new ActionGate(NexusConfig.builder().level(level).confirmationWindow(Duration.ZERO)
                .actionBudgetPerMinute(100).build(), clock, log, null);
    }

    /** A plan whose every rung is one recording fake action on the component. */
    private QuarantinePlan plan(ComponentId id) {
        return new QuarantinePlan() {
            @Override
            public List<Action> actionsFor(QuarantineState step) {
                return List.of(new Action() {
                    @Override public String name() { return "fake." + step; }
                    @Override public ComponentId target() { return id; }
                    @Override public NexusLevel requiredLevel() { return NexusLevel.CORRECTION; }
                    @Override public String describe() { return "fake " + step + " on " + id; }
                    @Override public ActionResult execute() {
                        journal.add("+" + step);
                        return ActionResult.succeeded(step.name(), Map.of());
                    }
                    @Override public ActionResult revert() {
                        journal.add("-" + step);
                        return ActionResult.succeeded("undo " + step, Map.of());
                    }
                });
            }

            @Override
            public boolean healthy() {
                return false;
            }
        };
    }

    private static Anomaly anomaly(long pid, long ts) {
        return new Anomaly(MetricKey.of("process_rss_bytes", "pid", Long.toString(pid)), 1e9, 0.97, "zscore", ts);
    }

    private static Anomaly anomaly(String component, long ts) {
        return new Anomaly(MetricKey.of("heap_used_bytes", "component", component), 1e9, 0.97, "zscore", ts);
    }

    private List<Action> tick(Object... findings) {
        List<Action> a = policy.decide(List.of(findings), null);
        clock.advance(Duration.ofSeconds(1));
        return a;
    }

    @Test
    void repeatedAnomaliesOnAManagedProcessQuarantineThenEscalateThroughTheEngineGate() {
        policy.manage(managed, () -> plan(managed));
        ActionGate gate = engineGate(NexusLevel.AUTONOMOUS);

        assertThat(tick(anomaly("orders", 1))).isEmpty();
        assertThat(tick(anomaly("orders", 2))).isEmpty();
        List<Action> third = tick(anomaly("orders", 3));
        assertThat(third).hasSize(1);
        assertThat(third.get(0).name()).isEqualTo("quarantine.start");
        assertThat(third.get(0).target()).isEqualTo(managed);
        assertThat(third.get(0).describe()).contains("3 finding(s)").contains("heap_used_bytes");

        ActionResult r = gate.submit(third.get(0));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(quarantine.get(managed).orElseThrow().state()).isEqualTo(QuarantineState.RESTRICT);
        assertThat(journal).containsExactly("+RESTRICT");

        // cooldown: 5 s of quiet after a proposal even though anomalies keep coming
        for (int i = 0; i < 4; i++) {
            assertThat(tick(anomaly("orders", 10 + i))).isEmpty();
        }
        // still misbehaving, already quarantined: escalate one rung (needs HEALING)
        List<Action> esc = List.of();
        for (int i = 0; i < 4 && esc.isEmpty(); i++) {
            esc = tick(anomaly("orders", 20 + i));
        }
        assertThat(esc).singleElement().extracting(Action::name).isEqualTo("quarantine.escalate");
        assertThat(engineGate(NexusLevel.CORRECTION).submit(esc.get(0)).outcome())
                .as("escalation needs the healing level").isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(quarantine.get(managed).orElseThrow().state()).isEqualTo(QuarantineState.RESTRICT);
        ActionResult e = gate.submit(esc.get(0));
        assertThat(e.outcome()).as(e.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(e.evidence()).containsEntry("from", "RESTRICT").containsEntry("to", "LIMIT");
        assertThat(quarantine.get(managed).orElseThrow().state()).isEqualTo(QuarantineState.LIMIT);

        // engine stop: the gate reverts newest first; releasing the quarantine undoes every rung
        gate.revertAll();
        assertThat(quarantine.isQuarantined(managed)).isFalse();
        assertThat(journal).containsExactly("+RESTRICT", "+LIMIT", "-LIMIT", "-RESTRICT");
    }

    @Test
    void pluggedIntoNexusEngineTheDetectorsAnomaliesQuarantineTheManagedComponent() throws Exception {
        ScriptedSensor orders = new ScriptedSensor("orders", n -> 95); // always above the threshold of 90
        ScriptedSensor other = new ScriptedSensor("other", n -> 99);   // anomalous too, but not managed
        policy.manage(managed, a -> a.key().equals(orders.key()), () -> plan(managed));
        try (NexusEngine engine = NexusEngine.builder(NexusConfig.builder().tickDuration(Duration.ofSeconds(1))
                        .level(NexusLevel.AUTONOMOUS).confirmationWindow(Duration.ZERO).build(), clock)
                .eventLog(log).sensors(List.of(orders, other)).detectors(k -> new ThresholdDetector(90))
                .policy(policy).build()) {
            engine.start();
            engine.runLoop(12);
            assertThat(quarantine.isQuarantined(managed)).isTrue();
            assertThat(quarantine.get(managed).orElseThrow().state()).as("escalated past RESTRICT")
                    .isIn(QuarantineState.LIMIT, QuarantineState.MONITOR);
            assertThat(quarantine.list()).extracting(r -> r.component()).containsExactly(managed);
            assertThat(log.snapshot()).anyMatch(e -> e.type().equals("action.completed")
                    && "quarantine.start".equals(e.evidence().get("action")));
            engine.stop();
        }
        assertThat(quarantine.isQuarantined(managed)).as("engine stop reverts the quarantine").isFalse();
        assertThat(journal).startsWith("+RESTRICT", "+LIMIT").endsWith("-LIMIT", "-RESTRICT");
    }

    @Test
    void componentsNotRegisteredAreNeverActedOn() {
        policy.manage(managed, () -> plan(managed));
        for (int i = 0; i < 20; i++) {
            assertThat(tick(anomaly(777, i), new ComponentFinding(stranger, "crash-loop", true),
                    new Anomaly(MetricKey.of("host_cpu"), 1, 1, "z", i), "an unrelated finding")).isEmpty();
        }
        assertThat(quarantine.list()).isEmpty();
        assertThat(policy.managed()).containsExactly(managed);
    }

    @Test
    void anomaliesOutsideTheWindowDoNotAddUp() {
        policy.manage(managed, () -> plan(managed));
        for (int i = 0; i < 10; i++) {
            assertThat(policy.decide(List.of(anomaly("orders", i)), null)).isEmpty();
            clock.advance(Duration.ofSeconds(6)); // two anomalies at most within the 10 s window
        }
    }

    @Test
    void aSeverePatternActsAtOnceAndUnmanagedComponentsStopBeingWatched() {
        ComponentId svc = ComponentId.jvm("orders-cache");
        policy.manage(svc, () -> plan(svc));
        List<Action> a = tick(new ComponentFinding(svc, "memory-leak", true));
        assertThat(a).singleElement().extracting(Action::name).isEqualTo("quarantine.start");
        assertThat(a.get(0).describe()).contains("pattern memory-leak");

        // refused by the gate (dry-run): nothing quarantined
        ActionGate dry = new ActionGate(NexusConfig.builder().level(NexusLevel.AUTONOMOUS).dryRun(true).build(),
                clock, log, null);
        assertThat(dry.submit(a.get(0)).outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(quarantine.isQuarantined(svc)).isFalse();

        assertThat(policy.unmanage(svc)).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(tick(new ComponentFinding(svc, "memory-leak", true))).isEmpty();
    }

    @Test
    void aPlanThatCannotRestrictReportsFailed() {
        policy.manage(managed, () -> new QuarantinePlan() {
            @Override
            public List<Action> actionsFor(QuarantineState step) {
                throw new IllegalStateException("pid gone");
            }

            @Override
            public boolean healthy() {
                return false;
            }
        });
        List<Action> a = tick(new ComponentFinding(managed, "fork-bomb", true));
        ActionResult r = engineGate(NexusLevel.AUTONOMOUS).submit(a.get(0));
        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.FAILED);
        assertThat(r.detail()).contains("could not restrict");
        assertThat(quarantine.isQuarantined(managed)).isFalse();
    }
}
