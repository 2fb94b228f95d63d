package dev.helix.nexus.telemetry.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TelemetryStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes a real Prometheus node_exporter with {@link PrometheusScrapeSensor}. Skipped when the binary is absent
 * (install it with {@code nexus-telemetry/scripts/install-node-exporter.sh}).
 */
class NodeExporterIntegrationTest {

    static final Path BINARY = Path.of("/usr/bin/prometheus-node-exporter");

    @TempDir
    Path tmp;

    @Test
    void scrapesKnownNodeExporterSeries() throws Exception {
        assumeTrue(Files.isExecutable(BINARY), BINARY + " is not installed: run nexus-telemetry/scripts/install-node-exporter.sh"
                + " (apt-get install prometheus-node-exporter) to run this test");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(BINARY.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("node_exporter.log").toFile()).start();
        try (PrometheusScrapeSensor sensor = new PrometheusScrapeSensor(URI.create("http://127.0.0.1:" + port + "/metrics"),
                Duration.ofSeconds(5), 50_000, 16L << 20)) {
            TelemetryStore store = new TelemetryStore();
            long ts = 1_767_225_600_000L;
            // readiness: the exporter needs a moment to bind; retry (up to ~15 s) until a scrape succeeds
            for (int i = 0; i < 150 && p.isAlive(); i++) {
                sensor.sample(store, ts += 1000);
                if (sensor.health().status() != SensorHealth.Status.FAILED) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(p.isAlive()).as("node_exporter exited: %s", Files.readString(tmp.resolve("node_exporter.log"))).isTrue();
            assertThat(sensor.health().status()).as(sensor.health().toString()).isNotEqualTo(SensorHealth.Status.FAILED);
            Set<String> names = store.keys().stream().map(MetricKey::name).collect(Collectors.toSet());
            assertThat(names).contains("node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_load1",
                    "node_exporter_build_info", "scrape_up");
            MetricKey cpu = store.keys().stream().filter(k -> k.name().equals("node_cpu_seconds_total")).findFirst().orElseThrow();
            assertThat(cpu.labels()).containsKeys("cpu", "mode").containsEntry("scrape_target", "127.0.0.1:" + port);
            assertThat(store.latestValue(cpu)).isGreaterThanOrEqualTo(0);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
