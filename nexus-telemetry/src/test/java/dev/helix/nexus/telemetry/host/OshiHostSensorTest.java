package dev.helix.nexus.telemetry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.util.List;
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

    /** Readings a test sets field by field; counters advance by {@code step} per call. */
    static class FakeReadings implements OshiHostSensor.Readings {
        int cpus = 2;
        long[] ticks = {100, 0, 50, 800, 50, 0, 0, 0}; // user nice system idle iowait irq softirq steal
        long[] tickStep = {10, 0, 10, 70, 10, 0, 0, 0};
        long[] memory = {8L << 30, 3L << 30, 2L << 30, 1L << 30};
        long[] disk = {1000, 500, 4_096_000, 2_048_000};
        long[] diskStep = {10, 5, 40_960, 20_480};

        @Override
        public int logicalCpus() {
            return cpus;
        }

        @Override
        public long[] cpuTicks() {
            long[] now = ticks.clone();
            for (int i = 0; i < ticks.length; i++) {
                ticks[i] += tickStep[i];
            }
            return now;
        }

        @Override
        public double[] loadAverage() {
            return new double[] {0.5, 0.4, 0.3};
        }

        @Override
        public long[] memory() {
            return memory.clone();
        }

        @Override
        public List<OshiHostSensor.Counters> disks(boolean enumerate) {
            long[] now = disk.clone();
            for (int i = 0; i < disk.length; i++) {
                disk[i] += diskStep[i];
            }
            return List.of(new OshiHostSensor.Counters("vda", now));
        }

        @Override
        public List<OshiHostSensor.Counters> networks(boolean enumerate) {
            return List.of(new OshiHostSensor.Counters("lo", new long[] {1, 1, 0, 0, 1, 1, 0}));
        }
    }

    @Test
    void plausibleReadingsAreHealthyWithBusyFractionFromTheTickDeltas() {
        FakeReadings r = new FakeReadings();
        try (OshiHostSensor s = new OshiHostSensor(() -> r)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            s.sample(sink, T0 + 1000);
            assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
            // 100 ticks passed, 80 of them idle or iowait
            assertThat(sink.get("host_cpu_busy_fraction", "cpu", "total")).isCloseTo(0.2, within(1e-12));
            assertThat(sink.get("host_memory_total_bytes")).isEqualTo(8L << 30);
            assertThat(sink.get("host_memory_available_fraction")).isEqualTo(0.375);
            assertThat(sink.get("host_swap_free_bytes")).isEqualTo(1L << 30);
            assertThat(sink.get("host_disk_read_bytes_per_second", "device", "vda")).isEqualTo(40_960);
        }
    }

    @Test
    void zeroMemoryTotalIsUnavailableNotAHealthyZero() {
        FakeReadings r = new FakeReadings();
        r.memory = new long[] {0, 0, 0, 0}; // what OSHI returns on Linux when /proc/meminfo is hidden
        try (OshiHostSensor s = new OshiHostSensor(() -> r)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().source()).isEqualTo("oshi:memory");
            assertThat(s.health().reason()).contains("total memory unavailable");
            assertThat(sink.has("host_memory_total_bytes")).isFalse();
            assertThat(sink.has("host_memory_available_bytes")).isFalse();
            assertThat(sink.has("host_swap_used_bytes")).isFalse();
            assertThat(sink.get("host_load1")).isEqualTo(0.5); // the other groups still flow
        }
    }

    @Test
    void cpuTicksThatAreZeroOrStuckGiveNoBusyFraction() {
        FakeReadings r = new FakeReadings();
        r.ticks = new long[8];
        r.tickStep = new long[8];
        try (OshiHostSensor s = new OshiHostSensor(() -> r)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            s.sample(sink, T0 + 1000);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("CPU ticks unavailable (all 0)");
            assertThat(sink.has("host_cpu_busy_fraction", "cpu", "total")).isFalse();

            r.ticks = new long[] {5, 0, 5, 90, 0, 0, 0, 0}; // readable, but frozen
            s.sample(sink, T0 + 2000);
            s.sample(sink, T0 + 3000);
            assertThat(s.health().reason()).contains("CPU ticks did not advance");
            assertThat(sink.has("host_cpu_busy_fraction", "cpu", "total")).isFalse();
        }
    }

    @Test
    void diskOperationsWithoutBytesLeaveBothRatesOfThatDirectionOut() {
        FakeReadings r = new FakeReadings();
        r.disk = new long[] {34_416, 10, 0, 81_920};
        r.diskStep = new long[] {100, 1, 0, 4096};
        try (OshiHostSensor s = new OshiHostSensor(() -> r)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            s.sample(sink, T0 + 1000);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("disk vda has 34516 reads but read bytes unavailable (0)");
            // the pair is inconsistent: no telling whether the operations or the bytes are wrong
            assertThat(sink.has("host_disk_read_bytes_per_second", "device", "vda")).isFalse();
            assertThat(sink.has("host_disk_reads_per_second", "device", "vda")).isFalse();
            assertThat(sink.get("host_disk_writes_per_second", "device", "vda")).isEqualTo(1);
            assertThat(sink.get("host_disk_write_bytes_per_second", "device", "vda")).isEqualTo(4096);
        }
    }

    /**
     * What OSHI 6.9.1 gives on Linux when /proc/diskstats is hidden (measured on this VM, /sys/block/vda/stat with 17
     * fields parsed as 11): reads = sectors written, read bytes = in-flight × 512, writes = ms in queue, write bytes =
     * merged discards × 512. The write bytes are not 0, so only "fewer bytes than operations" catches them.
     */
    @Test
    void misalignedCountersWithFewerBytesThanOperationsAreLeftOutNotAZeroRate() {
        FakeReadings r = new FakeReadings();
        r.disk = new long[] {1_084_640_048L, 32_245_536L, 0, 51 * 512};
        r.diskStep = new long[] {800, 570, 0, 0};
        try (OshiHostSensor s = new OshiHostSensor(() -> r)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            s.sample(sink, T0 + 1000);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("disk vda has 32246106 writes but only 26112 bytes written "
                    + "(fewer bytes than operations): its write rates left out");
            assertThat(sink.has("host_disk_write_bytes_per_second", "device", "vda")).isFalse();
            assertThat(sink.has("host_disk_writes_per_second", "device", "vda")).isFalse();
            assertThat(sink.has("host_disk_reads_per_second", "device", "vda")).isFalse();
            assertThat(sink.get("host_load1")).isEqualTo(0.5); // the other groups still flow
        }
    }

    @Test
    void bytesWithoutOperationsOrUnknownCountersAreLeftOutWithTheReasonGiven() {
        FakeReadings r = new FakeReadings();
        r.disk = new long[] {0, 5, 8192, 20_480};
        r.diskStep = new long[] {0, 1, 4096, 4096};
        try (OshiHostSensor s = new OshiHostSensor(() -> r)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(s.health().reason()).contains("disk vda has 8192 bytes read but no reads");
            assertThat(sink.has("host_disk_reads_per_second", "device", "vda")).isFalse();
            assertThat(sink.has("host_disk_writes_per_second", "device", "vda")).isTrue();
        }
    }

    @Test
    void aDiskWhoseCountersCannotBeReadGivesNoRatesAndItsNote() {
        FakeReadings r = new FakeReadings() {
            @Override
            public List<OshiHostSensor.Counters> disks(boolean enumerate) {
                return List.of(new OshiHostSensor.Counters("vda", new long[] {-1, -1, -1, -1},
                        "oshi: disk vda: /sys/block/vda/stat: java.nio.file.AccessDeniedException"));
            }
        };
        try (OshiHostSensor s = new OshiHostSensor(() -> r)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            s.sample(sink, T0 + 1000);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("/sys/block/vda/stat").contains("AccessDenied");
            assertThat(sink.count("host_disk_reads_per_second")).isZero();
            assertThat(sink.count("host_disk_write_bytes_per_second")).isZero();
        }
    }

    @Test
    void blockStatLinesGiveOperationsAndSectorBytes() {
        // the 17-field line of a 5.5+ kernel (this VM's vda) and the 11-field line of older kernels
        assertThat(OshiHostSensor.parseBlockStat(" 2508196    59738 182622338  1880524 34102584   329624 "
                + "1084640048 30266439        0   731220 32245536   421067       51 312735504    85828   199920    "
                + "12744\n")).containsExactly(2_508_196L, 34_102_584L, 182_622_338L * 512, 1_084_640_048L * 512);
        assertThat(OshiHostSensor.parseBlockStat("10 0 80 5 4 0 16 2 0 7 7")).containsExactly(10L, 4L, 80L * 512,
                16L * 512);
        assertThat(OshiHostSensor.parseBlockStat("")).isNull();
        assertThat(OshiHostSensor.parseBlockStat("1 2 3")).isNull();
        assertThat(OshiHostSensor.parseBlockStat("a b c d e f g h i j k")).isNull();
        assertThat(OshiHostSensor.parseBlockStat("1 0 -8 0 1 0 8 0 0 0 0")).isNull();
    }

    @Test
    void oshiThatCannotLoadIsFailedNamingTheError() {
        try (OshiHostSensor s = new OshiHostSensor(() -> {
            throw new UnsatisfiedLinkError("no jnidispatch in java.library.path");
        })) {
            s.sample(new Sink(), T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("OSHI unavailable").contains("jnidispatch");
        }
    }
}
