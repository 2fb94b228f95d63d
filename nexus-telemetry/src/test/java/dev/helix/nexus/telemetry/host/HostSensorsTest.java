package dev.helix.nexus.telemetry.host;

import static dev.helix.nexus.telemetry.TestSupport.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host sensors on fixtures copied from this machine's /proc (t0 and t1 one second apart) and on crafted text. */
class HostSensorsTest {

    static final long T0 = 1_767_225_600_000L;
    static final long T1 = T0 + 1_000;

    static String read(String tree, String file) throws Exception {
        return Files.readString(fixture(tree).resolve(file));
    }

    @Test
    void procStatSplitsCpuTimeIntoFractionsAndRates() {
        ProcStatSensor s = new ProcStatSensor(Path.of("/nonexistent"));
        Sink sink = new Sink();
        s.sampleText("""
                cpu  100 0 50 800 50 0 0 0 0 0
                cpu0 100 0 50 800 50 0 0 0 0 0
                intr 1000 0 0
                ctxt 5000
                btime 1795582519
                processes 300
                procs_running 3
                procs_blocked 1
                """, sink, T0);
        assertThat(s.health().isHealthy()).isTrue();
        assertThat(sink.get("host_procs_running")).isEqualTo(3);
        assertThat(sink.get("host_procs_blocked")).isEqualTo(1);
        assertThat(sink.has("host_cpu_fraction", "cpu", "total", "mode", "user")).isFalse();
        s.sampleText("""
                cpu  160 0 70 900 60 5 5 0 0 0
                cpu0 160 0 70 900 60 5 5 0 0 0
                intr 3000 0 0
                ctxt 9000
                processes 310
                procs_running 1
                procs_blocked 0
                """, sink, T0 + 2_000);
        // deltas: user 60, system 20, idle 100, iowait 10, irq 5, softirq 5 = 200
        assertThat(sink.get("host_cpu_fraction", "cpu", "total", "mode", "user")).isEqualTo(0.30);
        assertThat(sink.get("host_cpu_fraction", "cpu", "0", "mode", "system")).isEqualTo(0.10);
        assertThat(sink.get("host_cpu_fraction", "cpu", "0", "mode", "iowait")).isEqualTo(0.05);
        assertThat(sink.get("host_cpu_fraction", "cpu", "0", "mode", "steal")).isEqualTo(0.0);
        assertThat(sink.get("host_cpu_busy_fraction", "cpu", "total")).isCloseTo(0.45, within(1e-12));
        assertThat(sink.get("host_context_switches_per_second")).isEqualTo(2000);
        assertThat(sink.get("host_interrupts_per_second")).isEqualTo(1000);
        assertThat(sink.get("host_forks_per_second")).isEqualTo(5);
        assertThat(sink.get("host_cpu_count")).isEqualTo(1);
    }

    @Test
    void procStatCpuCountersGoingBackwardsGiveNoFractions() {
        ProcStatSensor s = new ProcStatSensor(Path.of("/nonexistent"));
        Sink sink = new Sink();
        s.sampleText("cpu 100 0 50 800 50 0 0 0\nctxt 10\n", sink, T0);
        s.sampleText("cpu 10 0 5 80 5 0 0 0\nctxt 5\n", sink, T1);
        assertThat(sink.latest.keySet()).noneMatch(k -> k.name().equals("host_cpu_fraction"));
        assertThat(sink.get("host_context_switches_per_second")).isNaN(); // reset: no rate, never negative
        s.sampleText("cpu 20 0 5 170 5 0 0 0\nctxt 105\n", sink, T1 + 1000);
        assertThat(sink.get("host_cpu_fraction", "cpu", "total", "mode", "user")).isEqualTo(0.1);
        assertThat(sink.get("host_context_switches_per_second")).isEqualTo(100);
    }

    @Test
    void realProcStatFixturesGiveFractionsSummingToOne() throws Exception {
        ProcStatSensor s = new ProcStatSensor(fixture("proc-t0"));
        Sink sink = new Sink();
        s.sample(sink, T0);
        s.sampleText(read("proc-t1", "stat"), sink, T1);
        assertThat(s.health()).isEqualTo(SensorHealth.healthy(fixture("proc-t0").resolve("stat").toString()));
        for (String cpu : new String[] {"total", "0", "1"}) {
            double sum = 0;
            for (String mode : ProcStatSensor.MODES) {
                double f = sink.get("host_cpu_fraction", "cpu", cpu, "mode", mode);
                assertThat(f).isBetween(0.0, 1.0);
                sum += f;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-9));
        }
        assertThat(sink.get("host_context_switches_per_second")).isPositive();
    }

    @Test
    void realFixturesAreHealthyForEveryHostSensor() throws Exception {
        Path t0 = fixture("proc-t0");
        Sink sink = new Sink();
        for (var s : new dev.helix.nexus.telemetry.internal.TextFileSensor[] {new ProcStatSensor(t0), new LoadAvgSensor(t0),
                new MemInfoSensor(t0), new VmStatSensor(t0), new ZoneInfoSensor(t0), new DiskStatsSensor(t0),
                new InterruptsSensor(t0), new NetDevSensor(t0)}) {
            s.sample(sink, T0);
            assertThat(s.health().isHealthy()).as(s.name() + " " + s.health()).isTrue();
        }
        PressureSensor psi = new PressureSensor(t0);
        psi.sample(sink, T0);
        assertThat(psi.health().isHealthy()).as(psi.health().toString()).isTrue();
        KernelLimitsSensor limits = new KernelLimitsSensor(t0);
        limits.sample(sink, T0);
        assertThat(limits.health().isHealthy()).as(limits.health().toString()).isTrue();
        assertThat(sink.get("host_pid_max")).isEqualTo(Double.parseDouble(read("proc-t0", "sys/kernel/pid_max").strip()));
        assertThat(sink.get("host_pids_used_fraction")).isBetween(0.0, 1.0);
        assertThat(sink.get("host_file_handles_max")).isPositive();
        assertThat(sink.get("host_memory_available_bytes")).isPositive();
        assertThat(sink.get("host_memory_available_fraction")).isBetween(0.0, 1.0);
        assertThat(sink.count("host_zone_free_pages")).isGreaterThanOrEqualTo(1);
        assertThat(sink.get("host_pressure_avg10_percent", "kind", "some", "resource", "cpu")).isBetween(0.0, 100.0);
    }

    @Test
    void loadAvgParsesRealLine() {
        LoadAvgSensor s = new LoadAvgSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText("0.19 0.05 0.01 1/86 4887\n", sink, T0);
        assertThat(sink.get("host_load1")).isEqualTo(0.19);
        assertThat(sink.get("host_load15")).isEqualTo(0.01);
        assertThat(sink.get("host_tasks_runnable")).isEqualTo(1);
        assertThat(sink.get("host_tasks")).isEqualTo(86);
        s.sampleText("0.19 x", sink, T0);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
        assertThat(s.health().reason()).contains("want 5 fields");
    }

    @Test
    void meminfoWithoutMemAvailableIsDegradedWithReason() {
        MemInfoSensor s = new MemInfoSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText("MemTotal:       24684084 kB\nMemFree:        24335984 kB\nSwapTotal: 1024 kB\nSwapFree: 256 kB\n", sink, T0);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
        assertThat(s.health().reason()).contains("MemAvailable");
        assertThat(sink.get("host_memory_total_bytes")).isEqualTo(24684084 * 1024.0);
        assertThat(sink.get("host_swap_used_bytes")).isEqualTo(768 * 1024.0);
    }

    @Test
    void vmstatRatesAndReclaimSums() {
        VmStatSensor s = new VmStatSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText("pgfault 1000\npgmajfault 10\npswpin 0\npswpout 0\npgscan_kswapd 100\npgscan_direct 50\n"
                + "pgscan_direct_throttle 7\npgscan_anon 90\npgsteal_kswapd 80\npgsteal_direct 20\n", sink, T0);
        s.sampleText("pgfault 3000\npgmajfault 30\npswpin 4\npswpout 8\npgscan_kswapd 300\npgscan_direct 150\n"
                + "pgscan_direct_throttle 9\npgscan_anon 390\npgsteal_kswapd 180\npgsteal_direct 70\n", sink, T0 + 2000);
        assertThat(sink.get("host_page_faults_per_second")).isEqualTo(1000);
        assertThat(sink.get("host_major_page_faults_per_second")).isEqualTo(10);
        assertThat(sink.get("host_swap_out_pages_per_second")).isEqualTo(4);
        assertThat(sink.get("host_pages_scanned_per_second")).isEqualTo(150); // kswapd + direct, not anon/throttle
        assertThat(sink.get("host_pages_stolen_per_second")).isEqualTo(75);
        assertThat(sink.get("host_vmstat_per_second", "counter", "pgscan_anon")).isEqualTo(150);
    }

    @Test
    void zoneinfoIgnoresPagesetHighAndEmptyZones() {
        ZoneInfoSensor s = new ZoneInfoSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText("""
                Node 0, zone   Normal
                  pages free     1000
                        boost    0
                        min      400
                        low      500
                        high     600
                        spanned  4095
                        present  3998
                        managed  3840
                  pagesets
                    cpu: 0
                              count:    0
                              high:     9999
                Node 0, zone  Movable
                  pages free     0
                        min      0
                        low      0
                        high     0
                        spanned  0
                        present  0
                        managed  0
                """, sink, T0);
        assertThat(s.health().isHealthy()).isTrue();
        assertThat(sink.get("host_zone_high_pages", "node", "0", "zone", "Normal")).isEqualTo(600);
        assertThat(sink.get("host_zone_free_over_high_ratio", "node", "0", "zone", "Normal")).isCloseTo(1.6667, within(1e-3));
        assertThat(sink.get("host_zone_below_low", "node", "0", "zone", "Normal")).isEqualTo(0);
        assertThat(sink.has("host_zone_free_pages", "node", "0", "zone", "Movable")).isFalse();
    }

    @Test
    void pressureStallRateAndMissingPsi(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("pressure"));
        for (String r : new String[] {"cpu", "memory", "io"}) {
            Files.writeString(tmp.resolve("pressure/" + r), "some avg10=1.50 avg60=0.50 avg300=0.10 total=1000000\n"
                    + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        }
        PressureSensor s = new PressureSensor(tmp);
        Sink sink = new Sink();
        s.sample(sink, T0);
        Files.writeString(tmp.resolve("pressure/io"), "some avg10=1.50 avg60=0.50 avg300=0.10 total=1250000\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=100000\n");
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("host_pressure_stall_fraction", "kind", "some", "resource", "io")).isEqualTo(0.25);
        assertThat(sink.get("host_pressure_stall_fraction", "kind", "full", "resource", "io")).isEqualTo(0.1);
        assertThat(sink.get("host_pressure_avg10_percent", "kind", "some", "resource", "cpu")).isEqualTo(1.5);

        PressureSensor none = new PressureSensor(tmp.resolve("nope"));
        none.sample(sink, T0);
        assertThat(none.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(none.health().reason()).contains("PSI");
    }

    @Test
    void diskstatsIopsThroughputLatencyUtilisation() {
        DiskStatsSensor s = new DiskStatsSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText(" 254       0 vda 1000 0 8000 500 2000 0 16000 3000 0 1000 3500 0 0 0 0 0 0\n"
                + "   7       0 loop0 5 0 5 5 5 0 5 5 0 5 5 0 0 0 0 0 0\n", sink, T0);
        s.sampleText(" 254       0 vda 1100 0 8800 700 2400 0 20000 5000 2 1500 5500 0 0 0 0 0 0\n"
                + "   7       0 loop0 9 0 9 9 9 0 9 9 0 9 9 0 0 0 0 0 0\n", sink, T0 + 1000);
        assertThat(sink.get("host_disk_reads_per_second", "device", "vda")).isEqualTo(100);
        assertThat(sink.get("host_disk_writes_per_second", "device", "vda")).isEqualTo(400);
        assertThat(sink.get("host_disk_read_bytes_per_second", "device", "vda")).isEqualTo(800 * 512.0);
        assertThat(sink.get("host_disk_write_bytes_per_second", "device", "vda")).isEqualTo(4000 * 512.0);
        assertThat(sink.get("host_disk_read_latency_seconds", "device", "vda")).isEqualTo(0.002);
        assertThat(sink.get("host_disk_write_latency_seconds", "device", "vda")).isEqualTo(0.005);
        assertThat(sink.get("host_disk_utilisation_fraction", "device", "vda")).isEqualTo(0.5);
        assertThat(sink.get("host_disk_in_flight", "device", "vda")).isEqualTo(2);
        assertThat(sink.has("host_disk_reads_per_second", "device", "loop0")).isFalse();
        // device re-attached: counters restart from zero -> no rates, no negative values
        sink.clear();
        s.sampleText(" 254       0 vda 10 0 80 7 20 0 200 50 0 15 55 0 0 0 0 0 0\n", sink, T0 + 2000);
        assertThat(sink.latest.keySet()).extracting(MetricKey::name).containsOnly("host_disk_in_flight");
    }

    @Test
    void interruptsPerLineRates() throws Exception {
        InterruptsSensor s = new InterruptsSensor(fixture("proc-t0"));
        Sink sink = new Sink();
        s.sample(sink, T0);
        s.sampleText(read("proc-t1", "interrupts"), sink, T1);
        assertThat(s.health().isHealthy()).isTrue();
        double loc = sink.latest.entrySet().stream().filter(e -> "LOC".equals(e.getKey().label("irq")))
                .mapToDouble(e -> e.getValue()).findFirst().orElseThrow();
        assertThat(loc).isPositive(); // the local timer always ticks
        assertThat(sink.latest.keySet()).anyMatch(k -> "Local timer interrupts".equals(k.label("device")));
        assertThat(sink.latest.values()).allMatch(v -> v >= 0);
    }

    @Test
    void netDevHandlesNoSpaceAfterColon() {
        NetDevSensor s = new NetDevSensor(Path.of("/x"));
        Sink sink = new Sink();
        String head = "Inter-|   Receive                                                |  Transmit\n"
                + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";
        s.sampleText(head + "  eth0:1000000000 1083 0 0 0 0 0 0 88307 923 0 0 0 0 0 0\n", sink, T0);
        s.sampleText(head + "  eth0:1000500000 1183 1 2 0 0 0 0 98307 1023 0 0 0 0 0 0\n", sink, T0 + 1000);
        assertThat(s.health().isHealthy()).isTrue();
        assertThat(sink.get("host_network_receive_bytes_per_second", "interface", "eth0")).isEqualTo(500000);
        assertThat(sink.get("host_network_receive_packets_per_second", "interface", "eth0")).isEqualTo(100);
        assertThat(sink.get("host_network_receive_drops_per_second", "interface", "eth0")).isEqualTo(2);
        assertThat(sink.get("host_network_transmit_bytes_per_second", "interface", "eth0")).isEqualTo(10000);
    }

    @Test
    void missingFileFailsNamingTheFile() {
        ProcStatSensor s = new ProcStatSensor(Path.of("/definitely/not/proc"));
        s.sample(new Sink(), T0);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(s.health().source()).isEqualTo("/definitely/not/proc/stat");
        assertThat(s.health().reason()).contains("does not exist");
    }

    @Test
    void malformedFileFailsOrDegradesWithReason() {
        DiskStatsSensor s = new DiskStatsSensor(Path.of("/x"));
        s.sampleText("this is not diskstats\n", new Sink(), T0);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(s.health().reason()).contains("want >= 14 fields");
        MemInfoSensor m = new MemInfoSensor(Path.of("/x"));
        m.sampleText("MemTotal: 100 kB\nMemAvailable: 50 kB\nBogus line\n", new Sink(), T0);
        assertThat(m.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
        assertThat(m.health().reason()).contains("Bogus line");
    }
}
