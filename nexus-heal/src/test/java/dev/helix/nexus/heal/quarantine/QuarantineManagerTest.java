package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.SafetyGate;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The quarantine state machine on a manual clock with recording actions. */
class QuarantineManagerTest {

    private final ManualClock clock = new ManualClock();
    private final RecentEvents log = new RecentEvents(1000);
    private final SafetyGate gate = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS)
            .maxActionsPerMinute(1000).build();
    private final List<String> journal = new ArrayList<>();
    private final List<QuarantineEvent> events = new ArrayList<>();
    private final ComponentId comp = ComponentId.jvm("svc");
    private final AtomicBoolean healthy = new AtomicBoolean(false);
    private final Map<QuarantineState, ActionResult.Outcome> outcomes = new EnumMap<>(QuarantineState.class);

    private final class Step implements Action {
        final QuarantineState step;

        Step(QuarantineState step) {
            this.step = step;
        }

        @Override
        public String name() {
            return "step." + step;
        }

        @Override
        public ComponentId target() {
            return comp;
        }

        @Override
        public NexusLevel requiredLevel() {
            return step == QuarantineState.REPLACE ? NexusLevel.HEALING : NexusLevel.CORRECTION;
        }

        @Override
        public String describe() {
            return "apply " + step;
        }

        @Override
        public ActionResult execute() {
            journal.add("+" + step);
            return new ActionResult(outcomes.getOrDefault(step, ActionResult.Outcome.SUCCEEDED), step.name(), Map.of());
        }

        @Override
        public ActionResult revert() {
            journal.add("-" + step);
            return ActionResult.succeeded("undo " + step, Map.of());
        }
    }

    private final QuarantinePlan plan = new QuarantinePlan() {
        @Override
        public List<Action> actionsFor(QuarantineState step) {
            return step == QuarantineState.MONITOR ? List.of() : List.of(new Step(step));
        }

        @Override
        public boolean healthy() {
            return healthy.get();
        }
    };

    private QuarantineManager manager(Duration maxDuration, RestartPolicy policy) {
        QuarantineManager m = new QuarantineManager(gate, clock, log, maxDuration, Duration.ofSeconds(10),
                Duration.ofSeconds(30), policy);
        m.onEvent(events::add);
        return m;
    }

    private QuarantineState state(QuarantineManager m) {
        return m.get(comp).map(QuarantineRecord::state).orElse(QuarantineState.RELEASED);
    }

    private void step(QuarantineManager m, Duration d) {
        clock.advance(d);
        m.tick();
    }

    @Test
    void escalatesOneVerifiedRungAtATimeWhileMisbehaving() {
        QuarantineManager m = manager(Duration.ofHours(1), new RestartPolicy(2, Duration.ofMinutes(10),
                Duration.ofSeconds(20), Duration.ofSeconds(60)));
        assertThat(m.quarantine(comp, "leaking", plan).state()).isEqualTo(QuarantineState.RESTRICT);
        assertThat(m.isQuarantined(comp)).isTrue();
        step(m, Duration.ofSeconds(5));
        assertThat(state(m)).as("not before escalateAfter").isEqualTo(QuarantineState.RESTRICT);
        step(m, Duration.ofSeconds(5));
        assertThat(state(m)).isEqualTo(QuarantineState.LIMIT);
        step(m, Duration.ofSeconds(10));
        assertThat(state(m)).isEqualTo(QuarantineState.MONITOR);
        step(m, Duration.ofSeconds(10));
        assertThat(state(m)).isEqualTo(QuarantineState.ISOLATE);
        step(m, Duration.ofSeconds(10));
        assertThat(state(m)).as("first restart waits the initial backoff 20 s").isEqualTo(QuarantineState.ISOLATE);
        assertThat(events).anyMatch(e -> e instanceof QuarantineEvent.RestartDeferred d && d.backoff().toSeconds() == 20);
        step(m, Duration.ofSeconds(10));
        assertThat(state(m)).isEqualTo(QuarantineState.REPLACE);
        step(m, Duration.ofSeconds(30));
        assertThat(m.get(comp).orElseThrow().restarts()).as("second restart waits 40 s").isEqualTo(1);
        step(m, Duration.ofSeconds(10));
        assertThat(m.get(comp).orElseThrow().restarts()).isEqualTo(2);
        step(m, Duration.ofSeconds(200));
        assertThat(state(m)).as("more than intensity 2 restarts in 10 min").isEqualTo(QuarantineState.GAVE_UP);
        assertThat(m.isQuarantined(comp)).as("restrictions stay after giving up").isTrue();
        assertThat(journal).containsExactly("+RESTRICT", "+LIMIT", "+ISOLATE", "+REPLACE", "+REPLACE");
        assertThat(events.stream().filter(e -> e instanceof QuarantineEvent.Transitioned)
                .map(e -> ((QuarantineEvent.Transitioned) e).to()).toList())
                .containsExactly(QuarantineState.RESTRICT, QuarantineState.LIMIT, QuarantineState.MONITOR,
                        QuarantineState.ISOLATE, QuarantineState.REPLACE, QuarantineState.REPLACE,
                        QuarantineState.GAVE_UP);
        assertThat(m.release(comp)).isTrue();
        assertThat(journal.subList(5, journal.size()))
                .containsExactly("-REPLACE", "-REPLACE", "-ISOLATE", "-LIMIT", "-RESTRICT");
        assertThat(m.list()).isEmpty();
        assertThat(gate.applied()).isEmpty();
    }

    @Test
    void releasedAfterSustainedHealthWithReverseRevert() {
        QuarantineManager m = manager(Duration.ofHours(1), RestartPolicy.DEFAULT);
        m.quarantine(comp, "cpu hog", plan);
        step(m, Duration.ofSeconds(10));
        assertThat(state(m)).isEqualTo(QuarantineState.LIMIT);
        healthy.set(true);
        step(m, Duration.ofSeconds(20));
        healthy.set(false);
        step(m, Duration.ofSeconds(1));
        healthy.set(true);
        step(m, Duration.ofSeconds(1));
        step(m, Duration.ofSeconds(20));
        assertThat(m.isQuarantined(comp)).as("health must be continuous for 30 s").isTrue();
        step(m, Duration.ofSeconds(10));
        assertThat(m.isQuarantined(comp)).isFalse();
        assertThat(journal).containsExactly("+RESTRICT", "+LIMIT", "-LIMIT", "-RESTRICT");
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(QuarantineEvent.Ended.class,
                e -> assertThat(e.reason()).contains("healthy"));
    }

    @Test
    void releasedAtMaxDurationEvenIfStillBad() {
        QuarantineManager m = manager(Duration.ofSeconds(25), RestartPolicy.DEFAULT);
        m.quarantine(comp, "x", plan);
        step(m, Duration.ofSeconds(10));
        step(m, Duration.ofSeconds(10));
        assertThat(state(m)).isEqualTo(QuarantineState.MONITOR);
        step(m, Duration.ofSeconds(5));
        assertThat(m.isQuarantined(comp)).isFalse();
        assertThat(gate.applied()).isEmpty();
    }

    @Test
    void failedVerificationDoesNotEscalate() {
        QuarantineManager m = manager(Duration.ofHours(1), RestartPolicy.DEFAULT);
        outcomes.put(QuarantineState.LIMIT, ActionResult.Outcome.FAILED);
        m.quarantine(comp, "x", plan);
        step(m, Duration.ofSeconds(10));
        step(m, Duration.ofSeconds(10));
        assertThat(state(m)).isEqualTo(QuarantineState.RESTRICT);
        assertThat(events).filteredOn(e -> e instanceof QuarantineEvent.StepFailed).hasSize(2);
        assertThat(journal).containsExactly("+RESTRICT", "+LIMIT", "-LIMIT", "+LIMIT", "-LIMIT");
        outcomes.remove(QuarantineState.LIMIT);
        step(m, Duration.ofSeconds(1));
        assertThat(state(m)).isEqualTo(QuarantineState.LIMIT);
    }

    @Test
    void refusedFirstStepLeavesNothingQuarantined() {
        SafetyGate dry = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS).dryRun(true).build();
        QuarantineManager m = new QuarantineManager(dry, clock, log, Duration.ofHours(1), Duration.ofSeconds(10),
                Duration.ofSeconds(30), RestartPolicy.DEFAULT);
        QuarantineRecord r = m.quarantine(comp, "x", plan);
        assertThat(r.state()).isEqualTo(QuarantineState.RELEASED);
        assertThat(m.isQuarantined(comp)).isFalse();
        assertThat(journal).isEmpty();
    }

    @Test
    void legalTransitionsAndBackoff() {
        assertThat(QuarantineState.RESTRICT.legalNext()).doesNotContain(QuarantineState.ISOLATE);
        assertThat(QuarantineState.RELEASED.legalNext()).isEmpty();
        assertThatThrownBy(QuarantineState.RELEASED::escalation).isInstanceOf(IllegalStateException.class);
        RestartPolicy p = new RestartPolicy(5, Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(300));
        assertThat(List.of(p.backoff(1), p.backoff(2), p.backoff(3), p.backoff(7))).containsExactly(
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(300));
    }
}
