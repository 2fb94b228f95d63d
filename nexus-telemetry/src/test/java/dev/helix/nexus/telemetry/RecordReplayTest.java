package dev.helix.nexus.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.host.ProcStatSensor;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordReplayTest {

    static final long T0 = 1_767_225_600_000L;

    @Test
    void recordedSensorTicksReplayIntoTheSameStoreContents(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("rec.prom");
        TelemetryStore live = new TelemetryStore();
        ProcStatSensor stat = new ProcStatSensor(TestSupport.fixture("proc-t0"));
        try (TelemetryRecorder rec = new TelemetryRecorder(Files.newBufferedWriter(file))) {
            var tee = new TelemetryRecorder.TeeSink(live, rec);
            stat.sample(tee, T0);
            stat.sampleText(Files.readString(TestSupport.fixture("proc-t1").resolve("stat")), tee, T0 + 1000);
            tee.record(MetricKey.of("odd", "l", "quote \" and \\ and\nnewline"), Double.NaN, T0 + 1000);
        }
        TelemetryReplay replay = TelemetryReplay.load(file);
        assertThat(replay.tickCount()).isEqualTo(2);
        assertThat(replay.skippedLines()).isZero();
        TelemetryStore copy = new TelemetryStore();
        replay.replayAll(copy);
        assertThat(copy.allKeys()).isEqualTo(live.allKeys());
        for (MetricKey k : live.allKeys()) {
            assertThat(Double.valueOf(copy.latest(k))).as(k.toString()).isEqualTo(Double.valueOf(live.latest(k)));
            assertThat(copy.latestTimestamp(k)).isEqualTo(live.latestTimestamp(k));
        }
    }

    @Test
    void replaySensorEmitsOneTickPerSampleThenFails() throws Exception {
        StringWriter w = new StringWriter();
        TelemetryRecorder rec = new TelemetryRecorder(w);
        rec.record(MetricKey.of("a"), 1, 100);
        rec.record(MetricKey.of("b"), 2, 100);
        rec.record(MetricKey.of("a"), 3, 200);
        TelemetryReplay r = TelemetryReplay.load("mem", new StringReader(w + "garbage line\n"));
        TestSupport.Sink sink = new TestSupport.Sink();
        r.sample(sink, T0);
        assertThat(sink.latest).containsEntry(MetricKey.of("a"), 1.0).containsEntry(MetricKey.of("b"), 2.0);
        assertThat(r.health().status()).isEqualTo(SensorHealth.Status.DEGRADED); // the skipped garbage line
        r.sample(sink, T0 + 1000);
        assertThat(sink.get("a")).isEqualTo(3);
        r.sample(sink, T0 + 2000);
        assertThat(r.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(r.health().reason()).contains("end of recording");
    }
}
