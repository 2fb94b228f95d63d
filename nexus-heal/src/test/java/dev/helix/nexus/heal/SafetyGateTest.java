package dev.helix.nexus.heal;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.internal.ProcFs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class SafetyGateTest {

    private final ManualClock clock = new ManualClock();
    private final RecentEvents log = new RecentEvents(500);
    private final List<String> journal = new ArrayList<>();
    private Process child;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private SafetyGate gate(NexusLevel level) {
        return SafetyGate.builder(clock, log).level(level).build();
    }

    private FakeAction jvm(String name) {
        return new FakeAction(name, ComponentId.jvm("comp-" + name), NexusLevel.CORRECTION, journal);
    }

    private List<String> types() {
        return log.snapshot().stream().map(NexusEvent::type).toList();
    }

    @Test
    void refusesPid1SelfAncestorsAndKernelThreads() {
        SafetyGate gate = gate(NexusLevel.AUTONOMOUS);
        FakeAction init = new FakeAction("kill-init", ComponentId.process(1), NexusLevel.CORRECTION, journal);
        FakeAction self = new FakeAction("kill-self", ComponentId.process(ProcessHandle.current().pid()),
                NexusLevel.CORRECTION, journal);
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        FakeAction anc = new FakeAction("kill-parent", ComponentId.process(parent), NexusLevel.CORRECTION, journal);
        ActionResult r1 = gate.execute(init);
        ActionResult r2 = gate.execute(self);
        ActionResult r3 = gate.execute(anc);
        assertThat(r1.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(r1.detail()).contains("PID 1");
        assertThat(r2.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(r2.detail()).contains("NEXUS process itself");
        assertThat(r3.detail()).contains("protected");
        assertThat(init.executed + self.executed + anc.executed).isZero();
        assertThat(types()).containsOnly("action.refused").hasSize(3);
        if (dev.helix.nexus.heal.internal.ProcFs.stat(2).isPresent()) {
            assertThat(gate.refusal(ComponentId.process(2))).get().asString().contains("kernel thread");
        }
        assertThat(gate.refusal(ComponentId.process(999_999_999))).get().asString().contains("does not exist");
    }

    @Test
    void anExitingProcessIsRefusedAsExitingNotAsAKernelThread() throws Exception {
        // sh forks a short sleep, then execs a long one that never reaps it: the short sleep stays a zombie (no exe
        // link, PF_EXITING set), which the no-exe rule once took for a kernel thread
        child = new ProcessBuilder("sh", "-c", "sleep 0.05 & exec sleep 30").start();
        long zombie = -1;
        for (int i = 0; i < 100 && zombie < 0; i++) {
            Thread.sleep(20);
            zombie = child.toHandle().children().mapToLong(ProcessHandle::pid)
                    .filter(p -> ProcFs.stat(p).map(s -> s.state() == 'Z').orElse(false)).findFirst().orElse(-1);
        }
        assertThat(zombie).as("a zombie child of the long sleep").isPositive();
        assertThat(ProcFs.stat(zombie).orElseThrow().exiting()).isTrue();
        assertThat(ProcFs.hasExe(zombie)).isFalse();
        assertThat(gate(NexusLevel.AUTONOMOUS).refusal(ComponentId.process(zombie))).get().asString()
                .contains("is exiting").doesNotContain("kernel thread");
    }

    @Test
    void allowsAnOrdinaryChildButHonoursTheProtectList() throws Exception {
        child = new ProcessBuilder("sleep", "30").start();
        SafetyGate open = gate(NexusLevel.AUTONOMOUS);
        assertThat(open.refusal(ComponentId.process(child.pid()))).isEmpty();
        SafetyGate byPid = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS)
                .protect(new ProtectList(Set.of(), Set.of(child.pid()), Set.of())).build();
        assertThat(byPid.refusal(ComponentId.process(child.pid()))).isPresent();
        SafetyGate byName = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS)
                .protect(new ProtectList(Set.of("sleep", "db"), Set.of(), Set.of("nexus/keep"))).build();
        assertThat(byName.refusal(ComponentId.process(child.pid()))).get().asString().contains("by name");
        assertThat(byName.refusal(ComponentId.jvm("db"))).isPresent();
        assertThat(byName.refusal(ComponentId.cgroup("nexus/keep"))).isPresent();
        assertThat(byName.refusal(ComponentId.cgroup("nexus/other"))).isEmpty();
        assertThat(byName.refusal(ComponentId.cgroup("system.slice/sshd.service"))).get().asString()
                .contains("not under nexus/");
        assertThat(byName.refusal(ComponentId.cgroup("nexus/../system.slice"))).isPresent();
    }

    @Test
    void levelGating() {
        FakeAction change = jvm("limit");
        FakeAction heal = new FakeAction("restart", ComponentId.jvm("x"), NexusLevel.HEALING, journal);
        for (NexusLevel l : List.of(NexusLevel.DISABLED, NexusLevel.MONITORING, NexusLevel.DETECTION,
                NexusLevel.PREDICTION)) {
            assertThat(gate(l).execute(change).outcome()).as(l.name()).isEqualTo(ActionResult.Outcome.SKIPPED);
        }
        assertThat(change.executed).isZero();
        assertThat(gate(NexusLevel.CORRECTION).execute(change).succeeded()).isTrue();
        ActionResult refusedHeal = gate(NexusLevel.CORRECTION).execute(heal);
        assertThat(refusedHeal.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(refusedHeal.detail()).contains("needs HEALING");
        assertThat(gate(NexusLevel.HEALING).execute(heal).succeeded()).isTrue();
        AtomicReference<NexusLevel> live = new AtomicReference<>(NexusLevel.CORRECTION);
        SafetyGate followsEngine = SafetyGate.builder(clock, log).level(live::get).build();
        assertThat(followsEngine.execute(jvm("a")).succeeded()).isTrue();
        live.set(NexusLevel.MONITORING);
        assertThat(followsEngine.execute(jvm("b")).outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
    }

    @Test
    void dryRunLogsTheExactActionAndChangesNothing() {
        SafetyGate gate = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS).dryRun(true).build();
        FakeAction a = jvm("limit");
        ActionResult r = gate.execute(a);
        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(a.executed).isZero();
        assertThat(gate.applied()).isEmpty();
        NexusEvent e = log.snapshot().get(0);
        assertThat(e.type()).isEqualTo("action.dry_run");
        assertThat(e.category()).isEqualTo(EventCategory.ACTION);
        assertThat(e.reason()).contains(a.describe());
    }

    @Test
    void budgetLimitsActionsPerSlidingMinute() {
        SafetyGate gate = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS).maxActionsPerMinute(3).build();
        for (int i = 0; i < 3; i++) {
            assertThat(gate.execute(jvm("a" + i)).succeeded()).isTrue();
            clock.advance(Duration.ofSeconds(10));
        }
        ActionResult over = gate.execute(jvm("a3"));
        assertThat(over.outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        assertThat(over.detail()).contains("budget");
        clock.advance(Duration.ofSeconds(31)); // the first one is now 61 s old
        assertThat(gate.execute(jvm("a4")).succeeded()).isTrue();
        assertThat(gate.execute(jvm("a5")).outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
    }

    @Test
    void eventsBeforeAndAfterAndFailuresReported() {
        SafetyGate gate = gate(NexusLevel.AUTONOMOUS);
        FakeAction ok = jvm("ok");
        FakeAction bad = jvm("bad");
        bad.outcome = ActionResult.Outcome.FAILED;
        FakeAction boom = jvm("boom");
        boom.throwOnExecute = true;
        assertThat(gate.execute(ok).succeeded()).isTrue();
        assertThat(gate.execute(bad).outcome()).isEqualTo(ActionResult.Outcome.FAILED);
        ActionResult thrown = gate.execute(boom);
        assertThat(thrown.outcome()).isEqualTo(ActionResult.Outcome.FAILED);
        assertThat(thrown.detail()).contains("boom");
        assertThat(types()).containsExactly("action.started", "action.succeeded", "action.started", "action.failed",
                "action.started", "action.failed");
        assertThat(log.snapshot()).allMatch(e -> e.category() == EventCategory.ACTION);
    }

    @Test
    void revertAllUndoesEverythingInReverseOrder() {
        SafetyGate gate = gate(NexusLevel.AUTONOMOUS);
        for (String n : List.of("one", "two", "three")) {
            gate.execute(jvm(n));
        }
        FakeAction two = (FakeAction) gate.applied().get(1);
        assertThat(gate.revert(two).succeeded()).isTrue();
        assertThat(gate.revert(two).outcome()).isEqualTo(ActionResult.Outcome.SKIPPED);
        journal.clear();
        List<ActionResult> results = gate.revertAll();
        assertThat(results).hasSize(2).allMatch(ActionResult::succeeded);
        assertThat(journal).containsExactly("revert three", "revert one");
        assertThat(gate.applied()).isEmpty();
        assertThat(types()).contains("action.reverted");
    }

    @Test
    void revertAllKeepsRepairsButAnExplicitRevertStillUndoesThem() {
        SafetyGate gate = gate(NexusLevel.AUTONOMOUS);
        FakeAction limit = jvm("limit");
        FakeAction restart = jvm("restart");
        restart.keepOnStop = true;
        FakeAction freeze = jvm("freeze");
        for (FakeAction a : List.of(limit, restart, freeze)) {
            gate.execute(a);
        }
        journal.clear();

        List<ActionResult> results = gate.revertAll();

        assertThat(journal).containsExactly("revert freeze", "revert limit");
        assertThat(restart.reverted).isZero();
        assertThat(results).hasSize(2).allMatch(ActionResult::succeeded);
        assertThat(gate.applied()).isEmpty();
        assertThat(log.snapshot()).filteredOn(e -> e.type().equals("action.kept")).singleElement().satisfies(e -> {
            assertThat(e.category()).isEqualTo(EventCategory.ACTION);
            assertThat(e.component()).isEqualTo(restart.target().toString());
            assertThat(e.evidence()).containsEntry("action", "restart");
        });

        FakeAction again = jvm("again");
        again.keepOnStop = true;
        gate.execute(again);
        assertThat(gate.revert(again).succeeded()).as("revertOnStop only affects revertAll").isTrue();
        assertThat(again.reverted).isEqualTo(1);
    }
}
