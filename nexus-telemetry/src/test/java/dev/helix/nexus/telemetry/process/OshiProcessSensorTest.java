package dev.helix.nexus.telemetry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import oshi.software.os.OSProcess;
import oshi.software.os.OSThread;

/**
 * {@link OshiProcessSensor} on fake OSHI readings (OSHI's {@link OSProcess} is an interface), and once against real
 * OSHI on this Linux host, where OSHI reads /proc: the fallback code path that runs on macOS and Windows.
 */
class OshiProcessSensorTest {

    static final long T0 = 1_767_225_600_000L;

    /** An {@link OSProcess} whose readings a test sets; what the sensor must not need throws. */
    static final class FakeProcess implements OSProcess {
        int pid;
        String name;
        String commandLine = "";
        State state = State.RUNNING;
        long startTime = 1_000;
        long kernelMs;
        long userMs;
        long rss;
        int threads = 1;
        long openFiles = 3;
        long bytesRead;
        long bytesWritten;

        FakeProcess(int pid, String name) {
            this.pid = pid;
            this.name = name;
        }

        FakeProcess copy() {
            FakeProcess c = new FakeProcess(pid, name);
            c.commandLine = commandLine;
            c.state = state;
            c.startTime = startTime;
            c.kernelMs = kernelMs;
            c.userMs = userMs;
            c.rss = rss;
            c.threads = threads;
            c.openFiles = openFiles;
            c.bytesRead = bytesRead;
            c.bytesWritten = bytesWritten;
            return c;
        }

        @Override public String getName() { return name; }
        @Override public String getCommandLine() { return commandLine; }
        @Override public State getState() { return state; }
        @Override public int getProcessID() { return pid; }
        @Override public int getThreadCount() { return threads; }
        @Override public long getResidentSetSize() { return rss; }
        @Override public long getKernelTime() { return kernelMs; }
        @Override public long getUserTime() { return userMs; }
        @Override public long getStartTime() { return startTime; }
        @Override public long getBytesRead() { return bytesRead; }
        @Override public long getBytesWritten() { return bytesWritten; }
        @Override public long getOpenFiles() { return openFiles; }

        @Override public String getPath() { throw unused(); }
        @Override public List<String> getArguments() { throw unused(); }
        @Override public Map<String, String> getEnvironmentVariables() { throw unused(); }
        @Override public String getCurrentWorkingDirectory() { throw unused(); }
        @Override public String getUser() { throw unused(); }
        @Override public String getUserID() { throw unused(); }
        @Override public String getGroup() { throw unused(); }
        @Override public String getGroupID() { throw unused(); }
        @Override public int getParentProcessID() { throw unused(); }
        @Override public int getPriority() { throw unused(); }
        @Override public long getVirtualSize() { throw unused(); }
        @Override public long getUpTime() { throw unused(); }
        @Override public long getSoftOpenFileLimit() { throw unused(); }
        @Override public long getHardOpenFileLimit() { throw unused(); }
        @Override public double getProcessCpuLoadCumulative() { throw unused(); }
        @Override public double getProcessCpuLoadBetweenTicks(OSProcess p) { throw unused(); }
        @Override public int getBitness() { throw unused(); }
        @Override public long getAffinityMask() { throw unused(); }
        @Override public boolean updateAttributes() { throw unused(); }
        @Override public List<OSThread> getThreadDetails() { throw unused(); }

        private static UnsupportedOperationException unused() {
            return new UnsupportedOperationException("not read by OshiProcessSensor");
        }
    }

    /** The process table a test mutates between ticks; each listing hands out fresh copies, as OSHI does. */
    static final class Table {
        final List<FakeProcess> processes = new ArrayList<>();

        FakeProcess add(int pid, String name) {
            FakeProcess p = new FakeProcess(pid, name);
            processes.add(p);
            return p;
        }

        List<OSProcess> list() {
            List<OSProcess> out = new ArrayList<>();
            for (FakeProcess p : processes) {
                out.add(p.copy());
            }
            return out;
        }
    }

    private static OshiProcessSensor sensor(Table table, int topN) {
        return new OshiProcessSensor(() -> table::list, topN);
    }

    @Test
    void cpuCoresAreKernelPlusUserTimeOverTheClocksElapsedTime() {
        Table table = new Table();
        FakeProcess p = table.add(42, "worker");
        p.rss = 10 << 20;
        p.kernelMs = 1_000;
        p.userMs = 2_000;
        ManualClock clock = new ManualClock(T0);
        try (OshiProcessSensor s = sensor(table, 10)) {
            Sink sink = new Sink();
            s.sample(sink, clock.wallMillis());
            assertThat(sink.get("process_cpu_cores", "pid", "42", "comm", "worker")).isNaN(); // first reading
            p.kernelMs += 300;
            p.userMs += 1_200; // 1.5 s of CPU in 2 s of clock time
            clock.advance(Duration.ofSeconds(2));
            s.sample(sink, clock.wallMillis());
            assertThat(sink.get("process_cpu_cores", "pid", "42", "comm", "worker")).isCloseTo(0.75, within(1e-12));
            assertThat(sink.get("process_rss_bytes", "pid", "42", "comm", "worker")).isEqualTo(10 << 20);
            assertThat(sink.get("process_threads", "pid", "42", "comm", "worker")).isEqualTo(1);
            assertThat(sink.get("process_open_fds", "pid", "42", "comm", "worker")).isEqualTo(3);
            assertThat(sink.get("host_processes")).isEqualTo(1);
            assertThat(s.health().status()).as(s.health().toString()).isNotEqualTo(SensorHealth.Status.FAILED);
        }
    }

    @Test
    void reportsTheSameTopNUnionAsTheProcSensorUnderTheSameNames() {
        Table table = new Table();
        FakeProcess busy = table.add(1, "busy");
        busy.rss = 1 << 20;
        FakeProcess big = table.add(2, "big");
        big.rss = 900 << 20;
        FakeProcess growing = table.add(3, "growing");
        growing.rss = 2 << 20;
        FakeProcess idle = table.add(4, "idle");
        idle.rss = 3 << 20;
        for (FakeProcess p : table.processes) {
            p.bytesRead = 4096;
            p.bytesWritten = 8192;
        }
        try (OshiProcessSensor s = sensor(table, 1)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            busy.userMs += 500;
            growing.rss += 1 << 20;
            big.bytesWritten += 1_000_000;
            sink.clear();
            s.sample(sink, T0 + 1000);
            // top 1 by CPU (busy), by RSS (big), by growth (growing); idle is in no ranking
            assertThat(sink.count("process_rss_bytes")).isEqualTo(3);
            assertThat(sink.has("process_rss_bytes", "pid", "4", "comm", "idle")).isFalse();
            assertThat(sink.get("process_cpu_cores", "pid", "1", "comm", "busy")).isCloseTo(0.5, within(1e-12));
            assertThat(sink.get("process_rss_growth_bytes_per_second", "pid", "3", "comm", "growing"))
                    .isEqualTo(1 << 20);
            assertThat(sink.get("process_write_bytes_per_second", "pid", "2", "comm", "big")).isEqualTo(1_000_000);
            assertThat(sink.get("process_read_bytes_per_second", "pid", "2", "comm", "big")).isZero();
            assertThat(sink.get("host_processes")).isEqualTo(4);
            assertThat(sink.get("host_processes_zombie")).isZero();
            assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
            // every per-process name is one ProcessSensor uses too
            assertThat(sink.latest.keySet()).extracting(MetricKey::name).allMatch(n -> List.of("process_cpu_cores",
                    "process_rss_bytes", "process_rss_growth_bytes_per_second", "process_threads",
                    "process_open_fds", "process_read_bytes_per_second", "process_write_bytes_per_second",
                    "process_info", "host_processes", "host_processes_zombie").contains(n));
        }
    }

    @Test
    void openFilesOshiCannotCountAreLeftOutWithAReasonNotAHealthyZero() {
        Table table = new Table();
        FakeProcess a = table.add(10, "a");
        a.rss = 5 << 20;
        a.openFiles = -1; // what OSHI returns where the platform has no count
        FakeProcess b = table.add(11, "b");
        b.rss = 6 << 20;
        b.openFiles = -1;
        try (OshiProcessSensor s = sensor(table, 10)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(sink.count("process_open_fds")).isZero();
            assertThat(sink.count("process_rss_bytes")).isEqualTo(2);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("open files unknown for 2 of 2 reported processes")
                    .contains("-1: no count on this platform");

            b.openFiles = 0; // not readable (another user's process): also unknown, with the other wording
            a.openFiles = 7;
            s.sample(sink, T0 + 1000);
            assertThat(sink.get("process_open_fds", "pid", "10", "comm", "a")).isEqualTo(7);
            assertThat(s.health().reason()).contains("open files unknown for 1 of 2").contains("OSHI gave 0");
        }
    }

    @Test
    void zeroRssThreadsAndByteCountersAreUnknownNotZero() {
        Table table = new Table();
        FakeProcess p = table.add(7, "hidden");
        p.rss = 0;
        p.threads = 0;
        p.userMs = 10;
        try (OshiProcessSensor s = sensor(table, 10)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            p.userMs += 100;
            s.sample(sink, T0 + 1000);
            assertThat(sink.get("process_cpu_cores", "pid", "7", "comm", "hidden")).isCloseTo(0.1, within(1e-12));
            assertThat(sink.has("process_rss_bytes", "pid", "7", "comm", "hidden")).isFalse();
            assertThat(sink.has("process_threads", "pid", "7", "comm", "hidden")).isFalse();
            assertThat(sink.has("process_read_bytes_per_second", "pid", "7", "comm", "hidden")).isFalse();
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("RSS unknown (0 or less) for 1 of 1")
                    .contains("thread count unknown").contains("I/O byte counters 0 for all 1");
        }
    }

    @Test
    void aReusedPidOrACounterGoingBackwardsGivesNoRateRatherThanANegativeOne() {
        Table table = new Table();
        FakeProcess p = table.add(99, "old");
        p.rss = 1 << 20;
        p.userMs = 5_000;
        p.bytesRead = 1_000_000;
        try (OshiProcessSensor s = sensor(table, 10)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            p.startTime += 60_000; // pid 99 now names another process, same name
            p.userMs = 20;
            p.bytesRead = 10;
            s.sample(sink, T0 + 1000);
            assertThat(sink.get("process_cpu_cores", "pid", "99", "comm", "old")).isNaN();
            assertThat(sink.get("process_read_bytes_per_second", "pid", "99", "comm", "old")).isNaN();
            p.userMs = 10; // same process, counter went back: a reset, not -10 ms/s
            s.sample(sink, T0 + 2000);
            assertThat(sink.get("process_cpu_cores", "pid", "99", "comm", "old")).isNaN();
            p.userMs = 510;
            s.sample(sink, T0 + 3000);
            assertThat(sink.get("process_cpu_cores", "pid", "99", "comm", "old")).isCloseTo(0.5, within(1e-12));
        }
    }

    @Test
    void exitedProcessesAreForgottenAndZombiesCounted() {
        Table table = new Table();
        for (int i = 1; i <= 50; i++) {
            table.add(i, "p" + i).rss = i << 20;
        }
        table.processes.get(0).state = OSProcess.State.ZOMBIE;
        table.processes.get(1).state = OSProcess.State.INVALID; // exited between listing and reading
        try (OshiProcessSensor s = sensor(table, 5)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(s.tracked()).isEqualTo(49);
            assertThat(sink.get("host_processes")).isEqualTo(49);
            assertThat(sink.get("host_processes_zombie")).isEqualTo(1);
            table.processes.subList(10, 50).clear();
            s.sample(sink, T0 + 1000);
            assertThat(s.tracked()).isEqualTo(9);
            assertThat(sink.get("host_processes")).isEqualTo(9);
        }
    }

    @Test
    void commandLineHasControlCharactersAsSpacesAndIsCut() {
        Table table = new Table();
        FakeProcess p = table.add(5, "java");
        p.rss = 1 << 20;
        p.commandLine = "java\0-jar\0app.jar\t" + "x".repeat(400) + "\0";
        try (OshiProcessSensor s = sensor(table, 10)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            MetricKey info = sink.latest.keySet().stream().filter(k -> k.name().equals("process_info")).findFirst()
                    .orElseThrow();
            String cmd = info.labels().get("cmdline");
            assertThat(cmd).startsWith("java -jar app.jar x").hasSize(ProcessSensor.MAX_CMDLINE)
                    .doesNotContain("\0", "\t");
        }
    }

    @Test
    void anEmptyProcessListIsFailedWithAReasonAndRecordsNothing() {
        try (OshiProcessSensor s = new OshiProcessSensor(() -> List::of, 10)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("no processes listed").contains("/proc");
            assertThat(sink.latest).isEmpty();
        }
    }

    @Test
    void oshiThatCannotLoadOrListIsFailedNamingTheError() {
        try (OshiProcessSensor s = new OshiProcessSensor(() -> {
            throw new UnsatisfiedLinkError("no jnidispatch in java.library.path");
        }, 10)) {
            s.sample(new Sink(), T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("OSHI unavailable").contains("jnidispatch");
        }
        try (OshiProcessSensor s = new OshiProcessSensor(() -> () -> {
            throw new IllegalStateException("sysctl KERN_PROC failed");
        }, 10)) {
            s.sample(new Sink(), T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("cannot list processes").contains("KERN_PROC")
                    .doesNotContain(AbstractSensor.INTERNAL_ERROR);
        }
        assertThatThrownBy(() -> new OshiProcessSensor(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topN");
    }

    /** Real OSHI on this Linux host (it reads /proc): the fallback code really running, and it finds this JVM. */
    @Test
    void realOshiFindsThisJvmWithItsRssAndThreads() {
        String self = Long.toString(ProcessHandle.current().pid());
        try (OshiProcessSensor s = new OshiProcessSensor(100_000)) { // report every process: this JVM is among them
            Sink sink = new Sink();
            s.sample(sink, T0);
            long x = 0;
            for (int i = 0; i < 5_000_000; i++) {
                x += i ^ (x >>> 3);
            }
            assertThat(x).isNotZero();
            s.sample(sink, T0 + 1000);
            assertThat(s.health().status()).as(s.health().toString()).isNotEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
            MetricKey rss = sink.latest.keySet().stream()
                    .filter(k -> k.name().equals("process_rss_bytes") && self.equals(k.labels().get("pid")))
                    .findFirst().orElseThrow(() -> new AssertionError("pid " + self + " not reported: " + s.health()));
            String comm = rss.labels().get("comm");
            assertThat(sink.get("process_rss_bytes", "pid", self, "comm", comm))
                    .isGreaterThan(10 << 20); // no JVM runs in less than 10 MiB resident
            assertThat(sink.get("process_threads", "pid", self, "comm", comm)).isGreaterThan(1);
            assertThat(sink.get("process_open_fds", "pid", self, "comm", comm)).isGreaterThanOrEqualTo(3);
            assertThat(sink.get("process_cpu_cores", "pid", self, "comm", comm)).isGreaterThanOrEqualTo(0);
            assertThat(sink.get("host_processes")).isGreaterThanOrEqualTo(1);
            MetricKey info = MetricKey.of("process_info", "pid", self, "comm", comm, "cmdline",
                    sink.latest.keySet().stream().filter(k -> k.name().equals("process_info")
                            && self.equals(k.labels().get("pid"))).findFirst().orElseThrow().labels().get("cmdline"));
            assertThat(info.labels().get("cmdline")).contains("java");
        }
    }
}
