package dev.helix.nexus.agent.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.telemetry.TelemetryReplay;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser.TimedSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveDetectionEvaluationTest {

    /** Warms up for 2 samples, then alarms exactly on values ≥ 100. */
    private static final class Threshold implements Detector {
        int seen;
        boolean alarm;

        @Override
        public String name() {
            return "threshold";
        }

        @Override
        public double update(double value) {
            seen++;
            alarm = seen > 2 && value >= 100;
            return alarm ? 1 : 0;
        }

        @Override
        public boolean isAnomalous() {
            return alarm;
        }

        @Override
        public boolean isWarmingUp() {
            return seen <= 2;
        }

        @Override
        public void reset() {
            seen = 0;
        }
    }

    private static final MetricKey CPU = MetricKey.of("host_cpu_busy_fraction", "cpu", "total");
    private static final MetricKey DIRTY = MetricKey.of("host_meminfo_bytes", "field", "Dirty");
    private static final MetricKey THREADS = MetricKey.of("jvm_threads");
    private static final MetricKey PROCESS = MetricKey.of("process_threads", "pid", "1");

    /** 60 ticks, 1 s apart from t = 1000 s: alarms (value 100) on cpu at ticks 1, 5, 22 and 40, threads at 27. */
    private static TelemetryReplay recording() {
        List<List<TimedSample>> ticks = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long ts = 1_000_000 + i * 1000L;
            ticks.add(List.of(
                    new TimedSample(CPU, i == 1 || i == 5 || i == 22 || i == 40 ? 100 : 0, ts),
                    new TimedSample(DIRTY, i == 7 ? Double.NaN : 5, ts),
                    new TimedSample(THREADS, i == 27 ? 100 : 3, ts),
                    new TimedSample(PROCESS, 100, ts)));
        }
        return TelemetryReplay.of("test", ticks);
    }

    @Test
    void countsScoredSamplesAndAlarmsPerFamilyOutsideFaultsAndTheirRecovery() {
        // fault from tick 20 to 25, recovery 3 s: ticks 20..28 are not normal
        var fault = new LiveDetectionEvaluation.Fault("cpu", 1_020_000, 1_025_000, Pattern.compile("host_cpu.*"));
        var r = LiveDetectionEvaluation.evaluate(recording(), Threshold::new, List.of(fault), 3_000, 5_000);
        assertThat(r.families()).extracting(LiveDetectionEvaluation.Family::name).containsExactly("cpu", "jvm", "mem");
        var cpu = r.families().get(0);
        // 60 samples, 2 of warm-up (tick 1's 100 is among them), 9 in the fault or its recovery
        assertThat(cpu.scored()).isEqualTo(60 - 2 - 9);
        assertThat(cpu.alarms()).as("ticks 5 and 40").isEqualTo(2);
        assertThat(r.families().get(1).alarms()).as("threads at tick 27 is in the recovery").isZero();
        assertThat(r.families().get(2).scored()).as("Dirty: one NaN not fed").isEqualTo(59 - 2 - 9);
        assertThat(r.rate()).isEqualTo(2.0 / (49 + 49 + 48));
        assertThat(r.alarmsRightAfterLearning()).as("both cpu alarms are within 50 scored samples").isEqualTo(2);
    }

    @Test
    void aFaultsDelayIsTheFirstAlarmOnAMovedSeriesAndChanceTheShareOfFaultFreeWindowsWithOne() {
        var fault = new LiveDetectionEvaluation.Fault("cpu", 1_020_000, 1_025_000, Pattern.compile("host_cpu.*"));
        var r = LiveDetectionEvaluation.evaluate(recording(), Threshold::new, List.of(fault), 3_000, 5_000);
        var f = r.faults().get(0);
        assertThat(f.movedSeries()).isEqualTo(1);
        assertThat(f.delayMillis()).isEqualTo(2_000);
        assertThat(f.firstSeries()).isEqualTo(CPU.toString());
        // windows [t, t + 5 s] from scored ticks 2..54 that stay clear of [20, 28]: ticks 2..14 and 29..54 = 39;
        // those containing tick 5 (ticks 2..5) or tick 40 (ticks 35..40) alarmed: 10
        assertThat(f.chance()).isEqualTo(10.0 / 39);
    }

    @Test
    void aFaultWithoutAnAlarmOnItsSeriesHasNoDelay() {
        var fault = new LiveDetectionEvaluation.Fault("vm", 1_020_000, 1_025_000, Pattern.compile("host_meminfo.*"));
        var f = LiveDetectionEvaluation.evaluate(recording(), Threshold::new, List.of(fault), 0, 5_000).faults().get(0);
        assertThat(f.delayMillis()).isEqualTo(-1);
        assertThat(f.firstSeries()).isEmpty();
        assertThat(f.chance()).isZero();
    }

    @Test
    void hostVerdictsComeFromTheLiveHostConsensusOverTheHostSeries() {
        // 6 host series at 0; from tick 300 to 304 four of them at 100 (each alarms on its own)
        List<List<TimedSample>> ticks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long ts = 1_000_000 + i * 1000L;
            List<TimedSample> tick = new ArrayList<>();
            for (int m = 0; m < 6; m++) {
                tick.add(new TimedSample(MetricKey.of("host_metric_" + m), m < 4 && i >= 300 && i < 305 ? 100 : 0, ts));
            }
            ticks.add(tick);
        }
        var h = LiveDetectionEvaluation.hostVerdicts(TelemetryReplay.of("test", ticks), Threshold::new);
        assertThat(h.events()).extracting(e -> e.type())
                .containsExactly(HostAnomalyMonitor.ANOMALY, HostAnomalyMonitor.CLEARED);
        assertThat(h.events().get(0).timestampMillis()).isEqualTo(1_000_000 + 300 * 1000L);
        assertThat(h.events().get(1).timestampMillis()).isGreaterThan(1_000_000 + 304 * 1000L);
    }

    @Test
    void faultFilesNameTheirKindsAndBadLinesByFileAndLine(@TempDir Path dir) throws IOException {
        Path ok = Files.writeString(dir.resolve("faults.txt"), "cpu 10 20\ndone\nvm 30 40\n");
        assertThat(LiveDetectionEvaluation.readFaults(ok)).extracting(LiveDetectionEvaluation.Fault::kind)
                .containsExactly("cpu", "vm");
        Path bad = Files.writeString(dir.resolve("bad.txt"), "cpu 10 20\nnet 1 2\n");
        assertThatThrownBy(() -> LiveDetectionEvaluation.readFaults(bad)).hasMessageContaining("bad.txt:2")
                .hasMessageContaining("unknown fault kind 'net'");
        Path late = Files.writeString(dir.resolve("late.txt"), "cpu 30 20\n");
        assertThatThrownBy(() -> LiveDetectionEvaluation.readFaults(late)).hasMessageContaining("late.txt:1")
                .hasMessageContaining("end 20 before start 30");
        Path garbled = Files.writeString(dir.resolve("garbled.txt"), "hdd 10 x\n");
        assertThatThrownBy(() -> LiveDetectionEvaluation.readFaults(garbled)).hasMessageContaining("garbled.txt:1")
                .hasMessageContaining("epoch milliseconds");
    }
}
