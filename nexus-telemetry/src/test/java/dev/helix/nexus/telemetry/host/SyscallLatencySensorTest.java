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
