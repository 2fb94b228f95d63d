package dev.helix.nexus.agent.live;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.DomainHandler;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.engine.TickContext;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.detect.DetectorCatalog;
import dev.helix.nexus.detect.anomaly.HostConsensus;
import dev.helix.nexus.detect.anomaly.HostVectorForest;
import dev.helix.nexus.detect.anomaly.LiveSeriesDetector;
import dev.helix.nexus.telemetry.TelemetryReplay;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser.TimedSample;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A measurement tool for the live agent's detection work (not used by the agent itself): replays a {@code nexus record}
 * recording, tiled {@code repeat} times (copy k shifted by k × (span + one tick), so the detectors get past their
 * learning phase), through a real {@link NexusEngine} at level Detection with a {@link ManualClock}, wired like
 * {@code nexus run} (a {@link LiveSeriesDetector} per {@code host_*}/{@code jvm_*} series, {@link HostAnomalyMonitor}
 * and {@link LivePatterns}), on the calling thread.
 *
 * <ul>
 *   <li>{@code digest FILE REPEAT OUT}: writes every event (timestamp, category, type, component, reason, evidence
 *       with its top-level keys sorted) and, per watched series, the number of scores with an order-sensitive hash of
 *       their bits and verdicts, and a hash of the host decision's state after every tick (consensus score, tail
 *       probability, metrics, votes, vote surprise; forest score and tail probability; verdict), to {@code OUT}. Two
 *       builds whose OUT files are byte-identical produced the same detection results.</li>
 *   <li>{@code profile FILE REPEAT ROUNDS}: per round, one replay of the full wiring with the thread CPU time of each
 *       component (sensing, the patterns' sample sink, the per-series detectors, the host monitor, the patterns'
 *       classification, the rest of the tick) summed and divided by the ticks. Prints each round, then the median of
 *       the second half of the rounds (JIT warmed). Before each tick a 32 MB walk evicts the caches: at 1 Hz the
 *       detectors' state (several MB) is cold at every tick, which a back-to-back replay would hide.</li>
 * </ul>
 * Cost: O(REPEAT × samples of the file) per replay, plus 32 MB of memory walked per tick in {@code profile}; the
 * recording is held in memory. Deterministic for a given file (seeded components only). Not thread-safe; a
 * command-line tool.
 */
public final class LiveTickProfile {

    private LiveTickProfile() {
    }

    /** Entry point; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[0].equals("digest") || args[0].equals("profile"))) {
            System.err.println("usage: LiveTickProfile digest FILE REPEAT OUT | profile FILE REPEAT ROUNDS");
            System.exit(2);
        }
        List<List<TimedSample>> ticks = tile(Path.of(args[1]), Integer.parseInt(args[2]));
        if (args[0].equals("digest")) {
            digest(ticks, Path.of(args[3]));
        } else {
            profile(ticks, Integer.parseInt(args[3]));
        }
    }

    /** The recording's ticks, {@code repeat} times, each copy shifted past the previous one. */
    static List<List<TimedSample>> tile(Path file, int repeat) throws IOException {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be >= 1, got " + repeat);
        }
        TelemetryReplay replay = TelemetryReplay.load(file, true);
        List<List<TimedSample>> one = new ArrayList<>();
        replay.replayAll((key, value, ts) -> {
            if (one.isEmpty() || one.get(one.size() - 1).get(0).timestampMillis() != ts) {
                one.add(new ArrayList<>());
            }
            one.get(one.size() - 1).add(new TimedSample(key, value, ts));
        });
        if (one.size() < 2) {
            throw new IllegalArgumentException(file + ": needs at least 2 ticks, has " + one.size());
        }
        long first = one.get(0).get(0).timestampMillis();
        long last = one.get(one.size() - 1).get(0).timestampMillis();
        long step = Math.max(1, (last - first) / (one.size() - 1));
        long shift = last - first + step;
        List<List<TimedSample>> out = new ArrayList<>();
        for (int k = 0; k < repeat; k++) {
            for (List<TimedSample> t : one) {
                List<TimedSample> c = new ArrayList<>(t.size());
                for (TimedSample s : t) {
                    c.add(new TimedSample(s.key(), s.value(), s.timestampMillis() + k * shift));
                }
                out.add(c);
            }
        }
        return out;
    }

    /** Runs the replay through an engine; returns the ticks run. */
    private static long run(List<List<TimedSample>> ticks, RecentEvents events, Function<MetricKey, Detector> perSeries,
                            boolean host, boolean patterns, long[] hostHash) {
        long first = ticks.get(0).get(0).timestampMillis();
        long second = ticks.get(1).get(0).timestampMillis();
        NexusConfig config = NexusConfig.builder().level(NexusLevel.DETECTION)
                .tickDuration(Duration.ofMillis(Math.max(1, second - first)))
                .dataDir(Path.of(System.getProperty("java.io.tmpdir"))).build();
        ManualClock clock = new ManualClock(first);
        TelemetryReplay replay = TelemetryReplay.of("profile", ticks);
        NexusEngine.Builder b = NexusEngine.builder(config, clock).sensor(replay).eventLog(events);
        if (host) {
            HostAnomalyMonitor monitor = HostAnomalyMonitor.standard();
            b.detectors(key -> monitor.watch(key, perSeries.apply(key)));
            b.handler(monitor);
            if (hostHash != null) {
                b.handler(new DomainHandler() {
                    @Override
                    public Domain domain() {
                        return Domain.UNDERSTAND;
                    }

                    @Override
                    public void onTick(TickContext ctx) {
                        HostConsensus c = monitor.consensus();
                        HostVectorForest f = monitor.forest();
                        fold(hostHash, c.score(), c.hostTailProbability(), c.metrics(), c.votes(), c.voteSurprise(),
                                f.score(), f.tailProbability(), monitor.isAnomalous() ? 1 : 0,
                                f.isWarmingUp() ? 1 : 0);
                        hostHash[0]++;
                    }
                });
            }
        } else {
            b.detectors(perSeries);
        }
        if (patterns) {
            // pid 1: the recording's unlabelled jvm_* series get a subject, as the agent's own do
            LivePatterns p = new LivePatterns(30, 10, 5, 1);
            b.sampleSink(p.sink());
            b.handler(p);
        }
        long n = 0;
        try (NexusEngine engine = b.build()) {
            engine.start();
            for (List<TimedSample> t : ticks) {
                long gap = t.get(0).timestampMillis() - clock.wallMillis();
                if (gap > 0) {
                    clock.advance(Duration.ofMillis(gap));
                }
                if (engine.tick()) {
                    n++;
                }
            }
        }
        return n;
    }

    /** 32 MB, more than the last-level cache: walking it leaves the caches as cold as a second of other work. */
    private static final long[] EVICT = new long[4 << 20];
    private static long sink;

    /** Touches one word per cache line of {@link #EVICT}, so the next tick starts with cold caches, as at 1 Hz. */
    private static void evictCaches() {
        long x = 0;
        for (int i = 0; i < EVICT.length; i += 8) {
            x += EVICT[i]++;
        }
        sink += x;
    }

    private static boolean watched(MetricKey key) {
        return key.name().startsWith("host_") || key.name().startsWith("jvm_");
    }

    private static void digest(List<List<TimedSample>> ticks, Path out) throws IOException {
        Supplier<Detector> live = DetectorCatalog.univariate(LiveSeriesDetector.NAME);
        Map<String, long[]> scores = new TreeMap<>();
        RecentEvents events = new RecentEvents(1_000_000);
        long[] hostHash = new long[2];
        long n = run(ticks, events, key -> {
            if (!watched(key)) {
                return null;
            }
            long[] acc = scores.computeIfAbsent(key.toString(), k -> new long[2]);
            return new Recording(live.get(), acc);
        }, true, true, hostHash);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            w.printf("ticks %d events %d series %d%n", n, events.total(), scores.size());
            for (NexusEvent e : events.snapshot()) {
                w.printf("%d %s %s %s %s %s%n", e.timestampMillis(), e.category(), e.type(), e.component(),
                        e.reason(), new TreeMap<>(e.evidence())); // top level sorted: engine events use Map.of
            }
            w.printf("host decision ticks %d hash %016x%n", hostHash[0], hostHash[1]);
            scores.forEach((k, acc) -> w.printf("%s %d %016x%n", k, acc[0], acc[1]));
        }
        System.out.printf("%d ticks, %d events, %d series -> %s%n", n, events.total(), scores.size(), out);
    }

    /** Passes through; counts the scores and folds their bits and verdicts into an order-sensitive hash. */
    private record Recording(Detector d, long[] acc) implements Detector {
        @Override
        public String name() {
            return d.name();
        }

        @Override
        public double update(double value) {
            double s = d.update(value);
            acc[0]++;
            acc[1] = acc[1] * 0x9E3779B97F4A7C15L + Double.doubleToRawLongBits(s) * 31 + (d.isAnomalous() ? 1 : 0)
                    + (d.isWarmingUp() ? 2 : 0);
            return s;
        }

        @Override
        public boolean isAnomalous() {
            return d.isAnomalous();
        }

        @Override
        public boolean isWarmingUp() {
            return d.isWarmingUp();
        }

        @Override
        public void reset() {
            d.reset();
        }
    }

    /** Folds the bits of {@code values} into {@code acc[1]}, order-sensitively. */
    private static void fold(long[] acc, double... values) {
        for (double v : values) {
            acc[1] = acc[1] * 0x9E3779B97F4A7C15L + Double.doubleToRawLongBits(v);
        }
    }

    /** Thread CPU nanoseconds per component, summed over a run (see {@link #COMPONENTS}). */
    private static final String[] COMPONENTS = {"tick (total)", "sense (replay + sinks)", "  of which patterns sink",
            "series detectors", "host monitor", "patterns", "rest of the tick"};

    private static void profile(List<List<TimedSample>> ticks, int rounds) {
        double[][] perTick = new double[COMPONENTS.length][rounds];
        for (int r = 0; r < rounds; r++) {
            long[] ns = new long[COMPONENTS.length];
            long n = runTimed(ticks, ns);
            StringBuilder line = new StringBuilder("round " + r + ":");
            for (int c = 0; c < COMPONENTS.length; c++) {
                perTick[c][r] = ns[c] / 1e6 / n;
                line.append(String.format(Locale.ROOT, " %.3f", perTick[c][r]));
            }
            System.out.println(line + " ms/tick");
        }
        System.out.printf(Locale.ROOT, "median of rounds %d..%d, ms per tick (%d ticks per replay; caches evicted "
                + "before each tick):%n", rounds / 2, rounds - 1, ticks.size());
        for (int c = 0; c < COMPONENTS.length; c++) {
            double[] h = Arrays.copyOfRange(perTick[c], rounds / 2, rounds);
            Arrays.sort(h);
            System.out.printf(Locale.ROOT, "  %-24s %.3f%n", COMPONENTS[c], h[h.length / 2]);
        }
    }

    /**
     * The full live wiring with thread-CPU marks between the components: a Sense handler added after the sensing
     * domain marks the end of sensing, the timed host monitor and patterns handlers (Understand, after the per-series
     * detectors' domain) mark their own spans; the patterns sink is timed per sample with {@link System#nanoTime()}
     * (wall time, a few ns per sample of overhead).
     */
    private static long runTimed(List<List<TimedSample>> ticks, long[] ns) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long first = ticks.get(0).get(0).timestampMillis();
        long second = ticks.get(1).get(0).timestampMillis();
        NexusConfig config = NexusConfig.builder().level(NexusLevel.DETECTION)
                .tickDuration(Duration.ofMillis(Math.max(1, second - first)))
                .dataDir(Path.of(System.getProperty("java.io.tmpdir"))).build();
        ManualClock clock = new ManualClock(first);
        Supplier<Detector> live = DetectorCatalog.univariate(LiveSeriesDetector.NAME);
        HostAnomalyMonitor monitor = HostAnomalyMonitor.standard();
        LivePatterns patterns = new LivePatterns(30, 10, 5, 1);
        long[] mark = new long[1];
        MetricSink sink = patterns.sink();
        NexusEngine.Builder b = NexusEngine.builder(config, clock).sensor(TelemetryReplay.of("profile", ticks))
                .eventLog(new RecentEvents(10_000))
                .detectors(key -> monitor.watch(key, watched(key) ? live.get() : null))
                .sampleSink((key, value, ts) -> {
                    long t0 = System.nanoTime();
                    sink.record(key, value, ts);
                    ns[2] += System.nanoTime() - t0;
                })
                .handler(marker(Domain.SENSE, () -> {
                    long now = mx.getCurrentThreadCpuTime();
                    ns[1] += now - mark[0];
                    mark[0] = now;
                }))
                .handler(marker(Domain.UNDERSTAND, () -> {
                    long now = mx.getCurrentThreadCpuTime();
                    ns[3] += now - mark[0];
                    mark[0] = now;
                }))
                .handler(timed(monitor, mx, mark, ns, 4))
                .handler(timed(patterns, mx, mark, ns, 5));
        long n = 0;
        try (NexusEngine engine = b.build()) {
            engine.start();
            for (List<TimedSample> t : ticks) {
                long gap = t.get(0).timestampMillis() - clock.wallMillis();
                if (gap > 0) {
                    clock.advance(Duration.ofMillis(gap));
                }
                evictCaches();
                long t0 = mx.getCurrentThreadCpuTime();
                mark[0] = t0;
                if (engine.tick()) {
                    n++;
                }
                ns[0] += mx.getCurrentThreadCpuTime() - t0;
            }
        }
        ns[6] = ns[0] - ns[1] - ns[3] - ns[4] - ns[5];
        return n;
    }

    private static DomainHandler marker(Domain domain, Runnable mark) {
        return new DomainHandler() {
            @Override
            public Domain domain() {
                return domain;
            }

            @Override
            public void onTick(TickContext ctx) {
                mark.run();
            }
        };
    }

    private static DomainHandler timed(DomainHandler h, ThreadMXBean mx, long[] mark, long[] ns, int slot) {
        return new DomainHandler() {
            @Override
            public Domain domain() {
                return h.domain();
            }

            @Override
            public void onTick(TickContext ctx) throws Exception {
                h.onTick(ctx);
                long now = mx.getCurrentThreadCpuTime();
                ns[slot] += now - mark[0];
                mark[0] = now;
            }
        };
    }
}
