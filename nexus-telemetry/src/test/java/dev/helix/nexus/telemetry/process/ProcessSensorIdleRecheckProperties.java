package dev.helix.nexus.telemetry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.telemetry.TestSupport.Sink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

/**
 * The idle re-check against the read-every-process-every-tick sensor (cap 1) on a changing fake /proc: processes
 * busy, idle or bursty, forks and exits at random, one tick per second.
 */
class ProcessSensorIdleRecheckProperties {

    static final long T0 = 1_767_225_600_000L;

    /** A process's counters as written before tick {@code tick} was sampled. */
    private record Seen(long utime, long rssPages) {
    }

    @Property(tries = 120)
    void everyValueReportedIsExactOverTheProcessesOwnReadIntervalAndNoProcessGoesUnreadLongerThanTheCap(
            @ForAll @IntRange(min = 2, max = 6) int cap, @ForAll @IntRange(min = 1, max = 3) int topN,
            @ForAll long seed) throws Exception {
        Random rnd = new Random(seed);
        Path dir = Files.createTempDirectory("idle-recheck");
        try {
            FakeProc fp = new FakeProc(dir.resolve("proc"));
            Map<Integer, Double> activity = new HashMap<>();
            int nextPid = 100;
            for (int i = 0; i < 3 + rnd.nextInt(10); i++) {
                spawn(fp, activity, nextPid++, rnd);
            }
            // no files kept open: a kept tmpfs file would go on reading a deleted process's stat, where procfs fails
            // with ESRCH; opened per read, a gone file is NoSuchFile, as on procfs
            ProcessSensor reference = new ProcessSensor(fp.root, topN, 100, 4096, 10, 0, 1);
            ProcessSensor subject = new ProcessSensor(fp.root, topN, 100, 4096, 10, 0, cap);
            Map<Integer, Map<Integer, Seen>> history = new HashMap<>(); // pid -> tick -> counters
            Map<Integer, List<Integer>> readTicks = new HashMap<>(); // pid -> ticks the subject read its stat on
            Map<Integer, Integer> bornAt = new HashMap<>();
            Sink ref = new Sink();
            Sink sub = new Sink();
            long skipped = 0;
            int ticks = 12 + rnd.nextInt(25);
            for (int tick = 0; tick < ticks; tick++) {
                if (tick > 0 && rnd.nextDouble() < 0.12) {
                    spawn(fp, activity, nextPid++, rnd);
                }
                if (tick > 0 && fp.procs.size() > 2 && rnd.nextDouble() < 0.08) {
                    List<Integer> pids = new ArrayList<>(fp.procs.keySet());
                    int gone = pids.get(rnd.nextInt(pids.size()));
                    fp.exit(gone);
                    activity.remove(gone);
                    history.remove(gone);
                    readTicks.remove(gone);
                }
                for (FakeProc.Proc p : fp.procs.values()) {
                    boolean active = rnd.nextDouble() < activity.get(p.pid);
                    if (active) {
                        p.utime += 1 + rnd.nextInt(30);
                        if (rnd.nextDouble() < 0.3) {
                            p.rssPages = Math.max(0, p.rssPages - 5 + rnd.nextInt(40));
                        }
                    }
                    p.state = active && rnd.nextDouble() < 0.2 ? 'R' : 'S';
                    history.computeIfAbsent(p.pid, k -> new HashMap<>()).put(tick, new Seen(p.utime, p.rssPages));
                    bornAt.putIfAbsent(p.pid, tick);
                }
                fp.write();
                long ts = T0 + 1000L * tick;
                ref.clear();
                sub.clear();
                reference.sample(ref, ts);
                subject.sample(sub, ts);

                int live = fp.procs.size();
                assertThat(sub.get("host_processes")).as("tick %d", tick).isEqualTo(ref.get("host_processes"))
                        .isEqualTo(live);
                assertThat(sub.get("host_processes_d_state")).isEqualTo(ref.get("host_processes_d_state"));
                assertThat(sub.get("host_processes_zombie")).isEqualTo(ref.get("host_processes_zombie"));
                assertThat(ref.get("host_processes_stat_read")).isEqualTo(live);
                assertThat(sub.get("host_processes_stat_read") + sub.get("host_processes_stat_skipped"))
                        .isEqualTo(live);
                skipped += (long) sub.get("host_processes_stat_skipped");
                for (int pid : fp.procs.keySet()) {
                    long last = subject.lastReadTs(pid);
                    assertThat(last).as("pid %d tick %d: read within the cap", pid, tick)
                            .isGreaterThan(ts - 1000L * cap);
                    if (bornAt.get(pid) == tick) {
                        assertThat(last).as("new pid %d read at once", pid).isEqualTo(ts);
                    }
                    int readTick = (int) ((last - T0) / 1000);
                    List<Integer> reads = readTicks.computeIfAbsent(pid, k -> new ArrayList<>());
                    if (reads.isEmpty() || reads.get(reads.size() - 1) != readTick) {
                        reads.add(readTick);
                    }
                    checkReported(sub, pid, reads, history.get(pid), tick);
                }
            }
            // not vacuous: most runs must actually leave some idle process unread
            Statistics.label("some stat reads skipped").collect(skipped > 0);
            Statistics.label("some stat reads skipped")
                    .coverage(c -> c.check(true).percentage(p -> p > 60.0));
            reference.close();
            subject.close();
        } finally {
            try (Stream<Path> w = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) w.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * What the subject reports for {@code pid}, if it reports it, is what its last two reads of the fake files give:
     * RSS of the last read, CPU and growth over the interval between the two reads.
     */
    private static void checkReported(Sink sub, int pid, List<Integer> reads, Map<Integer, Seen> history, int tick) {
        String[] labels = {"comm", "p" + pid, "pid", Integer.toString(pid)};
        if (!sub.has("process_rss_bytes", labels)) {
            return;
        }
        int lastRead = reads.get(reads.size() - 1);
        Seen now = history.get(lastRead);
        assertThat(sub.get("process_rss_bytes", labels)).as("pid %d tick %d", pid, tick)
                .isEqualTo(now.rssPages() * 4096.0);
        double cpu = sub.get("process_cpu_cores", labels);
        double growth = sub.get("process_rss_growth_bytes_per_second", labels);
        if (reads.size() < 2) {
            assertThat(cpu).isNaN();
            assertThat(growth).isNaN();
            return;
        }
        int previousRead = reads.get(reads.size() - 2);
        Seen before = history.get(previousRead);
        double seconds = (lastRead - previousRead) * 1000 / 1000.0;
        assertThat(cpu).as("pid %d tick %d: CPU over ticks %d..%d", pid, tick, previousRead, lastRead)
                .isCloseTo((double) (now.utime() - before.utime()) / 100 / seconds, within(1e-12));
        assertThat(growth).as("pid %d tick %d: growth", pid, tick)
                .isCloseTo((now.rssPages() - before.rssPages()) * 4096.0 / seconds, within(1e-9));
    }

    @Property(tries = 80)
    void whileEveryProcessIsActiveEveryTickTheOutputEqualsTheReadEverythingSensors(
            @ForAll @IntRange(min = 2, max = 6) int cap, @ForAll @IntRange(min = 1, max = 4) int topN,
            @ForAll long seed) throws Exception {
        Random rnd = new Random(seed);
        Path dir = Files.createTempDirectory("idle-recheck");
        try {
            FakeProc fp = new FakeProc(dir.resolve("proc"));
            Map<Integer, Double> activity = new HashMap<>();
            for (int pid = 100; pid < 103 + rnd.nextInt(10); pid++) {
                fp.spawn(pid, rnd.nextInt(1000), rnd.nextInt(100_000));
                activity.put(pid, 1.0);
            }
            ProcessSensor reference = new ProcessSensor(fp.root, topN, 100, 4096, 10, 64, 1);
            ProcessSensor subject = new ProcessSensor(fp.root, topN, 100, 4096, 10, 64, cap);
            Sink ref = new Sink();
            Sink sub = new Sink();
            for (int tick = 0; tick < 15; tick++) {
                for (FakeProc.Proc p : fp.procs.values()) {
                    p.utime += 1 + rnd.nextInt(50);
                    p.rssPages = Math.max(0, p.rssPages - 20 + rnd.nextInt(60));
                }
                fp.write();
                ref.clear();
                sub.clear();
                reference.sample(ref, T0 + 1000L * tick);
                subject.sample(sub, T0 + 1000L * tick);
                assertThat(sub.order).as("tick %d", tick).isEqualTo(ref.order);
                assertThat(sub.latest).as("tick %d", tick).isEqualTo(ref.latest);
            }
            reference.close();
            subject.close();
        } finally {
            try (Stream<Path> w = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) w.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    /** A new process with a random activity level: never, rarely, sometimes or always busy. */
    private static void spawn(FakeProc fp, Map<Integer, Double> activity, int pid, Random rnd) throws IOException {
        double[] levels = {0.0, 0.0, 0.05, 0.3, 1.0};
        fp.spawn(pid, rnd.nextInt(1000), rnd.nextInt(50_000));
        activity.put(pid, levels[rnd.nextInt(levels.length)]);
    }
}
