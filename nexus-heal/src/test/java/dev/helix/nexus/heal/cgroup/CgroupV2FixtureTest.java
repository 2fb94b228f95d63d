package dev.helix.nexus.heal.cgroup;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.heal.SafetyGate;
import dev.helix.nexus.heal.action.CgroupActions;
import dev.helix.nexus.heal.action.ProcessSampler;
import dev.helix.nexus.heal.internal.CgroupV2Driver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The v2 driver against a fixture tree in the exact kernel file formats (a writable v2 with controllers is not
 * available on this machine), plus a real v2 freeze on the unified hierarchy when it is mounted and writable.
 */
class CgroupV2FixtureTest {

    @TempDir
    Path root;

    /** What the kernel creates in a new v2 group with cpu, memory and pids enabled. */
    static void kernelFiles(Path g) throws IOException {
        Map<String, String> files = Map.ofEntries(
                Map.entry("cpu.max", "max 100000\n"),
                Map.entry("memory.max", "max\n"),
                Map.entry("memory.high", "max\n"),
                Map.entry("memory.current", "1310720\n"),
                Map.entry("memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n"),
                Map.entry("pids.max", "max\n"),
                Map.entry("pids.current", "2\n"),
                Map.entry("cgroup.freeze", "0\n"),
                Map.entry("cgroup.events", "populated 1\nfrozen 0\n"),
                Map.entry("cgroup.procs", "4242\n4243\n"));
        for (var e : files.entrySet()) {
            Files.writeString(g.resolve(e.getKey()), e.getValue());
        }
    }

    private CgroupV2Driver fixture() throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(root.resolve("cgroup.procs"), "1\n");
        // the kernel creates cgroup.subtree_control in every new group; the fixture provides it for nexus/
        Files.createDirectories(root.resolve("nexus"));
        Files.writeString(root.resolve("nexus/cgroup.subtree_control"), "\n");
        return new CgroupV2Driver(root);
    }

    @Test
    void readsAndWritesTheV2Formats() throws Exception {
        CgroupV2Driver d = fixture();
        assertThat(d.controllers()).containsExactlyInAnyOrder("cpu", "memory", "pids", "freezer");
        d.create("demo");
        assertThat(Files.readString(root.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
        assertThat(Files.readString(root.resolve("nexus/cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
        Path g = root.resolve("nexus/demo");
        assertThat(g).isDirectory();
        kernelFiles(g);
        assertThat(d.list()).containsExactly("demo");
        assertThat(d.cpuMax("demo")).isEqualTo(CpuMax.UNLIMITED);
        d.setCpuMax("demo", CpuMax.ofCpus(0.25));
        assertThat(Files.readString(g.resolve("cpu.max"))).isEqualTo("25000 100000");
        assertThat(d.cpuMax("demo")).isEqualTo(new CpuMax(25_000, 100_000));
        Files.writeString(g.resolve("cpu.max"), "50000 100000 0\n");
        assertThat(d.cpuMax("demo").cpus()).isEqualTo(0.5);
        assertThat(d.memoryMax("demo")).isEqualTo(-1);
        d.setMemoryMax("demo", 64L << 20);
        assertThat(Files.readString(g.resolve("memory.max"))).isEqualTo("67108864");
        d.setMemoryHigh("demo", -1);
        assertThat(Files.readString(g.resolve("memory.high"))).isEqualTo("max");
        assertThat(d.memoryCurrent("demo")).isEqualTo(1_310_720);
        assertThat(d.oomKills("demo")).isEqualTo(1);
        d.setPidsMax("demo", 8);
        assertThat(d.pidsMax("demo")).isEqualTo(8);
        assertThat(d.pidsCurrent("demo")).isEqualTo(2);
        assertThat(d.pids("demo")).containsExactly(4242L, 4243L);
        d.movePid("demo", 777);
        assertThat(Files.readString(g.resolve("cgroup.procs"))).isEqualTo("777");
        assertThat(d.freezeState("demo")).isEqualTo(FreezeState.THAWED);
        d.setFrozen("demo", true);
        assertThat(d.freezeState("demo")).as("requested, kernel has not confirmed").isEqualTo(FreezeState.FREEZING);
        Files.writeString(g.resolve("cgroup.events"), "populated 1\nfrozen 1\n");
        assertThat(d.freezeState("demo")).isEqualTo(FreezeState.FROZEN);
    }

    @Test
    void freezeActionReportsFailedWhenTheKernelNeverConfirms() throws Exception {
        CgroupV2Driver d = fixture();
        d.create("stuck");
        kernelFiles(root.resolve("nexus/stuck"));
        CgroupActions actions = new CgroupActions(d, new ManualClock(), Duration.ofSeconds(1));
        ActionResult r = actions.freeze("stuck").execute();
        assertThat(r.outcome()).isEqualTo(ActionResult.Outcome.FAILED);
        assertThat(r.detail()).contains("FREEZING");
        ActionResult cpu = actions.limitCpu("stuck", CpuMax.ofCpus(0.5)).execute();
        assertThat(cpu.succeeded()).isTrue();
        assertThat(cpu.evidence()).containsEntry("after", "50000 100000");
    }

    @Test
    void missingControllerIsAClearError() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "hugetlb\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "\n");
        CgroupV2Driver d = new CgroupV2Driver(root);
        d.create("x");
        assertThat(d.controllers()).containsExactly("freezer");
        assertThatThrownBy(() -> d.setMemoryMax("x", 1 << 20)).isInstanceOf(CgroupException.class)
                .hasMessageContaining("memory").hasMessageContaining("not available");
        assertThatThrownBy(() -> d.create("../escape")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void detectionFromMountInfo() throws Exception {
        Path mi = root.resolve("mountinfo");
        Files.writeString(mi, String.join("\n",
                "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
                "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer",
                "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw", ""));
        Cgroups c = Cgroups.fromMountInfo(mi);
        assertThat(c.v1()).get().extracting(CgroupDriver::version).isEqualTo(CgroupVersion.V1);
        assertThat(c.v1().get().controllers()).containsExactlyInAnyOrder("cpu", "memory", "freezer", "pids");
        assertThat(c.v2()).get().extracting(CgroupDriver::root).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
        Path pure = root.resolve("mountinfo2");
        Files.writeString(pure, "30 23 0:26 / " + root + " rw - cgroup2 cgroup2 rw,nsdelegate\n");
        fixture();
        Cgroups v2only = Cgroups.fromMountInfo(pure);
        assertThat(v2only.v1()).isEmpty();
        assertThat(v2only.preferred()).get().extracting(CgroupDriver::version).isEqualTo(CgroupVersion.V2);
        assertThat(Cgroups.fromMountInfo(root.resolve("missing")).preferred()).isEmpty();
    }

    @Test
    void realFreezeOnTheUnifiedHierarchy() throws Exception {
        Cgroups c = Cgroups.detect();
        assumeTrue(c.v2().isPresent() && c.v2().get().isWritable(),
                "no writable cgroup2 mount here; skipping the real v2 freeze");
        CgroupDriver d = c.v2().get();
        String g = "t-v2freeze-" + ProcessHandle.current().pid();
        Process hog = new ProcessBuilder("sh", "-c", "while kill -0 $PPID 2>/dev/null; do :; done")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        SafetyGate gate = SafetyGate.builder(EngineClock.system(), new RecentEvents(50))
                .level(NexusLevel.AUTONOMOUS).cgroups(d).build();
        CgroupActions actions = new CgroupActions(d, EngineClock.system());
        try {
            assertThat(gate.execute(actions.attach(g, hog.pid())).succeeded()).isTrue();
            Thread.sleep(300);
            ActionResult r = gate.execute(actions.freeze(g));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
            assertThat(Files.readString(d.root().resolve(CgroupDriver.path(g)).resolve("cgroup.events")))
                    .contains("frozen 1");
            long t0 = ProcessSampler.cpuTicks(hog.pid());
            assertThat(t0).as("the hog ran before the freeze").isPositive();
            Thread.sleep(500);
            assertThat(ProcessSampler.cpuTicks(hog.pid())).isEqualTo(t0);
            assertThat(gate.revertAll()).allMatch(ActionResult::succeeded);
            assertThat(d.exists(g)).isFalse();
            System.out.printf("v2 freeze: state %s, ticks stayed %d%n", "FROZEN", t0);
        } finally {
            gate.revertAll();
            hog.destroyForcibly();
            hog.waitFor(5, TimeUnit.SECONDS);
            if (d.exists(g)) {
                d.setFrozen(g, false);
                for (long p : d.pids(g)) {
                    ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
                }
                Thread.sleep(100);
                d.remove(g);
            }
            d.removeParentIfEmpty();
        }
        assertThat(List.of(d.list())).isNotNull();
    }
}
