package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.SafetyGate;
import dev.helix.nexus.heal.action.CgroupActions;
import dev.helix.nexus.heal.action.ProcessSampler;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.Cgroups;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.cgroup.FreezeState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The whole ladder on a real CPU hog in a real cgroup v1 group; the manager runs on a manual clock. */
class RealProcessQuarantineTest {

    private final List<Process> processes = new ArrayList<>();
    private CgroupDriver driver;
    private SafetyGate gate;
    private QuarantineManager manager;
    private final String group = "t-ladder-" + ProcessHandle.current().pid();

    private long startHog() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "while kill -0 $PPID 2>/dev/null; do :; done")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            processes.add(p);
            return p.pid();
        } catch (IOException e) {
            return -1;
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (manager != null) {
            manager.releaseAll();
        }
        if (gate != null) {
            gate.revertAll();
        }
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        if (driver != null && driver.exists(group)) {
            driver.setFrozen(group, false);
            for (long pid : driver.pids(group)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            Thread.sleep(100);
            driver.remove(group);
        }
        if (driver != null) {
            driver.removeParentIfEmpty();
        }
    }

    @Test
    void ladderOnARealProcess() throws Exception {
        Cgroups cg = Cgroups.detect();
        assumeTrue(cg.v1().isPresent() && cg.v1().get().isWritable(),
                "needs writable cgroup v1 (root); skipping real quarantine ladder");
        driver = cg.v1().get();
        ManualClock managerClock = new ManualClock();
        RecentEvents log = new RecentEvents(500);
        gate = SafetyGate.builder(managerClock, log).level(NexusLevel.AUTONOMOUS).cgroups(driver).build();
        CgroupActions actions = new CgroupActions(driver, EngineClock.system());
        long pid = startHog();
        List<Long> replacements = new ArrayList<>();
        QuarantinePlan plan = new ProcessQuarantinePlan(actions, group, pid, CpuMax.ofCpus(0.2), 64L << 20, 16,
                () -> {
                    long p = startHog();
                    replacements.add(p);
                    return p;
                }, () -> false);
        manager = new QuarantineManager(gate, managerClock, log, Duration.ofHours(1), Duration.ofSeconds(10),
                Duration.ofSeconds(60), new RestartPolicy(1, Duration.ofMinutes(5), Duration.ZERO, Duration.ZERO));
        ComponentId id = ComponentId.process(pid);

        assertThat(manager.quarantine(id, "cpu hog", plan).state()).isEqualTo(QuarantineState.RESTRICT);
        assertThat(driver.pids(group)).contains(pid);
        assertThat(driver.cpuMax(group)).isEqualTo(new CpuMax(20_000, 100_000));

        managerClock.advance(Duration.ofSeconds(10));
        manager.tick();
        assertThat(manager.get(id).orElseThrow().state()).isEqualTo(QuarantineState.LIMIT);
        assertThat(driver.memoryMax(group)).isEqualTo(64L << 20);
        assertThat(driver.pidsMax(group)).isEqualTo(16);

        managerClock.advance(Duration.ofSeconds(10));
        manager.tick();
        managerClock.advance(Duration.ofSeconds(10));
        manager.tick();
        assertThat(manager.get(id).orElseThrow().state()).isEqualTo(QuarantineState.ISOLATE);
        assertThat(driver.freezeState(group)).isEqualTo(FreezeState.FROZEN);
        assertThat(ProcessSampler.state(pid)).isEqualTo('D');

        managerClock.advance(Duration.ofSeconds(10));
        manager.tick();
        assertThat(manager.get(id).orElseThrow().state()).isEqualTo(QuarantineState.REPLACE);
        assertThat(replacements).hasSize(1);
        assertThat(processes.get(0).waitFor(3, TimeUnit.SECONDS)).as("original killed").isTrue();
        assertThat(driver.pids(group)).containsExactly(replacements.get(0));
        assertThat(driver.freezeState(group)).isEqualTo(FreezeState.THAWED);

        managerClock.advance(Duration.ofSeconds(10));
        manager.tick();
        assertThat(manager.get(id).orElseThrow().state()).as("intensity 1 exceeded").isEqualTo(QuarantineState.GAVE_UP);

        assertThat(manager.release(id)).isTrue();
        assertThat(driver.exists(group)).as("release removes the group").isFalse();
        assertThat(ProcessSampler.alive(replacements.get(0))).isTrue();
        System.out.printf("ladder: original %d killed, replacement %d running free, events=%d%n", pid,
                replacements.get(0), log.total());
    }
}
