package dev.helix.nexus.telemetry.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PrometheusScrapeTest {

    static final long T0 = 1_767_225_600_000L;
    /** Never fetches: only {@code sampleText} is used on it. */
    static final PrometheusScrapeSensor OFFLINE = new PrometheusScrapeSensor(URI.create("http://127.0.0.1:1/metrics"));
    static final String NODE_EXPORTER = """
            # HELP node_load1 1m load average.
            # TYPE node_load1 gauge
            node_load1 0.19
            # HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
            # TYPE node_cpu_seconds_total counter
            node_cpu_seconds_total{cpu="0",mode="idle"} 4747.01
            node_cpu_seconds_total{cpu="0",mode="user"} 14.49
            http_requests_total{method="post",code="200",path="/a \\"quoted\\", {braced}"} 1027 1395066363000
            go_gc_duration_seconds{quantile="1"} +Inf
            weird_nan NaN
            sci 1.5e-3
            """;

    HttpServer server;
    final AtomicReference<String> body = new AtomicReference<>(NODE_EXPORTER);
    final AtomicInteger status = new AtomicInteger(200);
    final CountDownLatch release = new CountDownLatch(1);
    URI uri;
    URI slow;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", ex -> {
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status.get(), b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.createContext("/slow", ex -> {
            try {
                release.await(); // hangs until the test ends: the client must time out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
        slow = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow");
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    @Test
    void scrapesAnEndpointIntoMetrics() {
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(uri, Duration.ofSeconds(5), 1000, 1 << 20)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
            String target = uri.getAuthority();
            assertThat(sink.get("node_load1", "scrape_target", target)).isEqualTo(0.19);
            assertThat(sink.get("node_cpu_seconds_total", "cpu", "0", "mode", "user", "scrape_target", target)).isEqualTo(14.49);
            assertThat(sink.get("http_requests_total", "code", "200", "method", "post", "path", "/a \"quoted\", {braced}",
                    "scrape_target", target)).isEqualTo(1027);
            assertThat(sink.get("go_gc_duration_seconds", "quantile", "1", "scrape_target", target)).isInfinite();
            assertThat(sink.get("weird_nan", "scrape_target", target)).isNaN();
            assertThat(sink.get("sci", "scrape_target", target)).isEqualTo(0.0015);
            assertThat(sink.get("scrape_up", "scrape_target", target)).isEqualTo(1);
            assertThat(sink.get("scrape_samples", "scrape_target", target)).isEqualTo(7);
        }
    }

    @Test
    void http500IsFailedHealthNotAnException() {
        status.set(500);
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(uri, Duration.ofSeconds(5), 1000, 1 << 20)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("HTTP 500");
            assertThat(sink.get("scrape_up", "scrape_target", uri.getAuthority())).isEqualTo(0);
        }
    }

    @Test
    void partlyGarbageBodyIsDegraded() {
        body.set("good_metric 1\nthis is not { valid\nalso_good{a=\"b\"} 2\nbad_value abc\n");
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(uri, Duration.ofSeconds(5), 1000, 1 << 20)) {
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("line 2").contains("line 4");
            assertThat(sink.get("good_metric", "scrape_target", uri.getAuthority())).isEqualTo(1);
        }
    }

    @Test
    void slowEndpointTimesOutIntoFailedHealth() {
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(slow, Duration.ofMillis(300), 1000, 1 << 20)) {
            long start = System.nanoTime();
            s.sample(new Sink(), T0);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("timed out after 300 ms");
        }
    }

    @Test
    void downEndpointIsFailedHealth() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(URI.create("http://127.0.0.1:" + port + "/metrics"),
                Duration.ofSeconds(2), 1000, 1 << 20)) {
            s.sample(new Sink(), T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).containsAnyOf("connection refused", "I/O error");
        }
    }

    @Test
    void parserHandlesOpenMetricsEofAndExemplars() {
        var r = PrometheusTextParser.parse("# TYPE foo counter\nfoo_total 17.0 1520879607.789 # {trace_id=\"KOO5S4vxi0o\"} 0.67\n# EOF\n", 10);
        assertThat(r.badLines()).isZero();
        assertThat(r.samples()).containsExactly(new PrometheusTextParser.Sample(MetricKey.of("foo_total"), 17.0));
    }

    @Property(tries = 1000)
    void parserNeverThrowsOnGarbage(@ForAll String text) {
        var r = PrometheusTextParser.parse(text, 100);
        assertThat(r.samples().size()).isLessThanOrEqualTo(100);
        OFFLINE.sampleText(text, new Sink(), T0);
        assertThat(OFFLINE.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
    }
}
