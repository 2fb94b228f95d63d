package dev.helix.nexus.telemetry.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import org.junit.jupiter.api.Test;

/** OSHI works on Linux too (it reads /proc there), so the fallback is tested directly on this machine. */
class OshiHostSensorTest {

    static final long T0 = 1_767_225_600_000L;

    @Test
    void reportsPlausibleCpuMemorySwapLoadDiskAndNetwork() throws Exception {
        try (OshiHostSensor s = new OshiHostSensor()) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
            assertThat(sink.has("host_cpu_busy_fraction", "cpu", "total")).isFalse(); // needs two readings
            assertThat(sink.has("host_network_receive_bytes_per_second")).isFalse();
            // burn a little CPU so the tick counters can move (not asserted: a fast test cannot promise it)
            long x = 0;
            for (int i = 0; i < 5_000_000; i++) {
                x += i ^ (x >>> 3);
            }
            assertThat(x).isNotZero();
            s.sample(sink, T0 + 1000);
            assertThat(s.health().status()).as(s.health().toString()).isNotEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);

            double cpus = sink.get("host_cpu_count");
            // logical CPUs of the host; the JVM may see fewer (cgroup quota, affinity)
            assertThat(cpus).isGreaterThanOrEqualTo(1).isLessThan(100_000);
            if (sink.has("host_cpu_busy_fraction", "cpu", "total")) {
                assertThat(sink.get("host_cpu_busy_fraction", "cpu", "total")).isBetween(0.0, 1.0);
            }
            double total = sink.get("host_memory_total_bytes");
            double available = sink.get("host_memory_available_bytes");
            assertThat(total).isGreaterThan(64L << 20).isLessThan(1L << 50);
            assertThat(available).isPositive().isLessThanOrEqualTo(total);
            assertThat(sink.get("host_memory_available_fraction")).isBetween(0.0, 1.0);
            assertThat(total).isGreaterThanOrEqualTo(Runtime.getRuntime().totalMemory());
            double swapTotal = sink.get("host_swap_total_bytes");
            assertThat(swapTotal).isGreaterThanOrEqualTo(0);
            assertThat(sink.get("host_swap_used_bytes")).isBetween(0.0, swapTotal);
            assertThat(sink.get("host_swap_free_bytes")).isBetween(0.0, swapTotal);
            assertThat(sink.get("host_load1")).isBetween(0.0, 10_000.0); // Linux has a load average
            assertThat(sink.get("host_load15")).isBetween(0.0, 10_000.0);
            // a Linux host or container always has loopback; rates appear on the second tick and are never negative
            assertThat(sink.count("host_network_receive_bytes_per_second")).isGreaterThanOrEqualTo(1);
            for (var e : sink.latest.entrySet()) {
                MetricKey k = e.getKey();
                if (k.name().endsWith("_per_second")) {
                    assertThat(e.getValue()).as(k.toString()).satisfiesAnyOf(
                            v -> assertThat(v).isNaN(), v -> assertThat(v).isGreaterThanOrEqualTo(0.0));
                }
            }
            // disks: a container may expose none; where it does, each has all four rates
            long disks = sink.count("host_disk_reads_per_second");
            assertThat(sink.count("host_disk_write_bytes_per_second")).isEqualTo(disks);
            assertThat(sink.latest.keySet()).noneMatch(k -> k.toString().contains("/dev/"));
        }
    }
}
