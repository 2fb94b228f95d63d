package dev.helix.nexus.telemetry.cgroup;

import static dev.helix.nexus.telemetry.TestSupport.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupSensorsTest {

    static final long T0 = 1_767_225_600_000L;

    @Test
    void mountinfoOfThisHybridHost() throws Exception {
        CgroupMounts m = CgroupMounts.parse(Files.readString(fixture("proc-t0").resolve("self/mountinfo")));
        assertThat(m.v2()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
        assertThat(m.v1()).containsEntry("memory", Path.of("/sys/fs/cgroup/memory"))
                .containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu")).containsEntry("pids", Path.of("/sys/fs/cgroup/pids"))
                .containsEntry("name=systemd", Path.of("/sys/fs/cgroup/systemd"));
    }

    @Test
    void mountinfoOfPureV2HostAndCombinedV1Controllers() {
        CgroupMounts v2 = CgroupMounts.parse("35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");
        assertThat(v2.v2()).isEqualTo(Path.of("/sys/fs/cgroup"));
        assertThat(v2.v1()).isEmpty();
        CgroupMounts v1 = CgroupMounts.parse("40 31 0:35 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:16 - cgroup cgroup rw,cpu,cpuacct\n"
                + "41 31 0:36 / /mnt/with\\040space rw - cgroup cgroup rw,memory\n");
        assertThat(v1.v1()).containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
                .containsEntry("cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
                .containsEntry("memory", Path.of("/mnt/with space"));
    }

    @Property(tries = 500)
    void mountinfoParserNeverThrows(@ForAll String garbage) {
        CgroupMounts.parse(garbage);
        CgroupMounts.parse("1 2 0:1 / " + garbage + " rw - cgroup cgroup rw," + garbage);
    }

    Map<String, Path> v1(Path root) {
        return Map.of("cpu", root.resolve("cpu"), "cpuacct", root.resolve("cpuacct"), "memory", root.resolve("memory"),
                "pids", root.resolve("pids"), "blkio", root.resolve("blkio"), "freezer", root.resolve("freezer"));
    }

    @Test
    void v1FixtureFromThisMachine() {
        Path root = fixture("cgv1");
        CgroupV1Sensor s = new CgroupV1Sensor(v1(root), 2, 64);
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        String[] app = {"cgroup", "/process_api/app", "hierarchy", "v1"};
        assertThat(sink.get("cgroup_memory_limit_bytes", app)).isEqualTo(536870912);
        assertThat(sink.get("cgroup_memory_usage_fraction", app)).isBetween(0.0, 1.0);
        assertThat(sink.has("cgroup_memory_limit_bytes", "cgroup", "/", "hierarchy", "v1")).isFalse(); // unlimited
        assertThat(sink.get("cgroup_memory_usage_bytes", "cgroup", "/", "hierarchy", "v1")).isPositive();
        assertThat(sink.get("cgroup_memory_under_oom", app)).isEqualTo(0);
        assertThat(sink.get("cgroup_pids_usage_fraction", "cgroup", "/app", "hierarchy", "v1")).isEqualTo(0.17);
        assertThat(sink.get("cgroup_frozen", "cgroup", "/app", "hierarchy", "v1")).isEqualTo(1);
        assertThat(sink.get("cgroup_memory_stat_bytes", "cgroup", "/", "field", "total_rss", "hierarchy", "v1")).isPositive();
    }

    @Test
    void v1CpuRatesAndThrottling(@TempDir Path tmp) throws Exception {
        Path cpu = Files.createDirectories(tmp.resolve("cpu/app"));
        Path acct = Files.createDirectories(tmp.resolve("cpuacct/app"));
        Files.writeString(cpu.resolve("cpu.stat"), "nr_periods 100\nnr_throttled 10\nthrottled_time 1000000000\n");
        Files.writeString(cpu.resolve("cpu.cfs_quota_us"), "50000\n");
        Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000\n");
        Files.writeString(acct.resolve("cpuacct.usage"), "1000000000\n");
        Files.writeString(acct.resolve("cpuacct.stat"), "user 100\nsystem 50\n");
        CgroupV1Sensor s = new CgroupV1Sensor(Map.of("cpu", tmp.resolve("cpu"), "cpuacct", tmp.resolve("cpuacct")), 1, 8);
        Sink sink = new Sink();
        s.sample(sink, T0);
        Files.writeString(cpu.resolve("cpu.stat"), "nr_periods 110\nnr_throttled 15\nthrottled_time 1200000000\n");
        Files.writeString(acct.resolve("cpuacct.usage"), "1400000000\n");
        Files.writeString(acct.resolve("cpuacct.stat"), "user 130\nsystem 60\n");
        s.sample(sink, T0 + 1000);
        String[] app = {"cgroup", "/app", "hierarchy", "v1"};
        assertThat(sink.get("cgroup_cpu_limit_cores", app)).isEqualTo(0.5);
        assertThat(sink.get("cgroup_cpu_usage_cores", app)).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(sink.get("cgroup_cpu_user_cores", app)).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(sink.get("cgroup_cpu_throttled_periods_fraction", app)).isEqualTo(0.5);
        assertThat(sink.get("cgroup_cpu_throttled_seconds_per_second", app)).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void v2FixtureInRealFormat(@TempDir Path tmp) throws Exception {
        Path root = copy(fixture("cgv2"), tmp.resolve("cg"));
        CgroupV2Sensor s = new CgroupV2Sensor(root, 3, 64);
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        String[] svc = {"cgroup", "/system.slice/demo.service", "hierarchy", "v2"};
        assertThat(sink.get("cgroup_memory_usage_bytes", svc)).isEqualTo(268435456);
        assertThat(sink.get("cgroup_memory_limit_bytes", svc)).isEqualTo(536870912);
        assertThat(sink.get("cgroup_memory_usage_fraction", svc)).isEqualTo(0.5);
        assertThat(sink.has("cgroup_memory_high_bytes", svc)).isFalse(); // "max"
        assertThat(sink.get("cgroup_cpu_limit_cores", svc)).isEqualTo(0.5);
        assertThat(sink.get("cgroup_pids_usage_fraction", svc)).isEqualTo(0.042);
        assertThat(sink.get("cgroup_memory_stat_bytes", "cgroup", "/system.slice/demo.service", "field", "anon", "hierarchy", "v2"))
                .isEqualTo(201326592);
        assertThat(sink.get("cgroup_memory_events", "cgroup", "/system.slice/demo.service", "event", "oom_kill", "hierarchy", "v2"))
                .isEqualTo(1);
        assertThat(sink.get("cgroup_pressure_avg10_percent", "cgroup", "/system.slice/demo.service", "hierarchy", "v2",
                "psi", "memory/full")).isEqualTo(2.75);

        Path d = root.resolve("system.slice/demo.service");
        Files.writeString(d.resolve("cpu.stat"), "usage_usec 5750000\nuser_usec 4500000\nsystem_usec 1250000\n"
                + "core_sched.force_idle_usec 0\nnr_periods 1010\nnr_throttled 105\nthrottled_usec 2600000\nnr_bursts 0\nburst_usec 0\n");
        Files.writeString(d.resolve("memory.events"), "low 0\nhigh 0\nmax 14\noom 2\noom_kill 2\noom_group_kill 0\n");
        Files.writeString(d.resolve("io.stat"), "8:0 rbytes=2097152 wbytes=4194304 rios=512 wios=1024 dbytes=0 dios=0\n");
        Files.writeString(d.resolve("memory.pressure"), "some avg10=3.25 avg60=1.10 avg300=0.30 total=850000\n"
                + "full avg10=2.75 avg60=0.90 avg300=0.25 total=700000\n");
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("cgroup_cpu_usage_cores", svc)).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(sink.get("cgroup_cpu_throttled_periods_fraction", svc)).isEqualTo(0.5);
        assertThat(sink.get("cgroup_cpu_throttled_seconds_per_second", svc)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(sink.get("cgroup_memory_events_per_second", "cgroup", "/system.slice/demo.service", "event", "oom_kill",
                "hierarchy", "v2")).isEqualTo(1);
        assertThat(sink.get("cgroup_io_read_bytes_per_second", "cgroup", "/system.slice/demo.service", "device", "8:0",
                "hierarchy", "v2")).isEqualTo(1048576);
        assertThat(sink.get("cgroup_io_write_bytes_per_second", "cgroup", "/system.slice/demo.service", "device", "8:0",
                "hierarchy", "v2")).isEqualTo(0);
        assertThat(sink.get("cgroup_pressure_stall_fraction", "cgroup", "/system.slice/demo.service", "hierarchy", "v2",
                "psi", "memory/full")).isEqualTo(0.2);

        // malformed files degrade with the file named; the rest keeps coming
        Files.writeString(d.resolve("memory.max"), "lots\n");
        Files.writeString(d.resolve("io.stat"), "garbage\n");
        sink.clear();
        s.sample(sink, T0 + 2000);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
        assertThat(s.health().reason()).contains("memory.max").doesNotContain(AbstractSensor.INTERNAL_ERROR);
        assertThat(sink.get("cgroup_memory_usage_bytes", svc)).isEqualTo(268435456);
    }

    @Test
    void groupListingIsReusedForRewalkEveryTicks(@TempDir Path tmp) throws Exception {
        Path root = copy(fixture("cgv2"), tmp.resolve("cg"));
        CgroupV2Sensor s = new CgroupV2Sensor(root, 3, 64, 3);
        Sink sink = new Sink();
        String[] fresh = {"cgroup", "/system.slice/new.service", "hierarchy", "v2"};
        s.sample(sink, T0); // lists the groups
        Path d = Files.createDirectories(root.resolve("system.slice/new.service"));
        Files.writeString(d.resolve("memory.current"), "4096\n");
        s.sample(sink, T0 + 1000);
        s.sample(sink, T0 + 2000);
        assertThat(sink.has("cgroup_memory_usage_bytes", fresh)).as("cached listing, new group not seen yet").isFalse();
        s.sample(sink, T0 + 3000); // third tick after the listing: listed again
        assertThat(sink.get("cgroup_memory_usage_bytes", fresh)).isEqualTo(4096);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
    }

    @Test
    void listingKeepsTheFilesOfGroupsStillThereAndClosesThoseOfRemovedGroups(@TempDir Path tmp) throws Exception {
        Path root = copy(fixture("cgv2"), tmp.resolve("cg"));
        Path other = Files.createDirectories(root.resolve("system.slice/other.service"));
        Files.writeString(other.resolve("memory.current"), "8192\n");
        Files.writeString(other.resolve("pids.current"), "3\n");
        CgroupV2Sensor s = new CgroupV2Sensor(root, 3, 64, 1); // listed again on every tick
        s.keepFilesOpen(); // as on a cgroup file system
        Sink sink = new Sink();
        String[] svc = {"cgroup", "/system.slice/demo.service", "hierarchy", "v2"};
        s.sample(sink, T0);
        int keptWithOther = s.keptFiles();
        assertThat(sink.get("cgroup_memory_usage_bytes", svc)).isEqualTo(268435456);

        // a new inode under the same name: a file kept open across the listing still reads the old one (this is
        // why keeping files open is only enabled on kernel file systems, whose files are never replaced)
        Path current = root.resolve("system.slice/demo.service/memory.current");
        Path fresh = Files.writeString(tmp.resolve("memory.current.new"), "4096\n");
        Files.move(fresh, current, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CgroupWalkProperties.delete(other);
        sink.clear();
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("cgroup_memory_usage_bytes", svc)).as("kept open across the listing").isEqualTo(268435456);
        assertThat(sink.has("cgroup_memory_usage_bytes", "cgroup", "/system.slice/other.service", "hierarchy", "v2"))
                .isFalse();
        CgroupV2Sensor without = new CgroupV2Sensor(root, 3, 64, 1);
        without.keepFilesOpen();
        without.sample(new Sink(), T0);
        assertThat(s.keptFiles()).as("files of the removed group closed").isEqualTo(without.keptFiles())
                .isLessThan(keptWithOther);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        s.close();
        without.close();
        assertThat(s.keptFiles()).isZero();
    }

    @Test
    void listingRetriesFilesThatWereMissing(@TempDir Path tmp) throws Exception {
        Path root = copy(fixture("cgv2"), tmp.resolve("cg"));
        Path d = root.resolve("system.slice/demo.service");
        Files.delete(d.resolve("pids.current"));
        CgroupV2Sensor s = new CgroupV2Sensor(root, 3, 64, 2);
        s.keepFilesOpen();
        Sink sink = new Sink();
        String[] svc = {"cgroup", "/system.slice/demo.service", "hierarchy", "v2"};
        s.sample(sink, T0);
        assertThat(sink.has("cgroup_pids_current", svc)).isFalse();
        Files.writeString(d.resolve("pids.current"), "7\n"); // e.g. the pids controller enabled for the group
        s.sample(sink, T0 + 1000);
        assertThat(sink.has("cgroup_pids_current", svc)).as("remembered as missing until the next listing").isFalse();
        s.sample(sink, T0 + 2000); // listed again
        assertThat(sink.get("cgroup_pids_current", svc)).isEqualTo(7);
    }

    @Test
    void vanishedControllerRootIsReportedFromTheNextListingOnUntilItIsBack(@TempDir Path tmp) throws Exception {
        Path root = copy(fixture("cgv1"), tmp.resolve("cg"));
        CgroupV1Sensor s = new CgroupV1Sensor(v1(root), 2, 64, 3); // listed on ticks 0, 3, 6, ...
        s.sample(new Sink(), T0);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        Path saved = tmp.resolve("freezer-saved");
        Files.move(root.resolve("freezer"), saved);
        s.sample(new Sink(), T0 + 1000);
        s.sample(new Sink(), T0 + 2000);
        assertThat(s.health().isHealthy()).as("not checked between listings").isTrue();
        for (int tick = 3; tick < 6; tick++) { // from the listing on, every tick (no listing while it fails)
            Sink sink = new Sink();
            s.sample(sink, T0 + tick * 1000L);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("controller freezer").contains("not a directory");
            assertThat(sink.get("cgroup_memory_usage_bytes", "cgroup", "/", "hierarchy", "v1")).isPositive();
        }
        Files.move(saved, root.resolve("freezer"));
        Sink sink = new Sink();
        s.sample(sink, T0 + 6000);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        assertThat(sink.get("cgroup_frozen", "cgroup", "/app", "hierarchy", "v1")).isEqualTo(1);
    }

    @Test
    void notAV2HierarchyFails() {
        CgroupV2Sensor s = new CgroupV2Sensor(fixture("cgv1"), 1, 8);
        s.sample(new Sink(), T0);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(s.health().reason()).contains("cgroup.controllers");
    }

    @Test
    void realHierarchiesOfThisMachineDoNotFail() throws Exception {
        CgroupMounts m = CgroupMounts.read(Path.of("/proc"));
        for (var sensor : dev.helix.nexus.telemetry.TelemetrySensors.cgroups(m)) {
            sensor.sample(new Sink(), T0);
            assertThat(sensor.health().status()).as(sensor.health().toString()).isNotEqualTo(SensorHealth.Status.FAILED);
        }
    }

    static Path copy(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                }
            }
        }
        return to;
    }
}
