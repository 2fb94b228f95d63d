package dev.helix.nexus.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.testkit.RecordingAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActionGateTest {

    private static final Duration WINDOW = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock();
    private final RecentEvents events = new RecentEvents(1000);
    private final List<Boolean> healingHook = new ArrayList<>();

    private ActionGate gate(NexusLevel level) {
        return gate(NexusConfig.builder().level(level).confirmationWindow(WINDOW).build());
    }

    private ActionGate gate(NexusConfig config) {
        return new ActionGate(config, clock, events, healingHook::add);
    }

    private List<String> eventTypes() {
        return events.snapshot().stream().map(NexusEvent::type).toList();
    }

    private void assertEveryEventIsAnActionEventAbout(RecordingAction a) {
        assertThat(events.snapshot()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.category()).isEqualTo(EventCategory.ACTION);
            assertThat(e.component()).isEqualTo(a.target().toString());
            assertThat(e.evidence()).containsEntry("action", a.name());
        });
    }

    @ParameterizedTest
    @EnumSource(value = NexusLevel.class, names = {"DISABLED", "MONITORING", "DETECTION", "PREDICTION"})
    void belowCorrectionAnActionIsRefusedAndNeverExecuted(NexusLevel level) {
        ActionGate gate = gate(level);
        RecordingAction a = new RecordingAction("limit", NexusLevel.CORRECTION);

        ActionResult r = gate.submit(a);
        clock.advance(WINDOW.multipliedBy(2));
        gate.poll();

        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(r.detail()).contains("level " + level.name().toLowerCase()).contains("below correction");
        assertThat(a.executions()).isZero();
        assertThat(gate.pending()).isEmpty();
        assertThat(gate.applied()).isEmpty();
        assertThat(eventTypes()).containsExactly("action.refused");
        assertEveryEventIsAnActionEventAbout(a);
    }

    @Test
    void anActionClaimingALowerLevelThanCorrectionStillNeedsCorrection() {
        ActionGate gate = gate(NexusLevel.PREDICTION);
        RecordingAction a = new RecordingAction("sneaky", NexusLevel.MONITORING);
        assertThat(gate.submit(a).detail()).contains("below correction");
        assertThat(a.executions()).isZero();
    }

    @Test
    void healingActionIsRefusedAtCorrection() {
        ActionGate gate = gate(NexusLevel.CORRECTION);
        RecordingAction a = new RecordingAction("restart", NexusLevel.HEALING);

        ActionResult r = gate.submit(a);
        clock.advance(WINDOW.multipliedBy(2));
        gate.poll();

        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(r.detail()).contains("below healing");
        assertThat(a.executions()).isZero();
        assertThat(eventTypes()).containsExactly("action.refused");
        assertThat(healingHook).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = NexusLevel.class, names = {"CORRECTION", "HEALING"})
    void belowAutonomousAnActionWaitsForTheConfirmationWindow(NexusLevel level) {
        ActionGate gate = gate(level);
        RecordingAction a = new RecordingAction("limit", NexusLevel.CORRECTION);

        ActionResult r = gate.submit(a);
        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(r.detail()).startsWith("pending confirmation #");
        assertThat(gate.pending()).singleElement().satisfies(p -> {
            assertThat(p.action()).isSameAs(a);
            assertThat(p.deadlineMillis()).isEqualTo(clock.wallMillis() + WINDOW.toMillis());
        });

        gate.poll();
        assertThat(a.executions()).isZero();
        clock.advance(WINDOW.minusMillis(1));
        gate.poll();
        assertThat(a.executions()).isZero();

        clock.advance(Duration.ofMillis(1));
        assertThat(a.executions()).as("the window passing alone runs nothing; poll does").isZero();
        gate.poll();
        assertThat(a.executions()).isEqualTo(1);
        assertThat(gate.pending()).isEmpty();
        assertThat(gate.applied()).containsExactly(a);

        gate.poll();
        assertThat(a.executions()).as("runs once").isEqualTo(1);
        assertThat(eventTypes()).containsExactly("action.proposed", "action.started", "action.completed");
        assertThat(events.snapshot().get(0).evidence())
                .containsEntry("pendingId", 1L)
                .containsEntry("windowMillis", WINDOW.toMillis());
        assertEveryEventIsAnActionEventAbout(a);
    }

    @Test
    void vetoCancelsAPendingAction() {
        ActionGate gate = gate(NexusLevel.HEALING);
        RecordingAction a = new RecordingAction("limit", NexusLevel.CORRECTION);
        gate.submit(a);
        long id = gate.pending().get(0).id();

        assertThat(gate.veto(id)).isTrue();
        assertThat(gate.pending()).isEmpty();
        clock.advance(WINDOW.multipliedBy(2));
        gate.poll();

        assertThat(a.executions()).isZero();
        assertThat(gate.veto(id)).as("already vetoed").isFalse();
        assertThat(gate.approve(id)).as("cannot approve a vetoed action").isFalse();
        assertThat(a.executions()).isZero();
        assertThat(eventTypes()).containsExactly("action.proposed", "action.vetoed");
        assertThat(events.snapshot().get(1).evidence()).containsEntry("pendingId", id);
        assertEveryEventIsAnActionEventAbout(a);
    }

    @Test
    void approveRunsAPendingActionAtOnce() {
        ActionGate gate = gate(NexusLevel.CORRECTION);
        RecordingAction a = new RecordingAction("limit", NexusLevel.CORRECTION);
        gate.submit(a);
        long id = gate.pending().get(0).id();

        assertThat(gate.approve(id)).isTrue();
        assertThat(a.executions()).isEqualTo(1);
        assertThat(gate.pending()).isEmpty();

        clock.advance(WINDOW.multipliedBy(2));
        gate.poll();
        assertThat(a.executions()).as("not run again when the window ends").isEqualTo(1);
        assertThat(gate.approve(id)).isFalse();
        assertThat(eventTypes()).containsExactly("action.proposed", "action.started", "action.completed");
    }

    @Test
    void unknownPendingIdsAreNeitherApprovedNorVetoed() {
        ActionGate gate = gate(NexusLevel.CORRECTION);
        assertThat(gate.approve(42)).isFalse();
        assertThat(gate.veto(42)).isFalse();
        assertThat(events.snapshot()).isEmpty();
    }

    @Test
    void pendingActionsGetDistinctIdsAndRunIndependently() {
        ActionGate gate = gate(NexusLevel.CORRECTION);
        RecordingAction first = new RecordingAction("first", NexusLevel.CORRECTION);
        RecordingAction second = new RecordingAction("second", NexusLevel.CORRECTION);
        gate.submit(first);
        clock.advance(Duration.ofSeconds(10));
        gate.submit(second);
        assertThat(gate.pending()).extracting(ActionGate.Pending::id).doesNotHaveDuplicates().hasSize(2);

        clock.advance(Duration.ofSeconds(20));
        gate.poll();
        assertThat(first.executions()).isEqualTo(1);
        assertThat(second.executions()).isZero();
        clock.advance(Duration.ofSeconds(10));
        gate.poll();
        assertThat(second.executions()).isEqualTo(1);
    }

    @Test
    void autonomousRunsAtOnce() {
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        RecordingAction a = new RecordingAction("restart", NexusLevel.HEALING);

        ActionResult r = gate.submit(a);

        assertThat(r.succeeded()).isTrue();
        assertThat(a.executions()).isEqualTo(1);
        assertThat(gate.pending()).isEmpty();
        assertThat(eventTypes()).containsExactly("action.started", "action.completed");
        assertEveryEventIsAnActionEventAbout(a);
    }

    @Test
    void aZeroConfirmationWindowRunsAtOnceBelowAutonomous() {
        ActionGate gate = gate(NexusConfig.builder().level(NexusLevel.CORRECTION).confirmationWindow(Duration.ZERO).build());
        RecordingAction a = new RecordingAction("limit", NexusLevel.CORRECTION);
        assertThat(gate.submit(a).succeeded()).isTrue();
        assertThat(a.executions()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = NexusLevel.class, names = {"CORRECTION", "HEALING", "AUTONOMOUS"})
    void dryRunNeverExecutes(NexusLevel level) {
        ActionGate gate = gate(NexusConfig.builder().level(level).confirmationWindow(WINDOW).dryRun(true).build());
        RecordingAction a = new RecordingAction("limit", NexusLevel.CORRECTION);

        ActionResult r = gate.submit(a);
        clock.advance(WINDOW.multipliedBy(2));
        gate.poll();

        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(r.detail()).isEqualTo("dry-run: " + a.describe());
        assertThat(a.executions()).isZero();
        assertThat(gate.pending()).isEmpty();
        assertThat(gate.applied()).isEmpty();
        assertThat(eventTypes()).containsExactly("action.dry-run");
        assertThat(events.snapshot().get(0).reason()).contains(a.describe());
        assertEveryEventIsAnActionEventAbout(a);
    }

    @Test
    void actionBudgetLimitsActionsPerMinute() {
        ActionGate gate = gate(NexusConfig.builder().level(NexusLevel.AUTONOMOUS).actionBudgetPerMinute(3).build());
        List<RecordingAction> actions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingAction a = new RecordingAction("a" + i, NexusLevel.CORRECTION);
            actions.add(a);
            ActionResult r = gate.submit(a);
            if (i < 3) {
                assertThat(r.succeeded()).isTrue();
            } else {
                assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
                assertThat(r.detail()).contains("action budget of 3 per minute is spent");
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(actions).extracting(RecordingAction::executions).containsExactly(1, 1, 1, 0, 0);

        // the first start was at t=0; at t=60s it has left the one-minute window
        clock.advance(Duration.ofSeconds(55));
        RecordingAction later = new RecordingAction("later", NexusLevel.CORRECTION);
        assertThat(gate.submit(later).succeeded()).isTrue();
        RecordingAction tooSoon = new RecordingAction("too-soon", NexusLevel.CORRECTION);
        assertThat(gate.submit(tooSoon).succeeded()).isFalse();
        assertThat(tooSoon.executions()).isZero();
        assertThat(eventTypes()).filteredOn("action.refused"::equals).hasSize(3);
    }

    @Test
    void budgetAlsoAppliesWhenPendingActionsComeDue() {
        ActionGate gate = gate(NexusConfig.builder().level(NexusLevel.CORRECTION).confirmationWindow(WINDOW)
                .actionBudgetPerMinute(1).build());
        RecordingAction a = new RecordingAction("a", NexusLevel.CORRECTION);
        RecordingAction b = new RecordingAction("b", NexusLevel.CORRECTION);
        gate.submit(a);
        gate.submit(b);
        clock.advance(WINDOW);
        gate.poll();
        assertThat(a.executions() + b.executions()).isEqualTo(1);
        assertThat(eventTypes()).containsExactly("action.proposed", "action.proposed", "action.started",
                "action.completed", "action.refused");
    }

    @Test
    void safetyCheckRefusalPreventsExecution() {
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        gate.addCheck(a -> a.name().equals("kill-init") ? Optional.of("never PID 1") : Optional.empty());
        RecordingAction bad = new RecordingAction("kill-init", NexusLevel.CORRECTION);
        RecordingAction fine = new RecordingAction("limit", NexusLevel.CORRECTION);

        ActionResult r = gate.submit(bad);
        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(r.detail()).isEqualTo("safety: never PID 1");
        assertThat(bad.executions()).isZero();
        assertThat(gate.submit(fine).succeeded()).isTrue();
        assertThat(eventTypes()).containsExactly("action.refused", "action.started", "action.completed");
        assertThat(events.snapshot().get(0).reason()).isEqualTo("safety: never PID 1");
    }

    @Test
    void safetyRefusalComesBeforeTheConfirmationWindow() {
        ActionGate gate = gate(NexusLevel.CORRECTION);
        gate.addCheck(a -> Optional.of("protected"));
        RecordingAction a = new RecordingAction("limit", NexusLevel.CORRECTION);
        gate.submit(a);
        assertThat(gate.pending()).isEmpty();
        clock.advance(WINDOW);
        gate.poll();
        assertThat(a.executions()).isZero();
    }

    @Test
    void safetyChecksAreSkippedWhenSafetyIsDisabled() {
        ActionGate gate = gate(NexusConfig.builder().level(NexusLevel.AUTONOMOUS).enableSafety(false).build());
        gate.addCheck(a -> Optional.of("would refuse"));
        RecordingAction a = new RecordingAction("limit", NexusLevel.CORRECTION);
        assertThat(gate.submit(a).succeeded()).isTrue();
        assertThat(a.executions()).isEqualTo(1);
    }

    @Test
    void revertAllRevertsAppliedActionsInReverseOrder() {
        List<String> journal = new ArrayList<>();
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        RecordingAction a = new RecordingAction("a", NexusLevel.CORRECTION, journal);
        RecordingAction b = new RecordingAction("b", NexusLevel.HEALING, journal);
        RecordingAction failing = new RecordingAction("failing", NexusLevel.CORRECTION, journal)
                .returning(() -> ActionResult.failed("no effect"));
        RecordingAction c = new RecordingAction("c", NexusLevel.CORRECTION, journal);
        for (RecordingAction x : List.of(a, b, failing, c)) {
            gate.submit(x);
        }
        assertThat(gate.applied()).containsExactly(c, b, a);

        List<ActionResult> reverted = gate.revertAll();

        assertThat(journal).containsExactly("execute:a", "execute:b", "execute:failing", "execute:c",
                "revert:c", "revert:b", "revert:a");
        assertThat(reverted).hasSize(3).allMatch(ActionResult::succeeded);
        assertThat(failing.reverts()).isZero();
        assertThat(gate.applied()).isEmpty();
        assertThat(gate.revertAll()).as("nothing left to revert").isEmpty();
        assertThat(events.snapshot()).filteredOn(e -> e.type().equals("action.reverted"))
                .extracting(NexusEvent::component)
                .containsExactly(c.target().toString(), b.target().toString(), a.target().toString());
        assertThat(events.snapshot()).allMatch(e -> e.category() == EventCategory.ACTION);
    }

    @Test
    void revertAllGoesOnAfterARevertFails() {
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        RecordingAction a = new RecordingAction("a", NexusLevel.CORRECTION);
        RecordingAction broken = new RecordingAction("broken", NexusLevel.CORRECTION) {
            @Override
            public ActionResult revert() {
                super.revert();
                throw new IllegalStateException("cannot undo");
            }
        };
        gate.submit(a);
        gate.submit(broken);

        List<ActionResult> results = gate.revertAll();

        assertThat(results).extracting(ActionResult::outcome)
                .containsExactly(ActionResult.Outcome.FAILED, ActionResult.Outcome.SUCCEEDED);
        assertThat(a.reverts()).isEqualTo(1);
        assertThat(eventTypes()).contains("action.revert-failed", "action.reverted");
    }

    @Test
    void revertAllKeepsRepairsAndLogsThemAsKept() {
        List<String> journal = new ArrayList<>();
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        RecordingAction limit = new RecordingAction("limit", NexusLevel.CORRECTION, journal);
        RecordingAction repair = new RecordingAction("rollback", NexusLevel.HEALING, journal) {
            @Override
            public boolean revertOnStop() {
                return false;
            }
        };
        RecordingAction freeze = new RecordingAction("freeze", NexusLevel.CORRECTION, journal);
        gate.submit(limit);
        gate.submit(repair);
        gate.submit(freeze);
        assertThat(limit.revertOnStop()).as("restrictive changes are undone by default").isTrue();

        List<ActionResult> reverted = gate.revertAll();

        assertThat(journal).containsExactly("execute:limit", "execute:rollback", "execute:freeze",
                "revert:freeze", "revert:limit");
        assertThat(repair.reverts()).as("a repair is kept when NEXUS stops").isZero();
        assertThat(reverted).as("only attempted reverts are reported").hasSize(2).allMatch(ActionResult::succeeded);
        assertThat(gate.applied()).as("the kept repair is forgotten").isEmpty();
        assertThat(events.snapshot()).filteredOn(e -> e.type().equals("action.kept")).singleElement()
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo(EventCategory.ACTION);
                    assertThat(e.component()).isEqualTo(repair.target().toString());
                    assertThat(e.evidence()).containsEntry("action", "rollback");
                });
        assertThat(eventTypes()).containsSubsequence("action.reverted", "action.kept", "action.reverted");
        assertThat(gate.revertAll()).isEmpty();
        assertThat(repair.reverts()).isZero();
    }

    @Test
    void anActionThatThrowsIsLoggedAsFailedAndNotApplied() {
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        RecordingAction a = new RecordingAction("boom", NexusLevel.CORRECTION).returning(() -> {
            throw new IllegalStateException("kaput");
        });
        ActionResult r = gate.submit(a);
        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.FAILED);
        assertThat(r.detail()).contains("IllegalStateException").contains("kaput");
        assertThat(gate.applied()).isEmpty();
        assertThat(eventTypes()).containsExactly("action.started", "action.failed");
    }

    @Test
    void anActionThatReturnsNoResultIsAFailure() {
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        RecordingAction a = new RecordingAction("null", NexusLevel.CORRECTION).returning(() -> null);
        assertThat(gate.submit(a).outcome()).isEqualTo(ActionResult.Outcome.FAILED);
        assertThat(gate.applied()).isEmpty();
    }

    @Test
    void healingHookSurroundsOnlyHealingActions() {
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        List<Boolean> seenDuring = new ArrayList<>();
        RecordingAction heal = new RecordingAction("restart", NexusLevel.HEALING)
                .during(() -> seenDuring.addAll(healingHook));
        gate.submit(new RecordingAction("limit", NexusLevel.CORRECTION));
        assertThat(healingHook).isEmpty();

        gate.submit(heal);

        assertThat(seenDuring).containsExactly(true);
        assertThat(healingHook).containsExactly(true, false);
    }

    @Test
    void healingHookIsToldTheEndEvenWhenTheActionThrows() {
        ActionGate gate = gate(NexusLevel.AUTONOMOUS);
        gate.submit(new RecordingAction("restart", NexusLevel.HEALING).returning(() -> {
            throw new IllegalStateException("kaput");
        }));
        assertThat(healingHook).containsExactly(true, false);
    }

    @Test
    void aPendingActionIsRefusedWhenTheLevelDropsBelowItsNeedBeforeTheWindowEnds() {
        ActionGate gate = gate(NexusLevel.HEALING);
        RecordingAction limit = new RecordingAction("limit", NexusLevel.CORRECTION);
        RecordingAction restart = new RecordingAction("restart", NexusLevel.HEALING);
        gate.submit(limit);
        gate.submit(restart);

        gate.level(NexusLevel.CORRECTION);
        clock.advance(WINDOW);
        gate.poll();
        assertThat(limit.executions()).isEqualTo(1);
        assertThat(restart.executions()).as("healing action no longer allowed at correction").isZero();

        RecordingAction later = new RecordingAction("later", NexusLevel.CORRECTION);
        gate.submit(later);
        gate.level(NexusLevel.MONITORING);
        assertThat(gate.approve(gate.pending().get(0).id())).isTrue();
        assertThat(later.executions()).as("approving does not bypass the level").isZero();
        assertThat(eventTypes()).filteredOn("action.refused"::equals).hasSize(2);
    }
}
