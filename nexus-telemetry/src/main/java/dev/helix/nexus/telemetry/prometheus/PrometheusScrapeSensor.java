package dev.helix.nexus.telemetry.prometheus;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns any Prometheus/OpenMetrics text endpoint into a {@link dev.helix.nexus.core.spi.Sensor}: each tick it GETs
 * the URL (connect and request timeouts), parses the body with {@link PrometheusTextParser} and records every sample
 * with an added {@code scrape_target} label. Alongside: {@code scrape_up{scrape_target}} (1/0),
 * {@code scrape_duration_seconds} and {@code scrape_samples}.
 *
 * <p>A down, slow, non-200 or garbage endpoint never throws: health is FAILED with the reason (connection refused,
 * timed out after ..., HTTP 500, no samples), or DEGRADED when some lines were bad. Bodies over {@code maxBytes}
 * are refused. Counters are passed through raw (no rate), as the endpoint exposes them.
 *
 * <p>Cost: one HTTP round trip, blocking the tick thread for at most the request timeout, plus O(body) parsing.
 * Not thread-safe (tick thread only). {@link #close()} releases the HTTP client.
 */
public final class PrometheusScrapeSensor extends AbstractSensor {

    private final URI uri;
    private final String target;
    private final Duration timeout;
    private final int maxSamples;
    private final long maxBytes;
    private final HttpClient client;
    private final MetricKey up;
    private final MetricKey duration;
    private final MetricKey samples;
    private final Map<MetricKey, MetricKey> labelled = new HashMap<>();

    /** Scrapes {@code uri} with a 2 s timeout, at most 50 000 samples and 16 MiB. */
    public PrometheusScrapeSensor(URI uri) {
        this(uri, Duration.ofSeconds(2), 50_000, 16L << 20);
    }

    /**
     * @param uri        the endpoint, e.g. {@code http://localhost:9100/metrics}
     * @param timeout    connect timeout and whole-request timeout
     * @param maxSamples samples kept per scrape
     * @param maxBytes   largest body accepted
     */
    public PrometheusScrapeSensor(URI uri, Duration timeout, int maxSamples, long maxBytes) {
        super("scrape:" + uri, uri.toString());
        this.uri = uri;
        this.target = uri.getAuthority() == null ? uri.toString() : uri.getAuthority();
        this.timeout = timeout;
        this.maxSamples = maxSamples;
        this.maxBytes = maxBytes;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.up = MetricKey.of("scrape_up", "scrape_target", target);
        this.duration = MetricKey.of("scrape_duration_seconds", "scrape_target", target);
        this.samples = MetricKey.of("scrape_samples", "scrape_target", target);
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String textOverride) {
        long start = System.nanoTime();
        String body = textOverride;
        if (body == null) {
            body = fetch();
        }
        recordMeta(sink, duration, (System.nanoTime() - start) / 1e9, ts);
        if (body == null) {
            recordMeta(sink, up, 0, ts);
            return;
        }
        PrometheusTextParser.Result r = PrometheusTextParser.parse(body, maxSamples);
        for (String p : r.problems()) {
            problem(uri, p);
        }
        if (r.samples().isEmpty()) {
            recordMeta(sink, up, 0, ts);
            if (r.problems().isEmpty()) {
                problem(uri, "no samples in response");
            }
            return;
        }
        recordMeta(sink, up, 1, ts);
        recordMeta(sink, samples, r.samples().size(), ts);
        for (PrometheusTextParser.Sample s : r.samples()) {
            sink.record(withTarget(s.key()), s.value(), ts);
        }
    }

    /** Parses {@code text} as if it were the response body (tests, replay). */
    public void sampleText(String text, MetricSink sink, long ts) {
        run(sink, ts, text == null ? "" : text);
    }

    private MetricKey withTarget(MetricKey k) {
        MetricKey out = labelled.get(k);
        if (out == null) {
            TreeMap<String, String> labels = new TreeMap<>(k.labels());
            labels.put("scrape_target", target);
            out = new MetricKey(k.name(), labels);
            if (labelled.size() < 4 * maxSamples) {
                labelled.put(k, out);
            }
        }
        return out;
    }

    private String fetch() {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
                .GET().build();
        try {
            HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) {
                problem(uri, "HTTP " + resp.statusCode() + " from " + uri);
                return null;
            }
            if (resp.body().length > maxBytes) {
                problem(uri, "response of " + resp.body().length + " bytes exceeds " + maxBytes);
                return null;
            }
            return new String(resp.body(), StandardCharsets.UTF_8);
        } catch (HttpTimeoutException e) {
            problem(uri, "timed out after " + timeout.toMillis() + " ms: " + uri);
        } catch (java.net.ConnectException e) {
            problem(uri, "connection refused: " + uri);
        } catch (IOException e) {
            problem(uri, "I/O error scraping " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem(uri, "interrupted while scraping " + uri);
        } catch (IllegalArgumentException e) {
            problem(uri, "bad request for " + uri + ": " + e.getMessage());
        }
        return null;
    }

    @Override
    public void close() {
        client.close();
    }
}
