package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nexus metrics}: time from the injected clock, label values escaped so every series is one parseable line, the
 * configuration file's sensing targets applied.
 */
class MetricsCommandTest {

    private static final long START = 1_767_225_600_000L;
    private static final String CMDLINE = "java -Dx=\"a b\" C:\\tmp\\app\r\nsecond line";

    /** Records the timestamps it is sampled with; one series whose label value needs escaping. */
    private static final class StampSensor implements Sensor {
        final List<Long> stamps = new ArrayList<>();
        boolean closed;

        @Override
        public String name() {
            return "stamp";
        }

        @Override
        public void sample(MetricSink sink, long timestampMillis) {
            stamps.add(timestampMillis);
            sink.record(MetricKey.of("process_info", "cmdline", CMDLINE, "pid", "42"), 1, timestampMillis);
            sink.record(MetricKey.of("stamp_seconds"), timestampMillis / 1000.0, timestampMillis);
        }

        @Override
        public SensorHealth health() {
            return SensorHealth.healthy("test");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static MetricsCommand command(ManualClock clock, Sensor sensor) {
        MetricsCommand c = new MetricsCommand();
        c.clock = clock;
        c.sensorSource = config -> List.of(sensor);
        return c;
    }

    @Test
    void readingsAreStampedAndPacedByTheInjectedClock() {
        ManualClock clock = new ManualClock(START);
        StampSensor sensor = new StampSensor();

        CliRun run = CliRun.command(command(clock, sensor), "--once", "--interval", "5s").assertExit(ExitCodes.OK);

        assertThat(sensor.stamps).containsExactly(START, START + 5_000);
        assertThat(clock.wallMillis()).as("the wait was taken on the manual clock").isEqualTo(START + 5_000);
        assertThat(run.out()).contains("stamp_seconds " + (START + 5_000) / 1000);
        assertThat(sensor.closed).isTrue();
    }

    @Test
    void labelValuesWithQuotesBackslashesAndLineBreaksPrintAsOneEscapedLineThatParsesBack() {
        StampSensor sensor = new StampSensor();

        CliRun run = CliRun.command(command(new ManualClock(START), sensor), "--once", "--interval", "1s")
                .assertExit(ExitCodes.OK);

        assertThat(run.out()).doesNotContain("\r");
        assertThat(run.out().lines()).hasSize(2).contains(
                "process_info{cmdline=\"java -Dx=\\\"a b\\\" C:\\\\tmp\\\\app\\r\\nsecond line\",pid=\"42\"} 1");
        PrometheusTextParser.Result parsed = PrometheusTextParser.parse(run.out(), 10);
        assertThat(parsed.badLines()).isZero();
        assertThat(parsed.samples()).extracting(PrometheusTextParser.Sample::key)
                .contains(MetricKey.of("process_info", "cmdline", CMDLINE, "pid", "42"));
    }

    @Test
    void theConfigFilesSensingTargetsReachTheSensors(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("nexus.yaml");
        Files.writeString(f, """
                jvmTargets: [4242]
                scrapeTargets: [{url: "http://127.0.0.1:9100/metrics", interval: 15s}]
                """);
        List<NexusConfig> seen = new ArrayList<>();
        MetricsCommand c = command(new ManualClock(START), new StampSensor());
        c.sensorSource = config -> {
            seen.add(config);
            return List.of(new StampSensor());
        };

        CliRun.command(c, "--once", "-c", f.toString()).assertExit(ExitCodes.OK);

        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).jvmTargets()).containsExactly("4242");
        assertThat(seen.get(0).scrapeTargets()).extracting(t -> t.url())
                .containsExactly("http://127.0.0.1:9100/metrics");
    }

    @Test
    void aBadConfigFileIsAUsageErrorNamingFileLineAndKeyBeforeAnySensorIsOpened(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, "jvmTargets: [bogus]\n");
        StampSensor sensor = new StampSensor();

        CliRun run = CliRun.command(command(new ManualClock(START), sensor), "--once", "-c", f.toString())
                .assertExit(ExitCodes.USAGE);

        assertThat(run.err()).contains(f + ":1: jvmTargets = 'bogus'");
        assertThat(sensor.stamps).isEmpty();
    }
}
