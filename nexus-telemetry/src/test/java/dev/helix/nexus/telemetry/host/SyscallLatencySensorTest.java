package dev.helix.nexus.telemetry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TelemetryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyscallLatencySensorTest {

    static final long T0 = 1_767_225_600_000L;

    private static MetricKey q(String op, String quantile) {
        return MetricKey.of("host_syscall_latency_seconds", "op", op, "quantile", quantile);
    }

    private static void assertOrderedQuantiles(TelemetryStore store, String op, int probes) {
        double p50 = store.latestValue(q(op, "0.5"));
        double p99 = store.latestValue(q(op, "0.99"));
        double p999 = store.latestValue(q(op, "0.999"));
        double max = store.latestValue(MetricKey.of("host_syscall_latency_max_seconds", "op", op));
        assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
        assertThat(p99).isLessThanOrEqualTo(p999);
        assertThat(p999).isLessThanOrEqualTo(max);
        assertThat(store.latestValue(MetricKey.of("host_syscall_probes", "op", op))).isEqualTo(probes);
    }

    @Test
    void probesProcSelfStatOnThisMachine() {
        assumeThat(Files.isReadable(Path.of("/proc/self/stat"))).as("needs Linux /proc").isTrue();
        try (SyscallLatencySensor s = new SyscallLatencySensor()) {
            TelemetryStore store = new TelemetryStore();
            s.sample(store, T0);
            s.sample(store, T0 + 1000);
            assertThat(s.health().status()).as(s.health().toString()).isEqualTo(SensorHealth.Status.HEALTHY);
            assertOrderedQuantiles(store, "pread", SyscallLatencySensor.DEFAULT_ITERATIONS);
            assertOrderedQuantiles(store, "stat", SyscallLatencySensor.DEFAULT_ITERATIONS);
        }
    }

    @Test
    void worksOnAnyReadableFile(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("probe"), "x".repeat(100));
        try (SyscallLatencySensor s = new SyscallLatencySensor(f, 10)) {
            TelemetryStore store = new TelemetryStore();
            s.sample(store, T0);
            assertThat(s.health().isHealthy()).isTrue();
            assertOrderedQuantiles(store, "pread", 10);
        }
    }

    @Test
    void quantilesCoverTheWindowWhileProbesCountThisTick(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("probe"), "x".repeat(100));
        try (SyscallLatencySensor s = new SyscallLatencySensor(f, 7, 3)) {
            TelemetryStore store = new TelemetryStore();
            for (int tick = 0; tick < 5; tick++) {
                s.sample(store, T0 + tick * 1000L);
                assertThat(s.health().isHealthy()).isTrue();
                assertOrderedQuantiles(store, "pread", 7);
                assertOrderedQuantiles(store, "stat", 7);
            }
        }
        assertThatThrownBy(() -> new SyscallLatencySensor(f, 10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyscallLatencySensor(f, 1000, 1001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultWindowHoldsAThousandCallsSoP999IsNotTheMaximum() {
        assertThat(SyscallLatencySensor.DEFAULT_WINDOW_CALLS).isGreaterThanOrEqualTo(1000);
        SyscallLatencySensor.LatencyWindow w = new SyscallLatencySensor.LatencyWindow(SyscallLatencySensor.DEFAULT_WINDOW_CALLS);
        // 1000 distinct timings 1 µs .. 1000 µs, in shuffled order (a fixed permutation: i * 7 mod 1000)
        for (int i = 0; i < 1000; i++) {
            w.add(((i * 7L) % 1000 + 1) * 1_000L);
        }
        w.rebuild();
        assertThat(w.size()).isEqualTo(1000);
        // HdrHistogram with 2 significant digits reports a bucket's upper end: at most 1 % above the true value
        assertThat(w.quantileNanos(0.5)).isBetween(500_000L, 505_000L);
        assertThat(w.quantileNanos(0.99)).isBetween(990_000L, 999_900L);
        assertThat(w.quantileNanos(0.999)).isBetween(999_000L, 1_009_000L);
        assertThat(w.maxNanos()).isBetween(1_000_000L, 1_010_000L);
        // the p99.9 is the 999th timing, not the 1000th: an outlier far above the rest moves the max, not the p99.9
        w.add(50_000_000L); // evicts the oldest (1 µs), adds a 50 ms stall
        w.rebuild();
        assertThat(w.maxNanos()).isBetween(50_000_000L, 50_500_000L);
        assertThat(w.quantileNanos(0.999)).isLessThan(1_100_000L);
    }

    @Test
    void defaultsReachAThousandCallsPerOpAfterTheWindowOfTicksAndStayThere(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("probe"), "x".repeat(100));
        int perTick = SyscallLatencySensor.DEFAULT_ITERATIONS;
        int windowTicks = SyscallLatencySensor.DEFAULT_WINDOW_TICKS;
        MetricKey calls = MetricKey.of("host_syscall_window_calls", "op", "pread");
        try (SyscallLatencySensor s = new SyscallLatencySensor(f, perTick, windowTicks)) {
            TelemetryStore store = new TelemetryStore();
            for (int tick = 1; tick <= windowTicks + 5; tick++) {
                s.sample(store, T0 + tick * 1000L);
                assertThat(store.latestValue(calls)).as("tick %d", tick)
                        .isEqualTo(Math.min(tick * perTick, SyscallLatencySensor.DEFAULT_WINDOW_CALLS));
            }
            assertThat(store.latestValue(MetricKey.of("host_syscall_probes", "op", "stat"))).isEqualTo(perTick);
        }
        assertThat(SyscallLatencySensor.DEFAULT_WINDOW_CALLS).isEqualTo(perTick * windowTicks).isEqualTo(1000);
    }

    @Test
    void addingRebuildingAndReadingTheWindowIsAllocationFree() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        SyscallLatencySensor.LatencyWindow w = new SyscallLatencySensor.LatencyWindow(SyscallLatencySensor.DEFAULT_WINDOW_CALLS);
        long sink = 0;
        for (int tick = 0; tick < 200; tick++) { // warm-up: JIT, full ring
            sink += oneTick(w, tick);
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int tick = 0; tick < 1000; tick++) {
            sink += oneTick(w, tick);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(sink).isPositive();
        // 1000 ticks: one object per tick would already be >= 16 000 bytes
        assertThat(allocated).isLessThan(1024);
    }

    private static long oneTick(SyscallLatencySensor.LatencyWindow w, int tick) {
        for (int i = 0; i < SyscallLatencySensor.DEFAULT_ITERATIONS; i++) {
            w.add(1_000L + (tick * 31L + i * 17L) % 50_000L);
        }
        w.rebuild();
        return w.quantileNanos(0.5) + w.quantileNanos(0.99) + w.quantileNanos(0.999) + w.maxNanos();
    }

    @Test
    void oldCallsLeaveTheWindow() {
        SyscallLatencySensor.LatencyWindow w = new SyscallLatencySensor.LatencyWindow(100);
        w.add(9_000_000_000L); // a 9 s stall
        for (int i = 0; i < 99; i++) {
            w.add(2_000L);
        }
        w.rebuild();
        assertThat(w.maxNanos()).isGreaterThanOrEqualTo(9_000_000_000L);
        w.add(3_000L); // the stall is the oldest call and leaves
        w.rebuild();
        assertThat(w.size()).isEqualTo(100);
        assertThat(w.maxNanos()).isBetween(3_000L, 3_030L);
        assertThat(w.quantileNanos(0.5)).isBetween(2_000L, 2_020L);
        w.add(Long.MAX_VALUE); // clamped to the histogram's range, not an exception
        w.rebuild();
        assertThat(w.maxNanos()).isGreaterThanOrEqualTo(SyscallLatencySensor.LatencyWindow.HIGHEST_NANOS);
    }

    @Test
    void reportsHowManyCallsTheQuantilesRestOn(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("probe"), "x".repeat(100));
        try (SyscallLatencySensor s = new SyscallLatencySensor(f, 4, 3)) {
            TelemetryStore store = new TelemetryStore();
            MetricKey calls = MetricKey.of("host_syscall_window_calls", "op", "stat");
            s.sample(store, T0);
            assertThat(store.latestValue(calls)).isEqualTo(4);
            s.sample(store, T0 + 1000);
            s.sample(store, T0 + 2000);
            s.sample(store, T0 + 3000);
            assertThat(store.latestValue(calls)).isEqualTo(12);
        }
    }

    @Test
    void missingFileIsFailedNamingIt(@TempDir Path tmp) {
        Path f = tmp.resolve("gone");
        try (SyscallLatencySensor s = new SyscallLatencySensor(f, 5)) {
            TelemetryStore store = new TelemetryStore();
            s.sample(store, T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("gone").doesNotContain("internal error");
            assertThat(store.keys()).isEmpty();
        }
        assertThatThrownBy(() -> new SyscallLatencySensor(f, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
