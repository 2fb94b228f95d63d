package dev.helix.nexus.telemetry.prometheus;

import dev.helix.nexus.core.SenseTargets;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns any Prometheus/OpenMetrics text endpoint into a {@link dev.helix.nexus.core.spi.Sensor} whose tick never
 * waits for the network: the HTTP GET and the parsing run on this sensor's own virtual threads, and each tick only
 * publishes the latest <em>completed</em> scrape and starts the next one.
 *
 * <p>Per tick ({@link #sample}, O(samples of one scrape), never blocks):
 * <ol>
 *   <li>if the scrape started at an earlier tick has completed, it becomes the latest result, and a new scrape is
 *       started (the first one is started by the constructor, so the first tick normally has data);</li>
 *   <li>the latest result is published: every sample with an added {@code scrape_target} label, plus
 *       {@code scrape_up{scrape_target}} (1/0), {@code scrape_duration_seconds}, {@code scrape_samples} and
 *       {@code scrape_age_seconds} (tick time minus the tick time that started the published scrape; 1 tick
 *       normally, since a scrape started at tick N is published at tick N + 1);</li>
 *   <li>if the scrape in flight has not answered by this tick, the source is DEGRADED "no answer from URL after
 *       N ms (timeout T ms)" while the last good scrape (republished with its age) is younger than
 *       {@code 2 × timeout}; after that no stale samples are published and it is FAILED with the same reason.</li>
 * </ol>
 *
 * <p>A down, slow, non-200 or garbage endpoint never throws: the scrape's health is FAILED with the reason
 * (connection refused, timed out after T ms, HTTP 500, no samples, response too large), or DEGRADED naming the bad
 * lines. The whole request, body included, is bounded by {@code timeout} (connect timeout plus a deadline on the
 * response future that cancels the exchange), so a hanging endpoint costs one virtual thread for at most
 * {@code timeout}, never tick time. Counters are passed through raw (no rate), as the endpoint exposes them.
 *
 * <p>Threads: one {@link HttpClient} whose executor makes a virtual thread per task; at most one scrape in flight.
 * {@link #sample} and {@link #sampleText} are for one thread (the tick thread); the hand-over from the scrape
 * threads is through a {@link CompletableFuture}. {@link #close()} cancels the scrape in flight and releases the
 * client.
 */
public final class PrometheusScrapeSensor extends AbstractSensor {

    private final URI uri;
    private final String target;
    private final Duration timeout;
    private final long intervalMillis;
    private final int maxSamples;
    private final long maxBytes;
    private final ExecutorService executor;
    private final HttpClient client;
    private final MetricKey up;
    private final MetricKey duration;
    private final MetricKey samples;
    private final MetricKey age;
    private final Map<MetricKey, MetricKey> labelled = new HashMap<>();

    /** The scrape in flight or just completed, null when none; tick thread only. */
    private CompletableFuture<Scrape> pending;
    /** Tick time at which {@link #pending} was started; {@link Long#MIN_VALUE} when started before the first tick. */
    private long pendingStartedAt;
    /** The latest completed scrape, null before the first completes; tick thread only. */
    private Scrape latest;
    /** Tick time at which {@link #latest} was started ({@link Long#MIN_VALUE}: before the first tick). */
    private long latestStartedAt;

    /** Outcome of one scrape: samples parsed off the tick thread and the problems met. Immutable. */
    private record Scrape(List<PrometheusTextParser.Sample> samples, List<String> problems, double seconds) {
    }

    /** Scrapes {@code uri} with a 2 s timeout, at most 50 000 samples and 16 MiB. */
    public PrometheusScrapeSensor(URI uri) {
        this(uri, Duration.ofSeconds(2), 50_000, 16L << 20);
    }

    /**
     * Creates the sensor and starts its first scrape in the background.
     *
     * @param uri        the endpoint, e.g. {@code http://localhost:9100/metrics}
     * @param timeout    connect timeout and deadline of the whole request, body included
     * @param maxSamples samples kept per scrape
     * @param maxBytes   largest body accepted
     * @throws IllegalArgumentException if {@code uri} is not an absolute http(s) URL with a host, or a bound is not
     *     positive
     */
    public PrometheusScrapeSensor(URI uri, Duration timeout, int maxSamples, long maxBytes) {
        this(uri, timeout, Duration.ZERO, maxSamples, maxBytes);
    }

    /**
     * Creates the sensor and starts its first scrape in the background; a new scrape is started at the first tick at
     * least {@code interval} after the start of the previous one (and never while one is in flight), and between
     * scrapes each tick republishes the latest with its {@code scrape_age_seconds}. With an interval, a scrape is
     * DEGRADED/FAILED as late only once it has been in flight at a later tick, as without one.
     *
     * @param interval least time between the starts of two scrapes; zero: every tick
     * @throws IllegalArgumentException as {@link #PrometheusScrapeSensor(URI, Duration, int, long)}, or for a
     *     negative interval
     */
    public PrometheusScrapeSensor(URI uri, Duration timeout, Duration interval, int maxSamples, long maxBytes) {
        super("scrape:" + uri, uri.toString());
        checkTarget(uri);
        if (timeout.isNegative() || timeout.isZero() || maxSamples < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("timeout, maxSamples and maxBytes must be positive for " + uri + ": "
                    + timeout + ", " + maxSamples + ", " + maxBytes);
        }
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative for " + uri + ": " + interval);
        }
        this.intervalMillis = interval.toMillis();
        this.uri = uri;
        this.target = uri.getAuthority();
        this.timeout = timeout;
        this.maxSamples = maxSamples;
        this.maxBytes = maxBytes;
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("nexus-scrape-", 0).factory());
        this.client = HttpClient.newBuilder().connectTimeout(timeout).executor(executor)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.up = MetricKey.of("scrape_up", "scrape_target", target);
        this.duration = MetricKey.of("scrape_duration_seconds", "scrape_target", target);
        this.samples = MetricKey.of("scrape_samples", "scrape_target", target);
        this.age = MetricKey.of("scrape_age_seconds", "scrape_target", target);
        this.pending = startScrape();
        this.pendingStartedAt = Long.MIN_VALUE;
    }

    /**
     * Checks that {@code uri} can be scraped: absolute, scheme http or https, with a host.
     *
     * @throws IllegalArgumentException naming the URL and what is wrong with it
     */
    public static void checkTarget(URI uri) {
        String problem = SenseTargets.scrapeUrlProblem(uri.toString());
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String textOverride) {
        if (textOverride != null) {
            publish(sink, ts, parse(textOverride, System.nanoTime()), 0);
            return;
        }
        if (pending != null && pending.isDone()) {
            latest = pending.getNow(null);
            latestStartedAt = pendingStartedAt;
            pending = null;
        }
        boolean late = pending != null;
        if (pending == null && (intervalMillis == 0 || latest == null || latestStartedAt == Long.MIN_VALUE
                || ts - latestStartedAt >= intervalMillis)) {
            pending = startScrape();
            pendingStartedAt = ts;
        }
        long ageMillis = latest == null || latestStartedAt == Long.MIN_VALUE ? 0 : Math.max(0, ts - latestStartedAt);
        if (late) {
            String waited = pendingStartedAt == Long.MIN_VALUE ? "since start-up" : "after " + (ts - pendingStartedAt) + " ms";
            String reason = "no answer from " + uri + " " + waited + " (timeout " + timeout.toMillis() + " ms)";
            if (latest == null || latest.samples().isEmpty() || ageMillis > 2 * timeout.toMillis()) {
                problem(uri, reason);
                recordMeta(sink, up, 0, ts);
                return;
            }
            problem(uri, reason + "; republishing the scrape of " + ageMillis + " ms ago");
        }
        publish(sink, ts, latest, ageMillis);
    }

    private void publish(MetricSink sink, long ts, Scrape s, long ageMillis) {
        recordMeta(sink, duration, s.seconds(), ts);
        recordMeta(sink, age, ageMillis / 1e3, ts);
        for (String p : s.problems()) {
            problem(uri, p);
        }
        if (s.samples().isEmpty()) {
            recordMeta(sink, up, 0, ts);
            return;
        }
        recordMeta(sink, up, 1, ts);
        recordMeta(sink, samples, s.samples().size(), ts);
        for (PrometheusTextParser.Sample x : s.samples()) {
            sink.record(withTarget(x.key()), x.value(), ts);
        }
    }

    /** Parses {@code text} as if it were the response body, synchronously (tests, replay). */
    public void sampleText(String text, MetricSink sink, long ts) {
        run(sink, ts, text == null ? "" : text);
    }

    /**
     * Waits until the scrape in flight, if any, has completed, so that the next {@link #sample} publishes it (for
     * one-shot exports and tests). Blocks the caller for at most {@code max}.
     *
     * @return whether no scrape is in flight any more
     */
    public boolean awaitScrape(Duration max) {
        CompletableFuture<Scrape> p = pending;
        if (p == null) {
            return true;
        }
        try {
            p.get(max.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | CancellationException e) {
            return true;
        }
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

    /** Starts one GET whose outcome (never an exception) completes the returned future within {@code timeout}. */
    private CompletableFuture<Scrape> startScrape() {
        long start = System.nanoTime();
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
                    .GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(failed("bad request for " + uri + ": " + e.getMessage(), start));
        }
        CompletableFuture<HttpResponse<byte[]>> send;
        try {
            send = client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failed("cannot scrape " + uri + ": " + e, start));
        }
        return send.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).handle((resp, err) -> {
            if (err != null) {
                send.cancel(true); // e.g. the deadline hit while the body was still streaming: drop the exchange
                return failed(describe(err), start);
            }
            if (resp.statusCode() != 200) {
                return failed("HTTP " + resp.statusCode() + " from " + uri, start);
            }
            if (resp.body().length > maxBytes) {
                return failed("response of " + resp.body().length + " bytes from " + uri + " exceeds " + maxBytes, start);
            }
            return parse(new String(resp.body(), StandardCharsets.UTF_8), start);
        });
    }

    private Scrape parse(String body, long startNanos) {
        PrometheusTextParser.Result r = PrometheusTextParser.parse(body, maxSamples);
        List<String> problems = r.problems();
        if (r.samples().isEmpty() && problems.isEmpty()) {
            problems = List.of("no samples in response from " + uri);
        }
        return new Scrape(r.samples(), problems, (System.nanoTime() - startNanos) / 1e9);
    }

    private Scrape failed(String reason, long startNanos) {
        return new Scrape(List.of(), List.of(reason), (System.nanoTime() - startNanos) / 1e9);
    }

    private String describe(Throwable err) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e instanceof TimeoutException || e instanceof HttpTimeoutException) {
            return "timed out after " + timeout.toMillis() + " ms: " + uri;
        }
        if (e instanceof ConnectException) {
            return "connection refused: " + uri;
        }
        if (e instanceof CancellationException) {
            return "scrape of " + uri + " cancelled";
        }
        return "I/O error scraping " + uri + ": " + e;
    }

    @Override
    public void close() {
        CompletableFuture<Scrape> p = pending;
        if (p != null) {
            p.cancel(true);
        }
        client.shutdownNow();
        client.close();
        executor.shutdownNow();
        super.close();
    }
}
