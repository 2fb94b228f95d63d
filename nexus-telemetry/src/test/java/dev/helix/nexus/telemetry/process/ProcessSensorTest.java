package dev.helix.nexus.telemetry.process;

import static dev.helix.nexus.telemetry.TestSupport.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.PageSize;
import dev.helix.nexus.telemetry.internal.PidStat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSensorTest {

    static final long T0 = 1_767_225_600_000L;

    @Test
    void parsesCommWithSpacesAndParentheses() {
        PidStat st = PidStat.parse("4242 (my (app) x) S 1 4242 4242 0 -1 4194560 5000 0 10 0 150 50 0 0 20 0 2 0 48000 "
                + "1048576000 25600 18446744073709551615 1 1 0 0");
        assertThat(st).isNotNull();
        assertThat(st.comm()).isEqualTo("my (app) x");
        assertThat(st.state()).isEqualTo('S');
        assertThat(st.utimeTicks()).isEqualTo(150);
        assertThat(st.stimeTicks()).isEqualTo(50);
        assertThat(st.threads()).isEqualTo(2);
        assertThat(st.startTime()).isEqualTo(48000);
        assertThat(st.rssPages()).isEqualTo(25600);
    }

    @Test
    void realStatOfThisProcessParses() throws Exception {
        PidStat st = PidStat.parse(Files.readString(Path.of("/proc/self/stat")));
        assertThat(st).isNotNull();
        assertThat(st.pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Property(tries = 1000)
    void pidStatParserNeverThrows(@ForAll String garbage) {
        PidStat.parse(garbage);
        PidStat.parse("1 (" + garbage + ") R 0 0 0 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 7");
    }

    static Path copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    @Test
    void topProcessesCpuRssGrowthFdsIoAndDState(@TempDir Path tmp) throws Exception {
        Path proc = copyTree(fixture("proc-t0"), tmp.resolve("proc"));
        ProcessSensor s = new ProcessSensor(proc, 5, 100, 4096);
        Sink sink = new Sink();
        s.sample(sink, T0);
        // the garbage stat of pid 77 degrades but does not stop the others
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
        assertThat(s.health().reason()).contains("77/stat").doesNotContain(AbstractSensor.INTERNAL_ERROR);
        String[] app = {"comm", "my (app) x", "pid", "4242"};
        assertThat(sink.get("process_rss_bytes", app)).isEqualTo(102400 * 1024.0);
        assertThat(sink.get("process_threads", app)).isEqualTo(2);
        assertThat(sink.get("process_threads_d_state", app)).isEqualTo(1);
        assertThat(sink.get("process_open_fds", app)).isEqualTo(3);
        assertThat(sink.get("process_cpu_cores", app)).isNaN(); // needs two readings
        assertThat(sink.get("host_threads_d_state")).isEqualTo(1);
        assertThat(sink.get("host_processes_d_state")).isEqualTo(1);
        assertThat(sink.get("host_processes")).isEqualTo(2);

        // one second later: +50 ticks of CPU (0.5 cores), +1 MiB RSS, +4096 bytes written
        Files.writeString(proc.resolve("4242/stat"), "4242 (my (app) x) S 1 4242 4242 0 -1 4194560 5000 0 10 0 190 60 "
                + "0 0 20 0 2 0 48000 1048576000 25856 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        Files.writeString(proc.resolve("4242/status"), "Name:\tmy (app) x\nState:\tS (sleeping)\nThreads:\t2\nVmRSS:\t  103424 kB\n");
        Files.writeString(proc.resolve("4242/io"), "read_bytes: 4096\nwrite_bytes: 12288\n");
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("process_cpu_cores", app)).isEqualTo(0.5);
        assertThat(sink.get("process_rss_growth_bytes_per_second", app)).isEqualTo(1024 * 1024.0);
        assertThat(sink.get("process_write_bytes_per_second", app)).isEqualTo(4096);
        assertThat(sink.get("process_read_bytes_per_second", app)).isEqualTo(0);

        // pid reused by a new process (different start time): no bogus CPU rate
        Files.writeString(proc.resolve("4242/stat"), "4242 (my (app) x) S 1 4242 4242 0 -1 4194560 5000 0 10 0 1 1 "
                + "0 0 20 0 2 0 99999 1048576000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        s.sample(sink, T0 + 2000);
        assertThat(sink.get("process_cpu_cores", app)).isNaN();
    }

    private static String stat(int pid, char state, long utime, int threads, long rssPages) {
        return pid + " (p" + pid + ") " + state + " 1 " + pid + " " + pid + " 0 -1 4194560 0 0 0 0 " + utime + " 0 0 0 20 0 "
                + threads + " 0 1000 1000000 " + rssPages + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    }

    private static void process(Path proc, int pid, int threads, char taskState, long utime, long rss) throws Exception {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(d.resolve("stat"), stat(pid, 'S', utime, threads, rss));
        Files.createDirectories(d.resolve("fd"));
        for (int t = 0; t < threads; t++) {
            Path td = Files.createDirectories(d.resolve("task/" + (pid + t)));
            Files.writeString(td.resolve("stat"), stat(pid + t, t == 0 ? 'S' : taskState, utime, threads, rss));
        }
    }

    @Test
    void threadsOfUnreportedProcessesAreCountedInARotationByPidWhileReportedOnesAreCurrentWhenTheHostIsUnknown(
            @TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc"); // no proc/stat: procs_blocked unknown, so the reported process's gate is open
        process(proc, 10, 2, 'S', 1000, 50_000); // busy and big: the only one reported with topN = 1
        process(proc, 30, 2, 'S', 10, 100); // its rotation turn with taskSweepEvery = 3: (tick + 30) % 3 == 0
        ProcessSensor s = new ProcessSensor(proc, 1, 100, 4096, 3, 64);
        Sink sink = new Sink();
        s.sample(sink, T0); // tick 0 counts every multi-threaded process on first sight
        assertThat(sink.get("host_threads_d_state")).isEqualTo(0);
        // thread 31 of the small process and thread 11 of the reported one enter D
        Files.writeString(proc.resolve("30/task/31/stat"), stat(31, 'D', 10, 2, 100));
        Files.writeString(proc.resolve("10/task/11/stat"), stat(11, 'D', 1000, 2, 50_000));
        for (int tick = 1; tick <= 3; tick++) {
            Files.writeString(proc.resolve("10/stat"), stat(10, 'S', 1000 + 100L * tick, 2, 50_000 + 10L * tick));
            sink.clear();
            s.sample(sink, T0 + 1000L * tick);
            String[] big = {"comm", "p10", "pid", "10"};
            assertThat(sink.get("process_threads_d_state", big)).as("reported: current every tick").isEqualTo(1);
            assertThat(sink.has("process_cpu_cores", "comm", "p30", "pid", "30")).isFalse();
            // ticks 1 and 2 carry the small process's count from tick 0; tick 3 is its turn
            assertThat(sink.get("host_threads_d_state")).as("tick %d", tick).isEqualTo(tick < 3 ? 1 : 2);
            assertThat(sink.get("host_processes_d_state")).as("tick %d", tick).isEqualTo(tick < 3 ? 1 : 2);
        }
        assertThat(s.openFiles()).as("2 stat + 4 task stat (no io files here)").isEqualTo(6);
        assertThat(sink.get("process_info", "cmdline", "", "comm", "p10", "pid", "10")).isEqualTo(1);

        // a process that exits is dropped and its kept files closed
        try (Stream<Path> w = Files.walk(proc.resolve("30"))) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        s.sample(sink, T0 + 4000);
        assertThat(sink.get("host_processes")).isEqualTo(1);
        assertThat(s.openFiles()).isEqualTo(3);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        s.close();
        assertThat(s.openFiles()).isZero();
    }

    @Test
    void aReportedProcessIsCountedEveryTickOnlyWhileTheHostHasIoWaitersOrItHasThreadsInD(@TempDir Path tmp)
            throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc, 10, 2, 'S', 1000, 50_000); // reported; rotation turn (tick + 10) % 3 == 0: ticks 2, 5, ...
        Files.writeString(proc.resolve("stat"), "cpu  1 2 3 4\nprocs_running 1\nprocs_blocked 0\nsoftirq 0\n");
        ProcessSensor s = new ProcessSensor(proc, 1, 100, 4096, 3, 64);
        Sink sink = new Sink();
        String[] p10 = {"comm", "p10", "pid", "10"};
        // tick 0: first sight counts (0). tick 1: D outside I/O wait, gate closed, not its turn -> still 0 (the
        // documented lag). tick 2: its turn -> 1. tick 3: its last count found D -> counted again; it ended -> 0.
        // tick 4: D again, not its turn (5 is), but procs_blocked 1 opens the gate -> 1.
        char[] thread11 = {'S', 'D', 'D', 'S', 'D'};
        long[] blocked = {0, 0, 0, 0, 1};
        int[] expected = {0, 0, 1, 0, 1};
        for (int tick = 0; tick < 5; tick++) {
            Files.writeString(proc.resolve("10/task/11/stat"), stat(11, thread11[tick], 1000, 2, 50_000));
            Files.writeString(proc.resolve("stat"), "cpu  1 2 3 4\nprocs_running 1\nprocs_blocked " + blocked[tick]
                    + "\nsoftirq 0 0\n");
            Files.writeString(proc.resolve("10/stat"), stat(10, 'S', 1000 + 100L * tick, 2, 50_000));
            sink.clear();
            s.sample(sink, T0 + 1000L * tick);
            assertThat(sink.get("process_threads_d_state", p10)).as("tick %d", tick).isEqualTo(expected[tick]);
            assertThat(sink.get("host_threads_d_state")).as("tick %d", tick).isEqualTo(expected[tick]);
        }
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        s.close();
    }

    @Test
    void aReportedProcessWhoseMainThreadIsInDHasItsOtherThreadsCountedAtOnce(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc, 10, 3, 'S', 1000, 50_000); // turn (tick + 10) % 5 == 0: tick 5
        Files.writeString(proc.resolve("stat"), "procs_running 1\nprocs_blocked 0\n");
        ProcessSensor s = new ProcessSensor(proc, 1, 100, 4096, 5, 64);
        Sink sink = new Sink();
        s.sample(sink, T0);
        Files.writeString(proc.resolve("10/stat"), stat(10, 'D', 1100, 3, 50_000));
        Files.writeString(proc.resolve("10/task/10/stat"), stat(10, 'D', 1100, 3, 50_000));
        Files.writeString(proc.resolve("10/task/12/stat"), stat(12, 'D', 1100, 3, 50_000));
        sink.clear();
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("process_threads_d_state", "comm", "p10", "pid", "10")).isEqualTo(2);
        s.close();
    }

    @Test
    void withoutAnOpenFileBudgetEveryReadOpensTheFile(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc, 10, 2, 'D', 1000, 50_000);
        ProcessSensor s = new ProcessSensor(proc, 1, 100, 4096, 1, 0);
        Sink sink = new Sink();
        s.sample(sink, T0);
        Files.writeString(proc.resolve("10/stat"), stat(10, 'S', 1100, 2, 50_000));
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("process_cpu_cores", "comm", "p10", "pid", "10")).isEqualTo(1.0);
        assertThat(sink.get("host_threads_d_state")).isEqualTo(1);
        assertThat(s.openFiles()).isZero();
    }

    @Test
    void commandLineIsReadOnceWithNulsAsSpaces(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc, 10, 1, 'S', 1000, 50_000);
        Files.write(proc.resolve("10/cmdline"), "java\0-jar\0app.jar\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        ProcessSensor s = new ProcessSensor(proc, 1, 100, 4096);
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(sink.get("process_info", "cmdline", "java -jar app.jar", "comm", "p10", "pid", "10")).isEqualTo(1);
        Files.writeString(proc.resolve("10/cmdline"), "rewritten");
        sink.clear();
        s.sample(sink, T0 + 1000);
        assertThat(sink.has("process_info", "cmdline", "java -jar app.jar", "comm", "p10", "pid", "10")).isTrue();
    }

    @Test
    void missingProcFails() {
        ProcessSensor s = new ProcessSensor(Path.of("/no/such/proc"));
        s.sample(new Sink(), T0);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(s.health().reason()).contains("/no/such/proc");
    }

    @Test
    void realProcIsHealthyAndFindsThisJvmWithTheSystemPageSize() throws Exception {
        ProcessSensor s = new ProcessSensor(Path.of("/proc"), 200, 100, PageSize.system());
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(s.health().status()).isNotEqualTo(SensorHealth.Status.FAILED);
        String self = String.valueOf(ProcessHandle.current().pid());
        assertThat(sink.latest.keySet()).anyMatch(k -> self.equals(k.label("pid")));
        // RSS in bytes agrees with VmRSS within what this JVM can allocate between the two reads
        long vmRssKb = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
        double rss = sink.latest.entrySet().stream()
                .filter(e -> e.getKey().name().equals("process_rss_bytes") && self.equals(e.getKey().label("pid")))
                .mapToDouble(java.util.Map.Entry::getValue).findFirst().orElseThrow();
        assertThat(rss).isCloseTo(vmRssKb * 1024.0, org.assertj.core.data.Percentage.withPercentage(10));
        s.close();
    }

    /** A fixture procfs that claims to be this JVM's own ({@code self} names this pid) with a given last pid. */
    private static void ownProcfs(Path proc, long lastPid) throws Exception {
        Path self = proc.resolve("self");
        if (!Files.isSymbolicLink(self)) {
            Files.createSymbolicLink(self, Path.of(Long.toString(ProcessHandle.current().pid())));
        }
        Files.writeString(proc.resolve("loadavg"), "0.50 0.40 0.30 2/120 " + lastPid + "\n");
    }

    @Test
    void procIsListedAgainOnlyWhenTheLastAllocatedPidMoved(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc, 10, 1, 'S', 1000, 50_000);
        process(proc, 20, 1, 'S', 10, 100);
        ownProcfs(proc, 20);
        ProcessSensor s = new ProcessSensor(proc, 5, 100, 4096);
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(sink.get("host_processes")).isEqualTo(2);
        assertThat(s.listings()).isEqualTo(1);

        // an exit needs no listing: the process's stat read fails
        try (Stream<Path> w = Files.walk(proc.resolve("20"))) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("host_processes")).isEqualTo(1);
        assertThat(s.listings()).as("last pid unchanged").isEqualTo(1);

        // a fork moves the last pid: listed again and the new process found
        process(proc, 30, 1, 'S', 10, 100);
        ownProcfs(proc, 30);
        s.sample(sink, T0 + 2000);
        assertThat(sink.get("host_processes")).isEqualTo(2);
        assertThat(s.listings()).isEqualTo(2);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        s.close();
    }

    @Test
    void withoutProofThatProcIsOurOwnItIsListedEveryTick(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc, 10, 1, 'S', 1000, 50_000);
        Files.writeString(proc.resolve("loadavg"), "0.50 0.40 0.30 2/120 10\n");
        Files.createSymbolicLink(proc.resolve("self"), Path.of("999999999")); // another namespace's view
        ProcessSensor s = new ProcessSensor(proc, 5, 100, 4096);
        Sink sink = new Sink();
        s.sample(sink, T0);
        process(proc, 20, 1, 'S', 10, 100); // loadavg not updated
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("host_processes")).isEqualTo(2);
        assertThat(s.listings()).isEqualTo(2);
    }

    /** Records the listener calls as text, one line per call. */
    private static final class Recorder implements ProcessScanListener {
        final java.util.List<String> calls = new java.util.ArrayList<>();

        @Override
        public void scanStarted(long ts) {
            calls.add("start " + ts);
        }

        @Override
        public void process(long pid, long startTime, long cpuTicks, long threads, String comm) {
            calls.add(pid + " " + startTime + " " + cpuTicks + " " + threads + " " + comm);
        }

        @Override
        public void scanFinished(long ts, boolean complete) {
            calls.add("end " + ts + " " + complete);
        }
    }

    @Test
    void scanListenerGetsEveryProcessReadOnceATickWithItsStatFields(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc, 10, 2, 'S', 1000, 50_000);
        process(proc, 20, 1, 'S', 7, 100);
        Files.createDirectories(proc.resolve("30"));
        Files.writeString(proc.resolve("30/stat"), "garbage\n"); // not parsed: not passed on
        ProcessSensor s = new ProcessSensor(proc, 1, 100, 4096);
        Recorder r = new Recorder();
        s.scanListener(r);
        s.sample(new Sink(), T0);
        assertThat(r.calls).hasSize(4);
        assertThat(r.calls.get(0)).isEqualTo("start " + T0);
        assertThat(r.calls.subList(1, 3)).containsExactlyInAnyOrder("10 1000 1000 2 p10", "20 1000 7 1 p20");
        assertThat(r.calls.get(3)).isEqualTo("end " + T0 + " true");

        // next tick: 20 exited, 10 used more CPU; detached after that, nothing more arrives
        deleteTree(proc.resolve("20"));
        Files.writeString(proc.resolve("10/stat"), stat(10, 'S', 1250, 2, 50_000));
        r.calls.clear();
        s.sample(new Sink(), T0 + 1000);
        assertThat(r.calls).containsExactly("start " + (T0 + 1000), "10 1000 1250 2 p10", "end " + (T0 + 1000) + " true");
        s.scanListener(null);
        r.calls.clear();
        s.sample(new Sink(), T0 + 2000);
        assertThat(r.calls).isEmpty();
    }

    @Test
    void scanListenerHearsOfAFailedListingAsAnIncompleteScan() {
        ProcessSensor s = new ProcessSensor(Path.of("/no/such/proc"));
        Recorder r = new Recorder();
        s.scanListener(r);
        s.sample(new Sink(), T0);
        assertThat(r.calls).containsExactly("start " + T0, "end " + T0 + " false");
        assertThat(s.procRoot()).isEqualTo(Path.of("/no/such/proc"));
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> w = Files.walk(p)) {
            for (Path q : (Iterable<Path>) w.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(q);
            }
        }
    }
}
