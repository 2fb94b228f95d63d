package dev.helix.nexus.telemetry.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.SenseTargets;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.Sensor;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
    URI stalledBody;
    /** Released once each time the server starts holding a request. */
    final Semaphore held = new Semaphore(0);
    final AtomicBoolean hang = new AtomicBoolean();
    /** Requests answered on /metrics. */
    final AtomicInteger hits = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", ex -> {
            hits.incrementAndGet();
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status.get(), b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.createContext("/slow", ex -> {
            held.release();
            try {
                release.await(); // hangs until the test ends: the client must time out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/toggle", ex -> {
            if (hang.get()) {
                held.release();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] b = NODE_EXPORTER.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.createContext("/stalled-body", ex -> {
            ex.sendResponseHeaders(200, 1000); // promises 1000 bytes, sends 10, then stalls
            OutputStream o = ex.getResponseBody();
            o.write("node_load1".getBytes(StandardCharsets.UTF_8));
            o.flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
        slow = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow");
        stalledBody = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/stalled-body");
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    /** One tick after the scrape in flight (the constructor's, or the last tick's) has completed. */
    static void tickAfterScrape(PrometheusScrapeSensor s, Sink sink, long ts) {
        assertThat(s.awaitScrape(Duration.ofSeconds(10))).as("scrape completed").isTrue();
        s.sample(sink, ts);
    }

    @Test
    void scrapesAnEndpointIntoMetrics() {
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(uri, Duration.ofSeconds(5), 1000, 1 << 20)) {
            Sink sink = new Sink();
            tickAfterScrape(s, sink, T0);
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
            tickAfterScrape(s, sink, T0);
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
            tickAfterScrape(s, sink, T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("line 2").contains("line 4");
            assertThat(sink.get("good_metric", "scrape_target", uri.getAuthority())).isEqualTo(1);
        }
    }

    @Test
    void slowEndpointTimesOutIntoFailedHealth() {
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(slow, Duration.ofMillis(300), 1000, 1 << 20)) {
            tickAfterScrape(s, new Sink(), T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("timed out after 300 ms").contains(slow.toString());
        }
    }

    @Test
    void bodyThatStopsMidwayIsCutOffByTheDeadline() {
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(stalledBody, Duration.ofMillis(300), 1000, 1 << 20)) {
            tickAfterScrape(s, new Sink(), T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("timed out after 300 ms");
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS) // a blocking tick would wait for the 60 s request timeout
    void hangingEndpointNeverStallsTheTickAndIsFailedNamingIt() throws Exception {
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(slow, Duration.ofSeconds(60), 1000, 1 << 20)) {
            assertThat(held.tryAcquire(10, TimeUnit.SECONDS)).as("server holds the first request").isTrue();
            Sink sink = new Sink();
            s.sample(sink, T0); // returns while the server still holds the request
            s.sample(sink, T0 + 1000);
            assertThat(release.getCount()).as("the server never answered").isEqualTo(1);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("no answer from " + slow).contains("timeout 60000 ms");
            assertThat(sink.get("scrape_up", "scrape_target", slow.getAuthority())).isEqualTo(0);
            assertThat(sink.has("node_load1", "scrape_target", slow.getAuthority())).isFalse();
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void endpointThatStartsHangingIsDegradedWithTheLastScrapeUntilItIsTooOld() throws Exception {
        URI toggle = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/toggle");
        String target = toggle.getAuthority();
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(toggle, Duration.ofSeconds(30), 1000, 1 << 20)) {
            Sink sink = new Sink();
            tickAfterScrape(s, sink, T0); // publishes the constructor's scrape, starts the next (still answered)
            assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
            assertThat(s.awaitScrape(Duration.ofSeconds(10))).isTrue(); // the scrape started at T0 is answered
            hang.set(true);
            tickAfterScrape(s, sink, T0 + 1000); // publishes the scrape of T0, starts one that hangs
            assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
            assertThat(sink.get("scrape_age_seconds", "scrape_target", target)).isEqualTo(1.0);
            assertThat(held.tryAcquire(10, TimeUnit.SECONDS)).as("server holds the request").isTrue();

            sink.clear();
            s.sample(sink, T0 + 2000);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
            assertThat(s.health().reason()).contains("no answer from " + toggle + " after 1000 ms")
                    .contains("republishing");
            assertThat(sink.get("node_load1", "scrape_target", target)).isEqualTo(0.19);
            assertThat(sink.get("scrape_age_seconds", "scrape_target", target)).isEqualTo(2.0);

            sink.clear();
            s.sample(sink, T0 + 61_000 + 1000); // the last answer is now older than 2 × timeout
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("no answer from " + toggle);
            assertThat(sink.has("node_load1", "scrape_target", target)).isFalse();
            assertThat(sink.get("scrape_up", "scrape_target", target)).isEqualTo(0);
        }
    }

    @Test
    void garbageBodyIsFailedNamingTheLineAndTarget() {
        body.set("<html><body>502 Bad Gateway</body></html>\n\u0000\u0001 {{{\n");
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(uri, Duration.ofSeconds(5), 1000, 1 << 20)) {
            Sink sink = new Sink();
            tickAfterScrape(s, sink, T0);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().source()).isEqualTo(uri.toString());
            assertThat(s.health().reason()).contains("line 1").doesNotContain(AbstractSensor.INTERNAL_ERROR);
            assertThat(sink.get("scrape_up", "scrape_target", uri.getAuthority())).isEqualTo(0);
        }
    }

    @Test
    void malformedTargetsAreFailedSensorsNamingTheEntry() throws Exception {
        List<Sensor> sensors = ScrapeTargetSensors.create(NexusConfig.defaults(), Optional.of(new SenseTargets.Override(
                "NEXUS_SCRAPE_TARGETS", List.of(uri.toString(), "ftp://host/metrics", "http://bad host/metrics", "bogus"))));
        try {
            assertThat(sensors).hasSize(4);
            assertThat(sensors.get(0)).isInstanceOf(PrometheusScrapeSensor.class);
            for (Sensor bad : sensors.subList(1, 4)) {
                Sink sink = new Sink();
                bad.sample(sink, T0);
                assertThat(sink.latest).isEmpty();
                assertThat(bad.health().status()).isEqualTo(SensorHealth.Status.FAILED);
                assertThat(bad.health().reason()).startsWith("NEXUS_SCRAPE_TARGETS: ");
            }
            assertThat(sensors.get(1).health().reason()).contains("'ftp://host/metrics' is not an http(s) URL");
            assertThat(sensors.get(2).health().reason()).contains("'http://bad host/metrics' is not a URL");
            assertThat(sensors.get(3).health().reason()).contains("'bogus' is not an http(s) URL");
        } finally {
            sensors.forEach(Sensor::close);
        }
    }

    @Test
    void intervalSpacesTheScrapesAndTicksBetweenRepublishTheLatestWithItsAge() throws Exception {
        try (PrometheusScrapeSensor s = new PrometheusScrapeSensor(uri, Duration.ofSeconds(2), Duration.ofSeconds(3),
                1000, 1 << 20)) {
            Sink sink = new Sink();
            tickAfterScrape(s, sink, T0); // publishes the constructor's scrape, starts one at T0
            tickAfterScrape(s, sink, T0 + 1000); // publishes T0's; 1 s < 3 s: none started
            assertThat(hits.get()).isEqualTo(2);
            s.sample(sink, T0 + 2000);
            assertThat(hits.get()).as("no scrape before the interval has passed").isEqualTo(2);
            assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
            String target = uri.getAuthority();
            assertThat(sink.get("scrape_age_seconds", "scrape_target", target)).isEqualTo(2.0);
            assertThat(sink.get("node_load1", "scrape_target", target)).isEqualTo(0.19);
            s.sample(sink, T0 + 3000); // 3 s after T0's scrape: the next one starts
            assertThat(s.awaitScrape(Duration.ofSeconds(10))).isTrue();
            assertThat(hits.get()).isEqualTo(3);
        }
    }

    @Test
    void configuredTargetsAreSensorsUnlessTheEnvironmentReplacesThem() throws Exception {
        NexusConfig config = NexusConfig.builder().buildUnchecked().toBuilder().scrapeTargets(List.of(
                new SenseTargets.ScrapeTarget(uri.toString(), Duration.ofMillis(700), Duration.ofSeconds(10)),
                SenseTargets.ScrapeTarget.of("ftp://host/metrics"))).buildUnchecked();
        List<Sensor> configured = ScrapeTargetSensors.create(config, java.util.Optional.empty());
        List<Sensor> replaced = ScrapeTargetSensors.create(config, java.util.Optional.of(
                new SenseTargets.Override("NEXUS_SCRAPE_TARGETS", List.of("http://127.0.0.1:9/metrics", "bogus"))));
        try {
            assertThat(configured).extracting(Sensor::name).containsExactly("scrape:" + uri, "scrape:ftp://host/metrics");
            Sink sink = new Sink();
            configured.get(1).sample(sink, T0);
            assertThat(sink.latest).isEmpty();
            assertThat(configured.get(1).health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(configured.get(1).health().reason())
                    .isEqualTo("scrapeTargets entry 2: scrape target 'ftp://host/metrics' is not an http(s) URL");
            assertThat(replaced).extracting(Sensor::name).containsExactly("scrape:http://127.0.0.1:9/metrics", "scrape:bogus");
            replaced.get(1).sample(sink, T0);
            assertThat(replaced.get(1).health().reason())
                    .isEqualTo("NEXUS_SCRAPE_TARGETS: scrape target 'bogus' is not an http(s) URL");
            assertThat(ScrapeTargetSensors.create(config.toBuilder().enableSense(false).buildUnchecked(),
                    java.util.Optional.empty())).isEmpty();
        } finally {
            configured.forEach(Sensor::close);
            replaced.forEach(Sensor::close);
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
            tickAfterScrape(s, new Sink(), T0);
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
