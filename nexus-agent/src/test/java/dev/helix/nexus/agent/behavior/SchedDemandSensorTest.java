package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.telemetry.process.ProcessSensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SchedDemandSensorTest {

    private static final long MS = 1_000_000L;

    /** Writes {@code pid/stat} with the process-wide CPU ticks, thread count and start time, and {@code pid/comm}. */
    private static void stat(Path root, long pid, String comm, long cpuTicks, int threads, long start)
            throws IOException {
        Path d = Files.createDirectories(root.resolve(Long.toString(pid)));
        // fields 3.. of proc(5): state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        // cutime cstime priority nice num_threads itrealvalue starttime vsize rss
        Files.writeString(d.resolve("stat"), pid + " (" + comm + ") R 1 " + pid + " " + pid + " 0 -1 4194560 10 0 0 0 "
                + cpuTicks + " 0 0 0 20 0 " + threads + " 0 " + start + " 1000000 250\n");
        Files.writeString(d.resolve("comm"), comm + "\n");
    }

    /** Writes {@code pid/task/tid/schedstat}. */
    private static void thread(Path root, long pid, long tid, long runNs, long waitNs) throws IOException {
        Path d = Files.createDirectories(root.resolve(pid + "/task/" + tid));
        Files.writeString(d.resolve("schedstat"), runNs + " " + waitNs + " 17\n");
    }

    private static MetricKey key(long pid, String comm) {
        return MetricKey.of("process_cpu_demand_cores", "pid", Long.toString(pid), "comm", comm);
    }

    /** A JVM-like process 100: idle main thread 100, workers 101 and 102 each running {@code runMs} of a second. */
    private static void jvm(Path root, int second, long cpuTicks) throws IOException {
        stat(root, 100, "java", cpuTicks, 3, 5_000);
        thread(root, 100, 100, 1 * MS * second, 0);
        thread(root, 100, 101, 950 * MS * second, 40 * MS * second);
        thread(root, 100, 102, 900 * MS * second, 90 * MS * second);
    }

    /** Samples {@link #jvm} at seconds 0 and 1 (ticks at 1 s and 2 s, 190 CPU ticks apart) into {@code out}. */
    private static void sampleJvmTwice(SchedDemandSensor s, Path root, Map<MetricKey, Double> out)
            throws IOException {
        for (int sec = 0; sec <= 1; sec++) {
            jvm(root, sec, 190L * sec);
            s.sample((k, v, ts) -> out.put(k, v), 1_000L * (sec + 1));
        }
    }

    @Test
    void demandIsRunPlusRunQueueWaitSummedOverAllThreadsOfTheTopProcesses(@TempDir Path root) throws IOException {
        SchedDemandSensor s = new SchedDemandSensor(root, 2);
        Map<MetricKey, Double> out = new LinkedHashMap<>();
        Files.createDirectories(root.resolve("self")); // non-pid entries are ignored
        for (int sec = 0; sec <= 2; sec++) {
            jvm(root, sec, 190L * sec);
            stat(root, 200, "hog", 95L * sec, 1, 6_000);
            thread(root, 200, 200, 950 * MS * sec, 40 * MS * sec);
            stat(root, 300, "sleeper", sec, 1, 7_000);
            thread(root, 300, 300, MS * sec, 0);
            stat(root, 400, "crowded", 20L * sec, 1, 8_000); // got 0.2 s, queued 0.78 s: still a CPU hog
            thread(root, 400, 400, 200 * MS * sec, 780 * MS * sec);
            out.clear();
            s.sample((k, v, ts) -> out.put(k, v), 1_000L * (sec + 1));
            if (sec < 2) {
                // tick 0 has no CPU-time history yet, tick 1 is the first thread reading: no rate before tick 2
                assertThat(out).as("tick %d", sec).isEmpty();
            }
        }
        assertThat(s.health().isHealthy()).isTrue();
        assertThat(out).hasSize(2); // top 2 of 4
        // the main thread idles; the process demands its two workers' (0.95+0.04) + (0.90+0.09) plus 0.001 cores
        assertThat(out.get(key(100, "java"))).isCloseTo(1.981, within(1e-9));
        assertThat(out.get(key(200, "hog"))).isCloseTo(0.99, within(1e-9));
    }

    @Test
    void starvedProcessStillReportsItsRunQueueWait(@TempDir Path root) throws IOException {
        SchedDemandSensor s = new SchedDemandSensor(root, 1);
        Map<MetricKey, Double> out = new LinkedHashMap<>();
        for (int sec = 0; sec <= 2; sec++) {
            stat(root, 400, "crowded", 20L * sec, 1, 8_000);
            thread(root, 400, 400, 200 * MS * sec, 780 * MS * sec);
            s.sample((k, v, ts) -> out.put(k, v), 1_000L * (sec + 1));
        }
        assertThat(out).containsOnlyKeys(key(400, "crowded"));
        assertThat(out.get(key(400, "crowded"))).isCloseTo(0.98, within(1e-9));
    }

    @Test
    void threadListIsReListedOnlyWhenTheThreadCountInStatChanges(@TempDir Path root) throws IOException {
        SchedDemandSensor s = new SchedDemandSensor(root, 3);
        Map<MetricKey, Double> out = new LinkedHashMap<>();
        sampleJvmTwice(s, root, out);
        assertThat(s.threadReadsLastTick()).isEqualTo(3);
        // a fourth thread appears in task/ but stat still says 3: the cached list is used, the new thread not read
        jvm(root, 2, 380);
        thread(root, 100, 103, 500 * MS, 0);
        s.sample((k, v, ts) -> out.put(k, v), 3_000);
        assertThat(s.threadReadsLastTick()).isEqualTo(3);
        assertThat(out.get(key(100, "java"))).isCloseTo(1.981, within(1e-9));
        // stat now counts 4: re-listed; the new thread started since the last listing and counts with all it has
        jvm(root, 3, 620);
        stat(root, 100, "java", 620, 4, 5_000);
        thread(root, 100, 103, 1_000 * MS, 0);
        s.sample((k, v, ts) -> out.put(k, v), 4_000);
        assertThat(s.threadReadsLastTick()).isEqualTo(4);
        assertThat(out.get(key(100, "java"))).isCloseTo(1.981 + 1.0, within(1e-9));
    }

    @Test
    void threadThatExitedIsDroppedAndItsReplacementCounted(@TempDir Path root) throws IOException {
        SchedDemandSensor s = new SchedDemandSensor(root, 3);
        Map<MetricKey, Double> out = new LinkedHashMap<>();
        sampleJvmTwice(s, root, out);
        // worker 102 exits and 104 starts: the count stays 3, the read of 102 fails, so the list is re-read
        jvm(root, 2, 380);
        deleteTree(root.resolve("100/task/102"));
        thread(root, 100, 104, 300 * MS, 0);
        s.sample((k, v, ts) -> out.put(k, v), 3_000);
        assertThat(s.threadReadsLastTick()).isEqualTo(6); // 3 cached, then 3 re-listed
        // 100 and 101 grow as before (0.001 + 0.99), 102 is gone (its last interval lost), 104 counts 0.3 s
        assertThat(out.get(key(100, "java"))).isCloseTo(0.001 + 0.99 + 0.3, within(1e-9));
    }

    @Test
    void reusedPidRestartsItsHistory(@TempDir Path root) throws IOException {
        SchedDemandSensor s = new SchedDemandSensor(root, 5);
        Map<MetricKey, Double> out = new LinkedHashMap<>();
        for (int sec = 0; sec <= 1; sec++) {
            stat(root, 20, "old", 100L * sec, 1, 1_000);
            thread(root, 20, 20, 5_000 * MS + 1_000 * MS * sec, 0);
            s.sample((k, v, ts) -> out.put(k, v), 1_000L * (sec + 1));
        }
        // pid 20 now belongs to a new process (another start time) with small counters
        stat(root, 20, "new", 10, 1, 9_000);
        thread(root, 20, 20, 100 * MS, 0);
        s.sample((k, v, ts) -> out.put(k, v), 3_000);
        stat(root, 20, "new", 30, 1, 9_000);
        thread(root, 20, 20, 300 * MS, 0);
        s.sample((k, v, ts) -> out.put(k, v), 4_000);
        stat(root, 20, "new", 80, 1, 9_000);
        thread(root, 20, 20, 800 * MS, 0);
        out.clear();
        s.sample((k, v, ts) -> out.put(k, v), 5_000);
        assertThat(out).containsOnlyKeys(key(20, "new"));
        assertThat(out.get(key(20, "new"))).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void threadReadsPerTickAreCappedAndAProcessThatDoesNotFitIsSkipped(@TempDir Path root) throws IOException {
        SchedDemandSensor s = new SchedDemandSensor(root, 5, 2);
        Map<MetricKey, Double> out = new LinkedHashMap<>();
        for (int sec = 0; sec <= 2; sec++) {
            jvm(root, sec, 190L * sec); // 3 threads, the busiest by CPU time, but more than the cap of 2
            stat(root, 200, "hog", 95L * sec, 1, 6_000);
            thread(root, 200, 200, 950 * MS * sec, 40 * MS * sec);
            out.clear();
            s.sample((k, v, ts) -> out.put(k, v), 1_000L * (sec + 1));
            assertThat(s.threadReadsLastTick()).isLessThanOrEqualTo(2);
        }
        assertThat(out).containsOnlyKeys(key(200, "hog"));
    }

    @Test
    void garbageFilesAreSkippedAndAMissingProcIsAFailedSource(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("21"));
        Files.writeString(root.resolve("21/stat"), "garbage\n");
        stat(root, 22, "x", 0, 1, 1);
        thread(root, 22, 22, 0, 0);
        SchedDemandSensor s = new SchedDemandSensor(root, 5);
        s.sample((k, v, ts) -> { }, 1);
        Files.writeString(root.resolve("22/task/22/schedstat"), "garbage\n");
        stat(root, 22, "x", 5, 1, 1);
        s.sample((k, v, ts) -> { }, 2);
        assertThat(s.health().isHealthy()).isTrue();

        SchedDemandSensor absent = new SchedDemandSensor(root.resolve("absent"), 3);
        absent.sample((k, v, ts) -> { }, 1);
        assertThat(absent.health().isHealthy()).isFalse();
        assertThat(absent.health().reason()).contains("absent");
    }

    @Test
    void statLineCommandMayContainSpacesAndParentheses() {
        SchedDemandSensor.Stat st = SchedDemandSensor.parseStat("4242 (my (app) x) S 1 4242 4242 0 -1 4194560 5000 0"
                + " 10 0 190 60 0 0 20 0 7 0 123456 1000000 250 18446744073709551615\n");
        assertThat(st).isEqualTo(new SchedDemandSensor.Stat("my (app) x", 250, 7, 123456));
        assertThat(SchedDemandSensor.parseStat("4242 (x) S 1 2")).isNull();
        assertThat(SchedDemandSensor.parseStat("no parentheses")).isNull();
    }

    @Test
    void badSettingsAreRejected(@TempDir Path root) {
        assertThatThrownBy(() -> new SchedDemandSensor(root, 0)).hasMessageContaining("topN");
        assertThatThrownBy(() -> new SchedDemandSensor(root, 1, 0)).hasMessageContaining("maxThreadReads");
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /**
     * A changing process tree at second {@code sec}: a JVM, a hog, a sleeper and a crowded process; pid 200 is reused
     * by a new process from second 2, process 500 starts at second 3 and the sleeper exits at second 4.
     */
    private static void world(Path root, int sec) throws IOException {
        jvm(root, sec, 190L * sec);
        if (sec < 2) {
            stat(root, 200, "hog", 95L * sec, 1, 6_000);
            thread(root, 200, 200, 950 * MS * sec, 40 * MS * sec);
        } else {
            stat(root, 200, "reused", 40L * sec, 1, 9_000);
            thread(root, 200, 200, 400 * MS * sec, 10 * MS * sec);
        }
        if (sec < 4) {
            stat(root, 300, "sleeper", sec, 1, 7_000);
            thread(root, 300, 300, MS * sec, 0);
        } else if (Files.exists(root.resolve("300"))) {
            deleteTree(root.resolve("300"));
        }
        stat(root, 400, "crowded", 20L * sec, 1, 8_000);
        thread(root, 400, 400, 200 * MS * sec, 780 * MS * sec);
        if (sec >= 3) {
            stat(root, 500, "late", 30L * (sec - 2), 2, 12_000);
            thread(root, 500, 500, 150 * MS * (sec - 2), 5 * MS * sec);
            thread(root, 500, 501, 150 * MS * (sec - 2), 0);
        }
    }

    /** Sensors over one tree: a process sensor with an attached demand sensor, and a demand sensor on its own. */
    private record Pair(ProcessSensor processes, SchedDemandSensor attached,
                        SchedDemandSensor alone) {
        static Pair over(Path root, int topN) {
            Pair p = new Pair(new ProcessSensor(root, 3, 100, 4096),
                    new SchedDemandSensor(root, topN), new SchedDemandSensor(root, topN));
            p.attached().shareScanOf(p.processes());
            return p;
        }
    }

    @Test
    void sharedScanGivesTheSameDemandsAsTheSensorsOwnScanWithoutReadingStatItself(@TempDir Path root)
            throws IOException {
        Pair p = Pair.over(root, 2);
        for (int sec = 0; sec <= 6; sec++) {
            world(root, sec);
            Map<MetricKey, Double> shared = new LinkedHashMap<>();
            Map<MetricKey, Double> own = new LinkedHashMap<>();
            long ts = 1_000L * (sec + 1);
            p.processes().sample((k, v, t) -> { }, ts); // first, as in BehaviorSampler.standardSensors
            p.attached().sample((k, v, t) -> shared.put(k, v), ts);
            p.alone().sample((k, v, t) -> own.put(k, v), ts);
            assertThat(p.attached().lastScanShared()).as("tick %d", sec).isTrue();
            assertThat(p.alone().lastScanShared()).isFalse();
            assertThat(shared).as("tick %d", sec).isEqualTo(own);
            assertThat(p.attached().threadReadsLastTick()).isEqualTo(p.alone().threadReadsLastTick());
            assertThat(p.attached().health()).isEqualTo(p.alone().health());
            if (sec >= 2) { // a rate needs a CPU-time history and then two thread readings
                assertThat(shared).as("tick %d reports something", sec).isNotEmpty();
            }
        }
    }

    @Test
    void sampledBeforeTheProcessSensorItFallsBackToItsOwnScanWithTheSameResult(@TempDir Path root)
            throws IOException {
        Pair p = Pair.over(root, 3);
        for (int sec = 0; sec <= 5; sec++) {
            world(root, sec);
            Map<MetricKey, Double> attached = new LinkedHashMap<>();
            Map<MetricKey, Double> own = new LinkedHashMap<>();
            long ts = 1_000L * (sec + 1);
            p.attached().sample((k, v, t) -> attached.put(k, v), ts); // wrong order: last tick's scan is stale
            p.processes().sample((k, v, t) -> { }, ts);
            p.alone().sample((k, v, t) -> own.put(k, v), ts);
            assertThat(p.attached().lastScanShared()).as("tick %d", sec).isFalse();
            assertThat(attached).as("tick %d", sec).isEqualTo(own);
        }
    }

    @Test
    void aTickThatTheProcessSensorSkippedOrFailedIsScannedByTheSensorItself(@TempDir Path root) throws IOException {
        Pair p = Pair.over(root, 2);
        Map<MetricKey, Double> attached = new LinkedHashMap<>();
        Map<MetricKey, Double> own = new LinkedHashMap<>();
        for (int sec = 0; sec <= 4; sec++) {
            world(root, sec);
            attached.clear();
            own.clear();
            long ts = 1_000L * (sec + 1);
            boolean skipped = sec == 2;
            if (!skipped) {
                p.processes().sample((k, v, t) -> { }, ts);
            }
            p.attached().sample((k, v, t) -> attached.put(k, v), ts);
            p.alone().sample((k, v, t) -> own.put(k, v), ts);
            assertThat(p.attached().lastScanShared()).as("tick %d", sec).isEqualTo(!skipped);
            assertThat(attached).as("tick %d", sec).isEqualTo(own);
        }
        // a scan is used once: sampling again with the same timestamp reads stat itself
        p.attached().sample((k, v, t) -> { }, 5_000);
        assertThat(p.attached().lastScanShared()).isFalse();

        // the process sensor cannot list its root: an incomplete scan is not used
        SchedDemandSensor demand = new SchedDemandSensor(root.resolve("absent"), 2);
        var broken = new ProcessSensor(root.resolve("absent"), 3, 100, 4096);
        demand.shareScanOf(broken);
        broken.sample((k, v, t) -> { }, 1_000);
        demand.sample((k, v, t) -> { }, 1_000);
        assertThat(demand.lastScanShared()).isFalse();
        assertThat(demand.health().isHealthy()).isFalse();
        assertThat(demand.health().reason()).contains("absent");
    }

    @Test
    void scanIsSharedOnlyWithAProcessSensorOfTheSameProcRoot(@TempDir Path root) {
        SchedDemandSensor demand = new SchedDemandSensor(root, 2);
        var other = new ProcessSensor(root.resolve("other"), 3, 100, 4096);
        assertThatThrownBy(() -> demand.shareScanOf(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other");
    }

    @Test
    void standardSensorsPutTheProcessSensorFirstAndShareItsScanWithTheDemandSensor() throws Exception {
        Path proc = Path.of("/proc");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(proc.resolve("self")),
                "needs a Linux /proc to build the standard sensors");
        var sensors = BehaviorSampler.standardSensors(proc, 3);
        try {
            SchedDemandSensor demand = sensors.stream().filter(SchedDemandSensor.class::isInstance)
                    .map(SchedDemandSensor.class::cast).findFirst().orElseThrow();
            for (long ts = 1_000; ts <= 2_000; ts += 1_000) {
                for (var s : sensors) { // in list order, as BehaviorSampler.tick does
                    s.sample((k, v, t) -> { }, ts);
                }
                assertThat(demand.lastScanShared()).as("tick at %d", ts).isTrue();
                assertThat(demand.health().isHealthy()).isTrue();
            }
        } finally {
            for (var s : sensors) {
                s.close();
            }
        }
    }
}
