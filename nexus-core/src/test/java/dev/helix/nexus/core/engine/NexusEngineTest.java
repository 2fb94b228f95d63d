package dev.helix.nexus.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.IllegalStateTransitionException;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.NexusState;
import dev.helix.nexus.core.StateTransition;
import dev.helix.nexus.core.bus.BusStats;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.testkit.RecordingAction;
import dev.helix.nexus.core.testkit.ScriptedSensor;
import dev.helix.nexus.core.testkit.ThresholdDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class NexusEngineTest {

    private static final Duration TICK = Duration.ofMillis(250);
    private static final long START_WALL = 1_767_225_600_000L;

    /** One engine under test with its clock, log and fakes. */
    private static final class Rig {
        final ManualClock clock = new ManualClock(START_WALL);
        final RecentEvents events = new RecentEvents(100_000);
        final List<StateTransition> transitions = new ArrayList<>();
        final List<RecordingAction> proposed = new ArrayList<>();
        final List<NexusState> statesSeenByActions = new ArrayList<>();
        NexusEngine engine;

        List<String> types() {
            return events.snapshot().stream().map(NexusEvent::type).toList();
        }

        List<NexusEvent> ofType(String type) {
            return events.snapshot().stream().filter(e -> e.type().equals(type)).toList();
        }
    }

    private static NexusConfig.Builder config(NexusLevel level) {
        return NexusConfig.builder().tickDuration(TICK).level(level).confirmationWindow(Duration.ofSeconds(1));
    }

    /** A policy proposing one action of {@code actionLevel} per anomaly it is shown. */
    private static DecisionPolicy onePerAnomaly(Rig rig, NexusLevel actionLevel) {
        return (findings, ctx) -> {
            List<Action> out = new ArrayList<>();
            for (Object f : findings) {
                if (f instanceof Anomaly a) {
                    RecordingAction action = new RecordingAction("fix-" + a.key().name() + "-t" + ctx.tick(), actionLevel)
                            .during(() -> rig.statesSeenByActions.add(rig.engine.state()));
                    rig.proposed.add(action);
                    out.add(action);
                }
            }
            return out;
        };
    }

    private static Rig rig(NexusConfig config, DecisionPolicy policy, ScriptedSensor... sensors) {
        return rig(config, null, policy, sensors);
    }

    private static Rig rig(NexusConfig config, DomainHandler extra, DecisionPolicy policy, ScriptedSensor... sensors) {
        Rig rig = new Rig();
        NexusEngine.Builder b = NexusEngine.builder(config, rig.clock)
                .eventLog(rig.events)
                .sensors(List.of(sensors))
                .detectors(k -> new ThresholdDetector(90));
        if (policy != null) {
            b.policy(policy);
        }
        if (extra != null) {
            b.handler(extra);
        }
        rig.engine = b.build();
        rig.engine.addStateListener(rig.transitions::add);
        return rig;
    }

    private static Rig deterministicRig() {
        ScriptedSensor cpu = new ScriptedSensor("cpu", n -> (n * 37) % 100);
        ScriptedSensor mem = new ScriptedSensor("mem", n -> n % 10 == 0 ? 1000 : n).failingOn(7, 30);
        Rig[] holder = new Rig[1];
        Rig rig = rig(config(NexusLevel.CORRECTION).build(), (f, c) -> onePerAnomaly(holder[0], NexusLevel.CORRECTION)
                .decide(f, c), cpu, mem);
        holder[0] = rig;
        return rig;
    }

    @Test
    void twoEnginesWithTheSameSensorsAndClockProduceIdenticalEventsAndStats() throws InterruptedException {
        Rig a = deterministicRig();
        Rig b = deterministicRig();
        a.engine.start();
        b.engine.start();
        a.engine.runLoop(60);
        b.engine.runLoop(60);

        List<NexusEvent> eventsA = a.events.snapshot();
        assertThat(eventsA).isEqualTo(b.events.snapshot());
        assertThat(a.engine.tickStats()).isEqualTo(b.engine.tickStats());
        assertThat(a.transitions).isEqualTo(b.transitions);
        assertThat(a.engine.memory().recent()).hasSameSizeAs(b.engine.memory().recent());
        BusStats busA = a.engine.bus().stats();
        assertThat(busA).isEqualTo(b.engine.bus().stats());
        assertThat(busA.offered()).isPositive();
        assertThat(a.proposed).extracting(RecordingAction::name).isEqualTo(b.proposed.stream().map(RecordingAction::name).toList());

        // the run is not trivially empty: it detected, decided, waited, acted, degraded and recovered
        assertThat(a.types()).contains("engine.start", "anomaly", "decision", "action.proposed", "action.started",
                "action.completed", "component.problem", "sensor.health", "state.transition");
        assertThat(a.transitions).extracting(StateTransition::to).contains(NexusState.DEGRADED, NexusState.RUNNING);
        assertThat(a.engine.tickStats().ticks()).isEqualTo(60);
        assertThat(a.engine.state()).isEqualTo(b.engine.state());
    }

    @Test
    void runLoopOnAManualClockRunsExactlyNTicksAndAdvancesTimeByNTicks() throws InterruptedException {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> n);
        Rig rig = rig(config(NexusLevel.MONITORING).build(), null, s);
        rig.engine.start();
        long nanos0 = rig.clock.monotonicNanos();

        rig.engine.runLoop(40);

        assertThat(rig.engine.tickStats().ticks()).isEqualTo(40);
        assertThat(rig.engine.tickStats().skipped()).isZero();
        assertThat(rig.engine.tickStats().overruns()).isZero();
        assertThat(rig.engine.tickStats().budgetNanos()).isEqualTo(TICK.toNanos());
        assertThat(s.samples()).isEqualTo(40);
        assertThat(rig.clock.monotonicNanos() - nanos0).isEqualTo(40 * TICK.toNanos());
        assertThat(rig.clock.wallMillis()).isEqualTo(START_WALL + 40 * TICK.toMillis());
        assertThat(rig.engine.sense().latest().latest(s.key())).isEqualTo(40.0);

        rig.engine.runLoop(3);
        assertThat(rig.engine.tickStats().ticks()).isEqualTo(43);
        assertThat(rig.clock.wallMillis()).isEqualTo(START_WALL + 43 * TICK.toMillis());
    }

    @Test
    void eachTickSeesItsOwnTimestamp() throws InterruptedException {
        List<Long> stamps = new ArrayList<>();
        Rig rig = rig(config(NexusLevel.MONITORING).build(), new DomainHandler() {
            @Override public Domain domain() { return Domain.REFLECT; }
            @Override public void onTick(TickContext ctx) { stamps.add(ctx.timestampMillis()); }
        }, null);
        rig.engine.start();
        rig.engine.runLoop(3);
        assertThat(stamps).containsExactly(START_WALL, START_WALL + 250, START_WALL + 500);
    }

    @Test
    void stopMakesRunLoopReturnAfterTheCurrentTick() throws InterruptedException {
        Rig[] holder = new Rig[1];
        DomainHandler stopper = new DomainHandler() {
            @Override public Domain domain() { return Domain.REFLECT; }
            @Override public void onTick(TickContext ctx) {
                if (ctx.tick() == 5) {
                    holder[0].engine.stop();
                }
            }
        };
        Rig rig = rig(config(NexusLevel.MONITORING).build(), stopper, null);
        holder[0] = rig;
        rig.engine.start();
        rig.engine.runLoop(0);
        assertThat(rig.engine.tickStats().ticks()).isEqualTo(5);
    }

    @Test
    void aSensorThatThrowsDegradesTheEngineAndHealthyTicksRecoverIt() {
        ScriptedSensor bad = new ScriptedSensor("flaky", n -> 1).failingOn(3);
        ScriptedSensor good = new ScriptedSensor("steady", n -> 2);
        Rig rig = rig(config(NexusLevel.MONITORING).build(), null, bad, good);
        rig.engine.start();

        rig.engine.tick();
        rig.engine.tick();
        assertThat(rig.engine.state()).isEqualTo(NexusState.RUNNING);
        rig.engine.tick();
        assertThat(rig.engine.state()).isEqualTo(NexusState.DEGRADED);
        assertThat(good.samples()).as("the other sensors go on").isEqualTo(3);
        assertThat(rig.ofType("component.problem")).singleElement().satisfies(e -> {
            assertThat(e.component()).isEqualTo("sensor:flaky");
            assertThat(e.reason()).contains("scripted failure on sample 3");
        });
        assertThat(rig.engine.sense().health().get("flaky").isHealthy()).isFalse();

        for (int i = 1; i < NexusEngine.GOOD_TICKS_TO_RECOVER; i++) {
            rig.engine.tick();
            assertThat(rig.engine.state()).as("after %d healthy ticks", i).isEqualTo(NexusState.DEGRADED);
        }
        rig.engine.tick();
        assertThat(rig.engine.state()).isEqualTo(NexusState.RUNNING);

        assertThat(rig.transitions).extracting(StateTransition::from, StateTransition::to).containsExactly(
                org.assertj.core.groups.Tuple.tuple(NexusState.UNINITIALIZED, NexusState.INITIALIZING),
                org.assertj.core.groups.Tuple.tuple(NexusState.INITIALIZING, NexusState.RUNNING),
                org.assertj.core.groups.Tuple.tuple(NexusState.RUNNING, NexusState.DEGRADED),
                org.assertj.core.groups.Tuple.tuple(NexusState.DEGRADED, NexusState.RUNNING));
        assertThat(rig.transitions.get(2).reason()).contains("sensor:flaky");
        assertThat(rig.transitions.get(3).reason()).contains(NexusEngine.GOOD_TICKS_TO_RECOVER + " healthy ticks");
        assertThat(rig.ofType("sensor.health")).extracting(NexusEvent::reason)
                .containsExactly("IllegalStateException: scripted failure on sample 3", "sensor healthy again");
        assertThat(rig.ofType("state.transition")).hasSize(4)
                .allSatisfy(e -> assertThat(e.category()).isEqualTo(EventCategory.ENGINE));
    }

    @Test
    void aFailingDomainHandlerDegradesTheEngineAndTheOtherDomainsStillRun() {
        AtomicBoolean fail = new AtomicBoolean(true);
        ScriptedSensor s = new ScriptedSensor("cpu", n -> n);
        List<Long> reflected = new ArrayList<>();
        Rig rig = rig(config(NexusLevel.MONITORING).build(), new DomainHandler() {
            @Override public Domain domain() { return Domain.SENSE; }
            @Override public void onTick(TickContext ctx) {
                if (fail.get()) {
                    throw new IllegalStateException("handler broke");
                }
            }
        }, null, s);
        rig.engine.start();
        rig.engine.tick();
        assertThat(rig.engine.state()).isEqualTo(NexusState.DEGRADED);
        assertThat(s.samples()).isEqualTo(1);
        assertThat(rig.ofType("component.problem")).singleElement()
                .satisfies(e -> assertThat(e.component()).isEqualTo("domain:sense"));
        fail.set(false);
        for (int i = 0; i < NexusEngine.GOOD_TICKS_TO_RECOVER; i++) {
            rig.engine.tick();
        }
        assertThat(rig.engine.state()).isEqualTo(NexusState.RUNNING);
        assertThat(reflected).isEmpty();
    }

    /** A Reflect handler that makes the tick slow by advancing the manual clock while {@code slow} is set. */
    private static DomainHandler slowWhen(AtomicBoolean slow, ManualClock[] clock) {
        return new DomainHandler() {
            @Override public Domain domain() { return Domain.REFLECT; }
            @Override public void onTick(TickContext ctx) {
                if (slow.get()) {
                    clock[0].advance(TICK.plusMillis(1));
                }
            }
        };
    }

    @Test
    void slowTicksCountAsOverrunsAndConsecutiveOverrunsDegrade() {
        AtomicBoolean slow = new AtomicBoolean(true);
        ManualClock[] clock = new ManualClock[1];
        Rig rig = rig(config(NexusLevel.MONITORING).build(), slowWhen(slow, clock), null);
        clock[0] = rig.clock;
        rig.engine.start();

        for (int i = 1; i < NexusEngine.OVERRUNS_TO_DEGRADE; i++) {
            rig.engine.tick();
            assertThat(rig.engine.tickStats().overruns()).isEqualTo(i);
            assertThat(rig.engine.state()).isEqualTo(NexusState.RUNNING);
        }
        rig.engine.tick();
        assertThat(rig.engine.state()).isEqualTo(NexusState.DEGRADED);
        assertThat(rig.engine.tickStats().overruns()).isEqualTo(NexusEngine.OVERRUNS_TO_DEGRADE);
        assertThat(rig.engine.tickStats().lastNanos()).isEqualTo(TICK.plusMillis(1).toNanos());
        assertThat(rig.ofType("tick.overrun")).hasSize(NexusEngine.OVERRUNS_TO_DEGRADE)
                .allSatisfy(e -> assertThat(e.reason()).contains("tick took 251 ms, budget 250 ms"));
        assertThat(rig.transitions.get(rig.transitions.size() - 1).reason())
                .contains(NexusEngine.OVERRUNS_TO_DEGRADE + " ticks in a row overran");

        slow.set(false);
        for (int i = 0; i < NexusEngine.GOOD_TICKS_TO_RECOVER; i++) {
            rig.engine.tick();
        }
        assertThat(rig.engine.state()).isEqualTo(NexusState.RUNNING);
        assertThat(rig.engine.tickStats().lastNanos()).isZero();
    }

    @Test
    void overrunsThatAreNotConsecutiveDoNotDegrade() {
        AtomicBoolean slow = new AtomicBoolean(false);
        ManualClock[] clock = new ManualClock[1];
        Rig rig = rig(config(NexusLevel.MONITORING).build(), slowWhen(slow, clock), null);
        clock[0] = rig.clock;
        rig.engine.start();
        for (int i = 0; i < 12; i++) {
            slow.set(i % 2 == 0);
            rig.engine.tick();
        }
        assertThat(rig.engine.tickStats().overruns()).isEqualTo(6);
        assertThat(rig.engine.state()).isEqualTo(NexusState.RUNNING);
    }

    @Test
    void anOverrunTickBreaksTheHealthyStreakNeededToRecover() {
        AtomicBoolean slow = new AtomicBoolean(true);
        ManualClock[] clock = new ManualClock[1];
        Rig rig = rig(config(NexusLevel.MONITORING).build(), slowWhen(slow, clock), null);
        clock[0] = rig.clock;
        rig.engine.start();
        for (int i = 0; i < NexusEngine.OVERRUNS_TO_DEGRADE; i++) {
            rig.engine.tick();
        }
        assertThat(rig.engine.state()).isEqualTo(NexusState.DEGRADED);

        slow.set(false);
        for (int i = 1; i < NexusEngine.GOOD_TICKS_TO_RECOVER; i++) {
            rig.engine.tick();
        }
        slow.set(true);
        rig.engine.tick(); // one overrun: not enough to degrade again, but not a healthy tick either
        slow.set(false);
        for (int i = 1; i < NexusEngine.GOOD_TICKS_TO_RECOVER; i++) {
            rig.engine.tick();
            assertThat(rig.engine.state()).as("%d healthy ticks since the overrun", i).isEqualTo(NexusState.DEGRADED);
        }
        rig.engine.tick();
        assertThat(rig.engine.state()).isEqualTo(NexusState.RUNNING);
    }

    @Test
    void runLoopSkipsTicksItFellTooFarBehindOn() throws InterruptedException {
        ManualClock[] clock = new ManualClock[1];
        DomainHandler verySlowOnce = new DomainHandler() {
            @Override public Domain domain() { return Domain.REFLECT; }
            @Override public void onTick(TickContext ctx) {
                if (ctx.tick() == 1) {
                    clock[0].advance(TICK.multipliedBy(3).plusMillis(10));
                }
            }
        };
        Rig rig = rig(config(NexusLevel.MONITORING).build(), verySlowOnce, null);
        clock[0] = rig.clock;
        rig.engine.start();
        rig.engine.runLoop(4);
        assertThat(rig.engine.tickStats().ticks()).isEqualTo(4);
        assertThat(rig.engine.tickStats().skipped()).isEqualTo(2);
        assertThat(rig.engine.tickStats().overruns()).isEqualTo(1);
    }

    @Test
    void aPausedEngineDoesNotTick() {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> n);
        Rig rig = rig(config(NexusLevel.MONITORING).build(), null, s);
        assertThat(rig.engine.tick()).as("not started").isFalse();
        rig.engine.start();
        rig.engine.pause();
        assertThat(rig.engine.state()).isEqualTo(NexusState.PAUSED);

        assertThat(rig.engine.tick()).isFalse();
        assertThat(rig.engine.tick()).isFalse();
        assertThat(rig.engine.tickStats().ticks()).isZero();
        assertThat(s.samples()).isZero();

        rig.engine.resume();
        assertThat(rig.engine.tick()).isTrue();
        assertThat(s.samples()).isEqualTo(1);
        assertThatThrownBy(rig.engine::resume).isInstanceOf(IllegalStateTransitionException.class);
    }

    @Test
    void levelDisabledRunsNoSensorsUntilRaised() {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> n);
        List<NexusLevel> levels = new ArrayList<>();
        Rig rig = rig(config(NexusLevel.DISABLED).build(), null, s);
        rig.engine.addLevelListener(levels::add);
        rig.engine.start();

        rig.engine.tick();
        rig.engine.tick();
        assertThat(rig.engine.tickStats().ticks()).isEqualTo(2);
        assertThat(s.samples()).isZero();
        assertThat(rig.engine.sense().latest().size()).isZero();

        rig.engine.setLevel(NexusLevel.MONITORING);
        rig.engine.tick();
        assertThat(s.samples()).isEqualTo(1);
        assertThat(levels).containsExactly(NexusLevel.MONITORING);
        assertThat(rig.ofType("level.change")).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("level disabled -> monitoring");
            assertThat(e.evidence()).containsEntry("from", 0).containsEntry("to", 1);
        });

        rig.engine.setLevel(NexusLevel.MONITORING);
        assertThat(rig.ofType("level.change")).as("no event when unchanged").hasSize(1);
    }

    @Test
    void monitoringSensesButDoesNotDetect() {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> 1000);
        Rig rig = rig(config(NexusLevel.MONITORING).build(), null, s);
        rig.engine.start();
        rig.engine.tick();
        assertThat(s.samples()).isEqualTo(1);
        assertThat(rig.ofType("anomaly")).isEmpty();
        rig.engine.setLevel(NexusLevel.DETECTION);
        rig.engine.tick();
        assertThat(rig.ofType("anomaly")).singleElement().satisfies(e -> {
            assertThat(e.category()).isEqualTo(EventCategory.DETECTION);
            assertThat(e.component()).isEqualTo(s.key().toString());
        });
        assertThat(rig.engine.status().anomalies()).isEqualTo(1);
    }

    @Test
    void aSeriesThatStaysAnomalousWritesOneEventPerEpisode() {
        // samples 1-3 and 7-9 are above the threshold: two episodes of three anomalous samples each
        ScriptedSensor s = new ScriptedSensor("cpu", n -> (n - 1) % 6 < 3 ? 1000 : 0);
        Rig rig = rig(config(NexusLevel.DETECTION).build(), null, s);
        rig.engine.start();
        for (int i = 0; i < 12; i++) {
            rig.engine.tick();
        }
        assertThat(rig.engine.status().anomalies()).as("every anomalous sample is counted").isEqualTo(6);
        assertThat(rig.ofType("anomaly")).hasSize(2);
        assertThat(rig.ofType("anomaly").get(0).evidence()).doesNotContainKey("previousEpisodeSamples");
        assertThat(rig.ofType("anomaly").get(1).evidence()).containsEntry("previousEpisodeSamples", 3L);
    }

    @Test
    void messagesForDomainsThatDoNotRunDoNotPileUpOnTheBus() {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> 1000);
        Rig rig = rig(config(NexusLevel.MONITORING).maxBusQueue(8).build(), null, s);
        rig.engine.start();
        for (int i = 0; i < 50; i++) {
            rig.engine.tick();
        }
        assertThat(rig.engine.bus().stats().queued()).isZero();
        assertThat(rig.engine.bus().stats().dropped()).isZero();
        assertThat(rig.ofType("bus.drop")).isEmpty();

        // raised to Detection, Understand sees this tick's observation only, not 50 stale ones
        rig.engine.setLevel(NexusLevel.DETECTION);
        rig.engine.tick();
        assertThat(rig.ofType("anomaly")).hasSize(1);
    }

    @Test
    void aDisabledDomainGetsNoMessages() {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> 1000);
        Rig rig = rig(config(NexusLevel.DETECTION).enableUnderstand(false).maxBusQueue(4).build(), null, s);
        rig.engine.start();
        for (int i = 0; i < 20; i++) {
            rig.engine.tick();
        }
        assertThat(s.samples()).isEqualTo(20);
        assertThat(rig.ofType("anomaly")).isEmpty();
        assertThat(rig.engine.bus().stats().queued()).isZero();
        assertThat(rig.ofType("bus.drop")).isEmpty();
    }

    @Test
    void anIllegalSendFromAHandlerIsAProblemOfThatDomain() {
        Rig rig = rig(config(NexusLevel.MONITORING).build(), new DomainHandler() {
            @Override public Domain domain() { return Domain.MEMORY; }
            @Override public void onTick(TickContext ctx) { ctx.send(Domain.SENSE, dev.helix.nexus.core.bus.Priority.LOW, "x"); }
        }, null);
        rig.engine.start();
        rig.engine.tick();
        assertThat(rig.engine.state()).isEqualTo(NexusState.DEGRADED);
        assertThat(rig.ofType("component.problem")).singleElement().satisfies(e -> {
            assertThat(e.component()).isEqualTo("domain:memory");
            assertThat(e.reason()).contains("RoutingException", "MEMORY may not send to SENSE");
        });
        assertThat(rig.engine.bus().stats().rejected()).isEqualTo(1);
    }

    @Test
    void belowCorrectionTheEngineProposesButNeverExecutes() throws InterruptedException {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> 1000);
        Rig[] holder = new Rig[1];
        Rig rig = rig(config(NexusLevel.PREDICTION).build(),
                (f, c) -> onePerAnomaly(holder[0], NexusLevel.CORRECTION).decide(f, c), s);
        holder[0] = rig;
        rig.engine.start();
        rig.engine.runLoop(10);
        assertThat(rig.proposed).hasSize(10).allSatisfy(a -> assertThat(a.executions()).isZero());
        assertThat(rig.ofType("action.refused")).hasSize(10);
    }

    @Test
    void atCorrectionAnEngineActionWaitsForTheWindowThenRuns() {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> n == 1 ? 1000 : 0);
        Rig[] holder = new Rig[1];
        Rig rig = rig(config(NexusLevel.CORRECTION).build(),
                (f, c) -> onePerAnomaly(holder[0], NexusLevel.CORRECTION).decide(f, c), s);
        holder[0] = rig;
        rig.engine.start();
        rig.engine.tick();
        assertThat(rig.proposed).singleElement().satisfies(a -> assertThat(a.executions()).isZero());
        assertThat(rig.engine.gate().pending()).hasSize(1);

        for (int i = 0; i < 3; i++) { // 3 × 250 ms < 1 s window
            rig.clock.advance(TICK);
            rig.engine.tick();
        }
        assertThat(rig.proposed.get(0).executions()).isZero();
        rig.clock.advance(TICK);
        rig.engine.tick();
        assertThat(rig.proposed.get(0).executions()).isEqualTo(1);
        assertThat(rig.engine.memory().recent()).anySatisfy(o -> assertThat(o).isInstanceOf(ActionResult.class));
    }

    @Test
    void aHealingActionMovesTheEngineToHealingAndBack() {
        ScriptedSensor s = new ScriptedSensor("mem", n -> n == 2 ? 1000 : 0);
        Rig[] holder = new Rig[1];
        Rig rig = rig(config(NexusLevel.AUTONOMOUS).build(),
                (f, c) -> onePerAnomaly(holder[0], NexusLevel.HEALING).decide(f, c), s);
        holder[0] = rig;
        rig.engine.start();
        rig.engine.tick();
        rig.engine.tick();

        assertThat(rig.proposed).singleElement().satisfies(a -> assertThat(a.executions()).isEqualTo(1));
        assertThat(rig.statesSeenByActions).containsExactly(NexusState.HEALING);
        assertThat(rig.engine.state()).isEqualTo(NexusState.RUNNING);
        assertThat(rig.transitions).extracting(StateTransition::from, StateTransition::to).endsWith(
                org.assertj.core.groups.Tuple.tuple(NexusState.RUNNING, NexusState.HEALING),
                org.assertj.core.groups.Tuple.tuple(NexusState.HEALING, NexusState.RUNNING));
        assertThat(rig.types()).containsSubsequence("decision", "action.started", "state.transition",
                "state.transition", "action.completed");
    }

    @Test
    void aHealingActionFromDegradedReturnsToDegraded() {
        ScriptedSensor flaky = new ScriptedSensor("flaky", n -> 0).failingOn(1);
        ScriptedSensor mem = new ScriptedSensor("mem", n -> n == 2 ? 1000 : 0);
        Rig[] holder = new Rig[1];
        Rig rig = rig(config(NexusLevel.AUTONOMOUS).build(),
                (f, c) -> onePerAnomaly(holder[0], NexusLevel.HEALING).decide(f, c), flaky, mem);
        holder[0] = rig;
        rig.engine.start();
        rig.engine.tick();
        assertThat(rig.engine.state()).isEqualTo(NexusState.DEGRADED);
        rig.engine.tick();
        assertThat(rig.statesSeenByActions).containsExactly(NexusState.HEALING);
        assertThat(rig.engine.state()).isEqualTo(NexusState.DEGRADED);
    }

    @Test
    void correctionActionsDoNotEnterHealing() {
        ScriptedSensor s = new ScriptedSensor("mem", n -> 1000);
        Rig[] holder = new Rig[1];
        Rig rig = rig(config(NexusLevel.AUTONOMOUS).build(),
                (f, c) -> onePerAnomaly(holder[0], NexusLevel.CORRECTION).decide(f, c), s);
        holder[0] = rig;
        rig.engine.start();
        rig.engine.tick();
        assertThat(rig.statesSeenByActions).containsExactly(NexusState.RUNNING);
        assertThat(rig.transitions).extracting(StateTransition::to).doesNotContain(NexusState.HEALING);
    }

    @Test
    void closeRevertsAppliedActionsClosesSensorsAndEndsStopped() {
        ScriptedSensor s = new ScriptedSensor("mem", n -> 1000);
        Rig[] holder = new Rig[1];
        Rig rig = rig(config(NexusLevel.AUTONOMOUS).build(),
                (f, c) -> onePerAnomaly(holder[0], NexusLevel.CORRECTION).decide(f, c), s);
        holder[0] = rig;
        rig.engine.start();
        rig.engine.tick();
        rig.engine.tick();
        assertThat(rig.engine.gate().applied()).hasSize(2);

        rig.engine.close();

        assertThat(rig.engine.state()).isEqualTo(NexusState.STOPPED);
        assertThat(rig.proposed).allSatisfy(a -> assertThat(a.reverts()).isEqualTo(1));
        assertThat(rig.engine.gate().applied()).isEmpty();
        assertThat(s.closed()).isTrue();
        assertThat(rig.types()).containsSubsequence("action.reverted", "action.reverted", "state.transition", "engine.stop");
        assertThat(rig.ofType("action.reverted")).extracting(NexusEvent::component)
                .containsExactly(rig.proposed.get(1).target().toString(), rig.proposed.get(0).target().toString());
        assertThat(rig.transitions).extracting(StateTransition::to)
                .endsWith(NexusState.SHUTTING_DOWN, NexusState.STOPPED);
        assertThat(rig.ofType("engine.stop")).singleElement()
                .satisfies(e -> assertThat(e.evidence()).containsEntry("ticks", 2L));

        int before = rig.events.snapshot().size();
        rig.engine.close();
        assertThat(rig.events.snapshot()).as("close is idempotent").hasSize(before);
        assertThat(rig.engine.tick()).isFalse();
    }

    @Test
    void closeBeforeStartEndsStopped() {
        Rig rig = rig(config(NexusLevel.MONITORING).build(), null);
        rig.engine.close();
        assertThat(rig.engine.state()).isEqualTo(NexusState.STOPPED);
        assertThat(rig.transitions).extracting(StateTransition::to)
                .containsExactly(NexusState.INITIALIZING, NexusState.SHUTTING_DOWN, NexusState.STOPPED);
    }

    @Test
    void closeFromPausedEndsStopped() {
        Rig rig = rig(config(NexusLevel.MONITORING).build(), null);
        rig.engine.start();
        rig.engine.pause();
        rig.engine.close();
        assertThat(rig.engine.state()).isEqualTo(NexusState.STOPPED);
    }

    @Test
    void statusReportsTheEngine() {
        ScriptedSensor s = new ScriptedSensor("cpu", n -> 5);
        Rig rig = rig(config(NexusLevel.MONITORING).build(), null, s);
        rig.engine.start();
        rig.engine.tick();
        EngineStatus st = rig.engine.status();
        assertThat(st.state()).isEqualTo(NexusState.RUNNING);
        assertThat(st.level()).isEqualTo(NexusLevel.MONITORING);
        assertThat(st.startedMillis()).isEqualTo(START_WALL);
        assertThat(st.ticks().ticks()).isEqualTo(1);
        assertThat(st.series()).isEqualTo(1);
        assertThat(st.sensors()).containsKey("cpu");
        assertThat(st.bus().capacity()).isEqualTo(NexusConfig.DEFAULT_MAX_BUS_QUEUE);
        assertThat(st.pid()).isEqualTo(ProcessHandle.current().pid());
    }
}
