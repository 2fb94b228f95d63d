package dev.helix.nexus.heal;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.heal.action.CgroupActions;
import dev.helix.nexus.heal.action.ProcessSampler;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.cgroup.FreezeState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Real enforcement on this machine's cgroup v1 hierarchies, as root. Skips where cgroups are not writable. */
class RealCgroupV1Test {

    private CgroupDriver driver;
    private Children children;
    private SafetyGate gate;
    private CgroupActions actions;
    private final EngineClock clock = EngineClock.system();

    @BeforeEach
    void setUp() {
        driver = Children.requireWritableV1();
        children = new Children(driver);
        gate = SafetyGate.builder(clock, new RecentEvents(200)).level(NexusLevel.AUTONOMOUS).cgroups(driver).build();
        actions = new CgroupActions(driver, clock);
    }

    @AfterEach
    void tearDown() {
        // kill first, while every task is still findable in its group (orphans of a fork bomb are not descendants)
        if (children != null) {
            children.close();
        }
        if (gate != null) {
            gate.revertAll();
        }
        if (driver != null) {
            try {
                driver.removeParentIfEmpty();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void leakingChildIsCappedAtTheMemoryLimit() throws Exception {
        String g = children.group("leak");
        Process leaker = children.waiting(Children.LEAKER);
        long limit = 32L << 20;
        assertThat(gate.execute(actions.attach(g, leaker.pid())).outcome()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        ActionResult cap = gate.execute(actions.limitMemory(g, limit));
        assertThat(cap.outcome()).as(cap.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(driver.memoryMax(g)).isEqualTo(limit);

        Children.go(leaker);
        boolean exited = leaker.waitFor(15, TimeUnit.SECONDS);
        long maxUsage = Long.parseLong(Files.readString(
                driver.root().resolve("memory").resolve(CgroupDriver.path(g)).resolve("memory.max_usage_in_bytes"))
                .trim());
        long oomKills = driver.oomKills(g);
        System.out.printf("leak: limit=%d maxUsage=%d exited=%s exit=%s oomKills=%d%n", limit, maxUsage, exited,
                exited ? leaker.exitValue() : "-", oomKills);
        assertThat(maxUsage).isLessThanOrEqualTo(limit);
        if (exited) {
            assertThat(oomKills).as("killed by the cgroup OOM killer").isGreaterThanOrEqualTo(1);
            assertThat(leaker.exitValue()).isEqualTo(137);
        } else {
            assertThat(maxUsage).as("stalled at the limit").isGreaterThan(limit - (4L << 20));
        }
    }

    @Test
    void gradualLeakIsCappedThenFrozenThenOomKilledAtTheCap() throws Exception {
        String g = children.group("slowleak");
        Process leaker = children.waiting(Children.SLOW_LEAKER);
        long limit = 48L << 20;
        assertThat(gate.execute(actions.attach(g, leaker.pid())).succeeded()).isTrue();
        ActionResult cap = gate.execute(actions.limitMemory(g, limit));
        assertThat(cap.outcome()).as(cap.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(driver.memoryMax(g)).as("limit read back").isEqualTo(limit);
        Children.go(leaker);
        long grew = 0;
        for (int i = 0; i < 80 && grew < (8L << 20); i++) {
            Thread.sleep(50);
            grew = driver.memoryCurrent(g);
        }
        assertThat(grew).as("it leaks").isGreaterThan(8L << 20).isLessThan(limit);

        ActionResult frozen = gate.execute(actions.freeze(g));
        assertThat(frozen.outcome()).as(frozen.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(driver.freezeState(g)).isEqualTo(FreezeState.FROZEN);
        char state = ProcessSampler.state(leaker.pid());
        long mem0 = driver.memoryCurrent(g);
        long ticks0 = ProcessSampler.cpuTicks(leaker.pid());
        Thread.sleep(600);
        long mem1 = driver.memoryCurrent(g);
        long ticks1 = ProcessSampler.cpuTicks(leaker.pid());
        assertThat(state).isIn('D', 'S');
        // frozen tasks cannot allocate, but the kernel may still reclaim their pages under host memory pressure
        assertThat(mem1).as("no growth while frozen").isLessThanOrEqualTo(mem0);
        assertThat(ticks1).as("no CPU while frozen").isEqualTo(ticks0);

        // thaw (revert the freeze only): it leaks on and dies at the cap
        assertThat(gate.revert(gate.applied().get(2)).succeeded()).isTrue();
        boolean exited = leaker.waitFor(20, TimeUnit.SECONDS);
        long maxUsage = Long.parseLong(Files.readString(
                driver.root().resolve("memory").resolve(CgroupDriver.path(g)).resolve("memory.max_usage_in_bytes"))
                .trim());
        System.out.printf("slow leak: limit=%d usage when frozen=%d (unchanged after 600 ms: %d) state=%s; "
                        + "after thaw exited=%s maxUsage=%d oomKills=%d%n", limit, mem0, mem1, state, exited, maxUsage,
                driver.oomKills(g));
        assertThat(maxUsage).isLessThanOrEqualTo(limit);
        assertThat(exited).as("OOM-killed at the cap after thaw").isTrue();
        assertThat(driver.oomKills(g)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void frozenProcessMakesNoProgressAndThawResumesIt() throws Exception {
        String g = children.group("freeze");
        Process hog = children.waiting(Children.HOG);
        assertThat(gate.execute(actions.attach(g, hog.pid())).succeeded()).isTrue();
        Children.go(hog);
        Thread.sleep(300);
        ActionResult frozen = gate.execute(actions.freeze(g));
        assertThat(frozen.outcome()).as(frozen.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(driver.freezeState(g)).isEqualTo(FreezeState.FROZEN);
        char state = ProcessSampler.state(hog.pid());
        long t0 = ProcessSampler.cpuTicks(hog.pid());
        Thread.sleep(700);
        long t1 = ProcessSampler.cpuTicks(hog.pid());
        System.out.printf("freeze: state=%s ticks %d -> %d over 700 ms%n", state, t0, t1);
        assertThat(state).isIn('D', 'S');
        assertThat(t1).as("no CPU progress while frozen").isEqualTo(t0);

        List<ActionResult> reverted = gate.revertAll();
        assertThat(reverted).allMatch(ActionResult::succeeded);
        Thread.sleep(300);
        assertThat(ProcessSampler.cpuTicks(hog.pid())).as("runs again after thaw").isGreaterThan(t1);
        assertThat(driver.exists(g)).isFalse();
    }

    @Test
    void cpuHogIsThrottledAndItsMeasuredShareDrops() throws Exception {
        String g = children.group("cpu");
        Process hog = children.waiting(Children.HOG);
        assertThat(gate.execute(actions.attach(g, hog.pid())).succeeded()).isTrue();
        Children.go(hog);
        Thread.sleep(200);
        double before = ProcessSampler.cpuShare(hog.pid(), Duration.ofMillis(1000), clock).orElseThrow();
        ActionResult limit = gate.execute(actions.limitCpu(g, CpuMax.ofCpus(0.1)));
        assertThat(limit.outcome()).as(limit.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(driver.cpuMax(g)).isEqualTo(new CpuMax(10_000, 100_000));
        Thread.sleep(200);
        double after = ProcessSampler.cpuShare(hog.pid(), Duration.ofMillis(1500), clock).orElseThrow();
        System.out.printf("cpu: share before=%.3f after=%.3f (limit 0.10)%n", before, after);
        assertThat(before).as("the hog really runs").isGreaterThan(0.2);
        assertThat(after).as("throttled to about 0.1 CPU").isLessThan(0.16).isLessThan(before * 0.6);
    }

    @Test
    void forkBombLiteStopsAtPidsMax() throws Exception {
        String g = children.group("fork");
        Process forker = children.waiting(Children.FORKER);
        assertThat(gate.execute(actions.attach(g, forker.pid())).succeeded()).isTrue();
        ActionResult limit = gate.execute(actions.limitPids(g, 8));
        assertThat(limit.outcome()).as(limit.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(driver.pidsMax(g)).isEqualTo(8);
        Children.go(forker);
        Thread.sleep(1000);
        long current = driver.pidsCurrent(g);
        String events = Files.readString(driver.root().resolve("pids").resolve(CgroupDriver.path(g))
                .resolve("pids.events")).trim();
        System.out.printf("fork: pids.current=%d pids.max=8 events=%s (script wanted 41)%n", current, events);
        assertThat(current).isLessThanOrEqualTo(8).isGreaterThanOrEqualTo(2);
        assertThat(events).matches("max [1-9][0-9]*");
    }

    @Test
    void revertAllLeavesNoCgroupBehindAndTheProcessRunsFree() throws Exception {
        String g = children.group("revert");
        Process hog = children.waiting(Children.HOG);
        for (var a : List.of(actions.attach(g, hog.pid()), actions.limitCpu(g, CpuMax.ofCpus(0.05)),
                actions.limitMemory(g, 64L << 20), actions.limitPids(g, 16), actions.freeze(g))) {
            ActionResult r = gate.execute(a);
            assertThat(r.outcome()).as(a.describe() + ": " + r.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        }
        Children.go(hog);
        assertThat(gate.applied()).hasSize(5);
        List<ActionResult> reverted = gate.revertAll();
        assertThat(reverted).hasSize(5).allMatch(ActionResult::succeeded);
        assertThat(gate.applied()).isEmpty();
        assertThat(driver.exists(g)).isFalse();
        assertThat(driver.list()).doesNotContain(g);
        Thread.sleep(300);
        double share = ProcessSampler.cpuShare(hog.pid(), Duration.ofMillis(1000), clock).orElseThrow();
        System.out.printf("revert: group gone, hog share after revert=%.3f%n", share);
        assertThat(share).as("no longer held at 0.05 CPU").isGreaterThan(0.12);
        assertThat(ProcessSampler.state(hog.pid())).isNotEqualTo('D');
    }

    @Test
    void reconcilerRemovesLeftoverGroupsAndFreesTheirTasks() throws Exception {
        String g = children.group("leftover");
        Process sleeper = children.waiting(Children.HOG);
        driver.create(g);
        driver.movePid(g, sleeper.pid());
        driver.setFrozen(g, true);
        RecentEvents log = new RecentEvents(50);
        CgroupReconciler.Report report = new CgroupReconciler(driver, log, clock).reconcile();
        assertThat(report.removed()).contains(g);
        assertThat(driver.exists(g)).isFalse();
        Children.go(sleeper);
        Thread.sleep(300);
        assertThat(ProcessSampler.cpuTicks(sleeper.pid())).as("thawed and running").isPositive();
        assertThat(log.snapshot()).anyMatch(e -> e.type().equals("cgroup.reconciled"));
    }
}
