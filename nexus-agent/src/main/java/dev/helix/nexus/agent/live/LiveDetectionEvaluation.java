package dev.helix.nexus.agent.live;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.detect.DetectorCatalog;
import dev.helix.nexus.detect.anomaly.HostConsensus;
import dev.helix.nexus.detect.anomaly.HostVectorForest;
import dev.helix.nexus.detect.anomaly.HostVectorPca;
import dev.helix.nexus.telemetry.TelemetryReplay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Offline measurement of a per-series live detector on a recording of a host ({@code nexus record}): the false-alarm
 * rate per series family, alarms right after learning, and, for injected faults, how soon a series the fault moves
 * alarms and how often the same series alarm in a fault-free window of the same length (the chance level); and the
 * host verdicts of the live wiring ({@link #hostVerdicts}, consensus and host-vector forest, or any monitor); and the
 * host-vector forest alone ({@link #forestVerdicts}: its verdict episodes, smallest tail probability per fault and
 * outside faults, thread CPU time per tick). Used for {@code docs/benchmarks/live-detection.md}.
 *
 * <p>Definitions. Every {@code host_*} and {@code jvm_*} series (what the live agent watches) gets a fresh detector,
 * fed its finite values in recorded order. A sample is <em>scored</em> when the detector is no longer warming up
 * after it; a <em>false alarm</em> is an alarm on a scored sample outside every fault window [start, end + recovery]
 * (the return to normal is a change too). For a fault, the <em>delay</em> is the time from its start to the first
 * alarm, within {@code window} after the start and before its end, on a series matching the fault's pattern; the
 * <em>chance</em> is the share of fault-free windows of that length (starting at each scored tick, ending before the
 * recording does and overlapping no fault window) in which one of those series alarmed.
 *
 * <p>Cost O(ticks · series) time and memory (the recording is held as one array per series). Not thread-safe;
 * each call is independent.
 */
public final class LiveDetectionEvaluation {

    /** A fault window and the series it is expected to move (a regular expression on {@code MetricKey.toString()}). */
    public record Fault(String kind, long startMillis, long endMillis, Pattern moves) {
        public Fault {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(moves, "moves");
            if (endMillis < startMillis) {
                throw new IllegalArgumentException("fault " + kind + ": end " + endMillis + " before start " + startMillis);
            }
        }
    }

    /** Alarms and scored samples of one series family, outside faults. */
    public record Family(String name, int series, long scored, long alarms) {
        /** Alarms per scored sample (0 when nothing was scored). */
        public double rate() {
            return scored == 0 ? 0 : (double) alarms / scored;
        }
    }

    /**
     * One fault's outcome.
     *
     * @param delayMillis first alarm on a moved series after the start, or -1
     * @param firstSeries that series ("" when none)
     * @param chance      share of fault-free windows in which a moved series alarmed (NaN when there was none)
     */
    public record FaultResult(Fault fault, int movedSeries, long delayMillis, String firstSeries, double chance) {
    }

    /** Everything measured on one recording. */
    public record Report(List<Family> families, long alarmsRightAfterLearning, List<FaultResult> faults) {
        /** Alarms per scored sample over all families. */
        public double rate() {
            long s = 0;
            long a = 0;
            for (Family f : families) {
                s += f.scored();
                a += f.alarms();
            }
            return s == 0 ? 0 : (double) a / s;
        }
    }

    /** Scored samples after learning that count as "right after learning" in {@link Report#alarmsRightAfterLearning}. */
    public static final int RIGHT_AFTER_LEARNING = 50;

    /**
     * The series each stress-ng fault kind of the measurements moves: cpu, vm, hdd, timer (fixed before measuring).
     */
    public static final Map<String, Pattern> MOVES = Map.of(
            "cpu", Pattern.compile("host_cpu_(fraction|busy).*|host_load.*|host_procs_running|host_tasks_runnable"
                    + "|host_pressure.*resource=\"cpu\".*"),
            "vm", Pattern.compile("host_meminfo_bytes\\{field=\"(MemFree|MemAvailable|AnonPages|Active\\(anon\\)"
                    + "|Committed_AS)\"}|host_memory_available.*|host_page_faults.*"
                    + "|host_vmstat_per_second\\{counter=\"pgfault\"}|host_pressure.*resource=\"memory\".*"),
            "hdd", Pattern.compile("host_disk_.*|host_meminfo_bytes\\{field=\"(Dirty|Writeback)\"}"
                    + "|host_pressure.*resource=\"io\".*"),
            "timer", Pattern.compile("host_context_switches.*|host_interrupts.*|host_irq_per_second.*LOC.*"
                    + "|host_procs_running|host_load.*"));

    private LiveDetectionEvaluation() {
    }

    /** The family of a watched series, by name prefix: cpu, mem, psi, disk, net, irq, syscall, jvm or other. */
    public static String family(String name) {
        if (name.startsWith("jvm_")) {
            return "jvm";
        }
        if (name.startsWith("host_cpu")) {
            return "cpu";
        }
        if (name.startsWith("host_pressure")) {
            return "psi";
        }
        if (name.startsWith("host_disk")) {
            return "disk";
        }
        if (name.startsWith("host_network")) {
            return "net";
        }
        if (name.startsWith("host_irq") || name.startsWith("host_interrupts") || name.startsWith("host_context")) {
            return "irq";
        }
        if (name.startsWith("host_meminfo") || name.startsWith("host_zone") || name.startsWith("host_vmstat")) {
            return "mem";
        }
        if (name.startsWith("host_syscall")) {
            return "syscall";
        }
        return "other";
    }

    /**
     * Measures {@code detectors} on {@code replay}.
     *
     * @param recoveryMillis time after each fault's end not counted as normal (≥ 0)
     * @param windowMillis   detection window after a fault's start, also the chance window (&gt; 0)
     */
    public static Report evaluate(TelemetryReplay replay, Supplier<Detector> detectors, List<Fault> faults,
                                  long recoveryMillis, long windowMillis) {
        if (recoveryMillis < 0 || windowMillis <= 0) {
            throw new IllegalArgumentException("recoveryMillis must be >= 0 and windowMillis > 0, got "
                    + recoveryMillis + " and " + windowMillis);
        }
        int n = replay.tickCount();
        long[] ts = new long[n];
        Map<Long, Integer> tickOf = new HashMap<>();
        for (int i = 0; i < n; i++) {
            ts[i] = replay.tickTimestamp(i);
            tickOf.put(ts[i], i);
        }
        Map<MetricKey, double[]> series = new LinkedHashMap<>();
        replay.replayAll((key, value, t) -> {
            if (key.name().startsWith("host_") || key.name().startsWith("jvm_")) {
                series.computeIfAbsent(key, k -> {
                    double[] v = new double[n];
                    Arrays.fill(v, Double.NaN);
                    return v;
                })[tickOf.get(t)] = value;
            }
        });
        Map<String, long[]> fam = new TreeMap<>();
        Map<MetricKey, boolean[]> alarms = new HashMap<>();
        boolean[] scoredTick = new boolean[n];
        long early = 0;
        for (Map.Entry<MetricKey, double[]> e : series.entrySet()) {
            Detector d = detectors.get();
            long[] c = fam.computeIfAbsent(family(e.getKey().name()), k -> new long[3]);
            c[0]++;
            boolean[] al = new boolean[n];
            int sinceLearning = -1;
            for (int i = 0; i < n; i++) {
                double x = e.getValue()[i];
                if (!Double.isFinite(x)) {
                    continue;
                }
                d.update(x);
                if (d.isWarmingUp()) {
                    continue;
                }
                sinceLearning++;
                scoredTick[i] = true;
                al[i] = d.isAnomalous();
                if (inFault(ts[i], faults, recoveryMillis)) {
                    continue;
                }
                c[1]++;
                if (al[i]) {
                    c[2]++;
                    if (sinceLearning < RIGHT_AFTER_LEARNING) {
                        early++;
                    }
                }
            }
            alarms.put(e.getKey(), al);
        }
        List<Family> families = new ArrayList<>();
        fam.forEach((k, c) -> families.add(new Family(k, (int) c[0], c[1], c[2])));
        List<FaultResult> results = new ArrayList<>();
        for (Fault f : faults) {
            List<MetricKey> moved = series.keySet().stream().filter(k -> f.moves().matcher(k.toString()).matches())
                    .toList();
            long delay = -1;
            String first = "";
            for (int i = 0; i < n && delay < 0; i++) {
                if (ts[i] < f.startMillis() || ts[i] > Math.min(f.endMillis(), f.startMillis() + windowMillis)) {
                    continue;
                }
                for (MetricKey k : moved) {
                    if (alarms.get(k)[i]) {
                        delay = ts[i] - f.startMillis();
                        first = k.toString();
                        break;
                    }
                }
            }
            int windows = 0;
            int fired = 0;
            for (int i = 0; i < n; i++) {
                long end = ts[i] + windowMillis;
                if (!scoredTick[i] || end > ts[n - 1] || overlaps(ts[i], end, faults, recoveryMillis)) {
                    continue;
                }
                windows++;
                fired += anyAlarm(moved, alarms, ts, i, end) ? 1 : 0;
            }
            results.add(new FaultResult(f, moved.size(), delay, first, windows == 0 ? Double.NaN
                    : (double) fired / windows));
        }
        return new Report(families, early, results);
    }

    /**
     * The host verdicts the live wiring would have produced: {@link #hostVerdicts(TelemetryReplay, Supplier, Supplier)}
     * with {@link HostAnomalyMonitor#standard()} (consensus and host-vector forest, the assembly of {@code nexus run}
     * without the pattern classifier).
     */
    public static HostVerdicts hostVerdicts(TelemetryReplay replay, Supplier<Detector> detectors) {
        return hostVerdicts(replay, detectors, HostAnomalyMonitor::standard);
    }

    /**
     * The host verdicts of a host monitor: the recording replayed tick by tick through a {@link NexusEngine} on a
     * manual clock, {@code detectors} on every {@code host_*} and {@code jvm_*} series, the host series tapped by the
     * monitor {@code monitor} makes. Returns the {@link HostAnomalyMonitor#ANOMALY} and
     * {@link HostAnomalyMonitor#CLEARED} events in order, and the consensus' learned base rate.
     */
    public static HostVerdicts hostVerdicts(TelemetryReplay replay, Supplier<Detector> detectors,
                                            Supplier<HostAnomalyMonitor> monitor) {
        int n = replay.tickCount();
        long[] gaps = new long[Math.max(1, n - 1)];
        gaps[0] = 1000;
        for (int i = 1; i < n; i++) {
            gaps[i - 1] = Math.max(1, replay.tickTimestamp(i) - replay.tickTimestamp(i - 1));
        }
        Arrays.sort(gaps);
        NexusConfig config = NexusConfig.builder().level(NexusLevel.DETECTION)
                .tickDuration(Duration.ofMillis(gaps[gaps.length / 2]))
                .dataDir(Path.of(System.getProperty("java.io.tmpdir"))).build();
        ManualClock clock = new ManualClock(replay.tickTimestamp(0));
        RecentEvents events = new RecentEvents(100_000);
        HostAnomalyMonitor host = monitor.get();
        NexusEngine.Builder b = NexusEngine.builder(config, clock).sensor(replay).eventLog(events);
        b.detectors(key -> host.watch(key, key.name().startsWith("host_") || key.name().startsWith("jvm_")
                ? detectors.get() : null));
        b.handler(host);
        try (NexusEngine engine = b.build()) {
            engine.start();
            for (int i = 0; i < n; i++) {
                long gap = replay.tickTimestamp(i) - clock.wallMillis();
                if (gap > 0) {
                    clock.advance(Duration.ofMillis(gap));
                }
                engine.tick();
            }
        }
        List<NexusEvent> verdicts = events.snapshot().stream().filter(e -> e.type().equals(HostAnomalyMonitor.ANOMALY)
                || e.type().equals(HostAnomalyMonitor.CLEARED)).toList();
        return new HostVerdicts(verdicts, host.consensus().baseRate());
    }

    /** Host verdict events in order, and the per-series alarm rate the consensus had learned at the end. */
    public record HostVerdicts(List<NexusEvent> events, double baseRate) {
    }

    /**
     * One episode of the host-vector verdict.
     *
     * @param onMillis  timestamp of the tick that turned it on
     * @param offMillis timestamp of the tick that turned it off, or -1 if still on at the end
     * @param tailProbability the forest's tail probability at the onset
     * @param evidence  the most unusual features at the onset, as "name value (z …)"
     */
    public record ForestEpisode(long onMillis, long offMillis, double tailProbability, String evidence) {
    }

    /**
     * The host-vector forest alone on a recording.
     *
     * @param episodes        its verdict episodes in order
     * @param judgedTicks     ticks judged after learning
     * @param refits          fits, the first included
     * @param cpuNanosPerTick thread CPU time per tick of the forest (values in, tick ended), fits included
     * @param judgeNanosPerTick thread CPU time per judged tick without a fit (the steady per-tick cost)
     * @param nanosPerFit     thread CPU time per tick with a fit, minus the judging cost (the cross-fit included)
     * @param minTailProbability the smallest tail probability of a judged tick outside the faults (and recovery)
     * @param faultMinP       per fault (in order), the smallest tail probability within [start, end] (1 if none judged)
     * @param faultMinPDelay  per fault, the time from its start to that smallest tail probability, ms (-1 if none)
     */
    public record ForestRun(List<ForestEpisode> episodes, long judgedTicks, int refits, double cpuNanosPerTick,
                            double judgeNanosPerTick, double nanosPerFit, double minTailProbability, double[] faultMinP, long[] faultMinPDelay) {
    }

    /**
     * Replays {@code replay} through a {@link HostVectorForest} over {@code features} (values routed as in the live
     * wiring: a feature's series set, add or max its dimension; non-finite values are missing), tick by tick. The
     * per-tick cost is the thread CPU time of feeding the tick's feature values and ending the tick, measured
     * separately from reading the recording. {@code minTailProbability} is over judged ticks outside
     * [start, end + recoveryMillis] of every fault.
     */
    public static ForestRun forestVerdicts(TelemetryReplay replay, HostFeatures features, HostVectorForest.Config cfg,
                                           List<Fault> faults, long recoveryMillis) {
        HostVectorForest forest = new HostVectorForest(features.names(), cfg);
        return vectorVerdicts(replay, features, new VectorJudge() {
            @Override
            public void feed(HostFeatures.Aggregate agg, int dim, double value) {
                switch (agg) {
                    case ONE -> forest.set(dim, value);
                    case SUM -> forest.add(dim, value);
                    case MAX -> forest.max(dim, value);
                }
            }

            @Override
            public void endTick() {
                forest.endTick();
            }

            @Override
            public boolean isWarmingUp() {
                return forest.isWarmingUp();
            }

            @Override
            public int refits() {
                return forest.refits();
            }

            @Override
            public double tailProbability() {
                return forest.tailProbability();
            }

            @Override
            public boolean changed() {
                return forest.changed();
            }

            @Override
            public boolean isAnomalous() {
                return forest.isAnomalous();
            }

            @Override
            public String evidence() {
                StringBuilder sb = new StringBuilder();
                for (int k = 0; k < forest.topCount(); k++) {
                    sb.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.3g (z %.1f)",
                            forest.name(forest.topDimension(k)), forest.topValue(k), forest.topZ(k)));
                }
                return sb.toString();
            }
        }, faults, recoveryMillis);
    }

    /**
     * {@link #forestVerdicts} for a {@link HostVectorPca} over {@code features}: the same replay, routing, cost and
     * tail-probability bookkeeping; the evidence names the statistic (T² or Q) and each top feature's share of it.
     */
    public static ForestRun pcaVerdicts(TelemetryReplay replay, HostFeatures features, HostVectorPca.Config cfg,
                                        List<Fault> faults, long recoveryMillis) {
        HostVectorPca pca = new HostVectorPca(features.names(), cfg);
        return vectorVerdicts(replay, features, new VectorJudge() {
            @Override
            public void feed(HostFeatures.Aggregate agg, int dim, double value) {
                switch (agg) {
                    case ONE -> pca.set(dim, value);
                    case SUM -> pca.add(dim, value);
                    case MAX -> pca.max(dim, value);
                }
            }

            @Override
            public void endTick() {
                pca.endTick();
            }

            @Override
            public boolean isWarmingUp() {
                return pca.isWarmingUp();
            }

            @Override
            public int refits() {
                return pca.refits();
            }

            @Override
            public double tailProbability() {
                return pca.tailProbability();
            }

            @Override
            public boolean changed() {
                return pca.changed();
            }

            @Override
            public boolean isAnomalous() {
                return pca.isAnomalous();
            }

            @Override
            public String evidence() {
                return pcaEvidence(pca);
            }
        }, faults, recoveryMillis);
    }

    /** "T2 7.3e+02 (p …), Q … (p …); by T2: name value (z …, share …), …" for the last judged tick of {@code pca}. */
    static String pcaEvidence(HostVectorPca pca) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "T2 %.3g (p %.1e), Q %.3g (p %.1e); by %s: ",
                pca.t2(), pca.t2TailProbability(), pca.q(), pca.qTailProbability(), pca.evidenceStatistic()));
        for (int k = 0; k < pca.topCount(); k++) {
            sb.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.3g (z %.1f, %.0f %%)",
                    pca.name(pca.topDimension(k)), pca.topValue(k), pca.topZ(k), 100 * pca.topShare(k)));
        }
        return sb.toString();
    }

    /** What {@link #vectorVerdicts} needs of a host-vector detector. */
    private interface VectorJudge {
        void feed(HostFeatures.Aggregate agg, int dim, double value);

        void endTick();

        boolean isWarmingUp();

        int refits();

        double tailProbability();

        boolean changed();

        boolean isAnomalous();

        String evidence();
    }

    private static ForestRun vectorVerdicts(TelemetryReplay replay, HostFeatures features, VectorJudge forest,
                                            List<Fault> faults, long recoveryMillis) {
        int n = replay.tickCount();
        int d = features.size();
        long[] ts = new long[n];
        Map<Long, Integer> tickOf = new HashMap<>();
        for (int i = 0; i < n; i++) {
            ts[i] = replay.tickTimestamp(i);
            tickOf.put(ts[i], i);
        }
        // per tick, the feature series' values in arrival order: (dim, value) pairs
        List<List<double[]>> perTick = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            perTick.add(new ArrayList<>());
        }
        Map<MetricKey, Integer> dimOf = new HashMap<>();
        replay.replayAll((key, value, t) -> {
            int dim = dimOf.computeIfAbsent(key, features::dimensionOf);
            if (dim >= 0 && Double.isFinite(value)) {
                perTick.get(tickOf.get(t)).add(new double[] {dim, value});
            }
        });
        int[][] dims = new int[n][];
        double[][] vals = new double[n][];
        for (int i = 0; i < n; i++) {
            List<double[]> l = perTick.get(i);
            dims[i] = new int[l.size()];
            vals[i] = new double[l.size()];
            for (int j = 0; j < l.size(); j++) {
                dims[i][j] = (int) l.get(j)[0];
                vals[i][j] = l.get(j)[1];
            }
        }
        HostFeatures.Aggregate[] agg = new HostFeatures.Aggregate[d];
        for (int j = 0; j < d; j++) {
            agg[j] = features.features().get(j).aggregate();
        }
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        List<ForestEpisode> episodes = new ArrayList<>();
        long judged = 0;
        long cpu = 0;
        double minP = 1;
        long onAt = -1;
        double onP = 1;
        String onEvidence = "";
        long fitCpu = 0;
        long fitTicks = 0;
        long judgeCpu = 0;
        long judgeTicks = 0;
        double[] faultMinP = new double[faults.size()];
        long[] faultDelay = new long[faults.size()];
        Arrays.fill(faultMinP, 1.0);
        Arrays.fill(faultDelay, -1);
        for (int i = 0; i < n; i++) {
            long c0 = bean.getCurrentThreadCpuTime();
            for (int j = 0; j < dims[i].length; j++) {
                forest.feed(agg[dims[i][j]], dims[i][j], vals[i][j]);
            }
            boolean warming = forest.isWarmingUp();
            int fitsBefore = forest.refits();
            forest.endTick();
            long spent = bean.getCurrentThreadCpuTime() - c0;
            cpu += spent;
            if (forest.refits() != fitsBefore) {
                fitCpu += spent;
                fitTicks++;
            } else if (!warming) {
                judgeCpu += spent;
                judgeTicks++;
            }
            if (warming || forest.isWarmingUp()) {
                continue;
            }
            judged++;
            if (!inFault(ts[i], faults, recoveryMillis)) {
                minP = Math.min(minP, forest.tailProbability());
            }
            for (int f = 0; f < faults.size(); f++) {
                Fault fault = faults.get(f);
                if (ts[i] >= fault.startMillis() && ts[i] <= fault.endMillis()
                        && forest.tailProbability() < faultMinP[f]) {
                    faultMinP[f] = forest.tailProbability();
                    faultDelay[f] = ts[i] - fault.startMillis();
                }
            }
            if (forest.changed()) {
                if (forest.isAnomalous()) {
                    onAt = ts[i];
                    onP = forest.tailProbability();
                    onEvidence = forest.evidence();
                } else {
                    episodes.add(new ForestEpisode(onAt, ts[i], onP, onEvidence));
                    onAt = -1;
                }
            }
        }
        if (onAt >= 0) {
            episodes.add(new ForestEpisode(onAt, -1, onP, onEvidence));
        }
        double judgeNanos = judgeTicks == 0 ? 0 : (double) judgeCpu / judgeTicks;
        return new ForestRun(episodes, judged, forest.refits(), n == 0 ? 0 : (double) cpu / n, judgeNanos,
                fitTicks == 0 ? 0 : (double) fitCpu / fitTicks - judgeNanos, minP, faultMinP,
                faultDelay);
    }

    private static boolean inFault(long t, List<Fault> faults, long recovery) {
        for (Fault f : faults) {
            if (t >= f.startMillis() && t <= f.endMillis() + recovery) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlaps(long from, long to, List<Fault> faults, long recovery) {
        for (Fault f : faults) {
            if (from <= f.endMillis() + recovery && to >= f.startMillis()) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyAlarm(List<MetricKey> keys, Map<MetricKey, boolean[]> alarms, long[] ts, int from,
                                    long to) {
        for (int j = from; j < ts.length && ts[j] <= to; j++) {
            for (MetricKey k : keys) {
                if (alarms.get(k)[j]) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Reads fault windows, one per line {@code KIND START_MILLIS END_MILLIS} (other lines are ignored), with the
     * series each kind moves from {@link #MOVES}.
     *
     * @throws IllegalArgumentException naming the file and line of an unknown kind, a malformed number or an end before
     *                                  the start
     */
    public static List<Fault> readFaults(Path file) throws IOException {
        List<Fault> faults = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String[] p = lines.get(i).trim().split("\\s+");
            if (p.length != 3) {
                continue;
            }
            Pattern moves = MOVES.get(p[0]);
            if (moves == null) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": unknown fault kind '" + p[0]
                        + "', known: " + new TreeMap<>(MOVES).keySet());
            }
            try {
                faults.add(new Fault(p[0], Long.parseLong(p[1]), Long.parseLong(p[2]), moves));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1)
                        + ": start and end must be epoch milliseconds, got '" + lines.get(i).trim() + "'");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        return faults;
    }

    /**
     * {@code LiveDetectionEvaluation RECORDING DETECTOR [FAULTS]}: prints the report (10 s recovery, 5 s window), the
     * host-vector forest alone (system property {@code forest.margin}: its tail's shape margin, default the
     * configuration's), the host-vector PCA alone (system properties {@code pca.kept}, {@code pca.compress},
     * {@code pca.margin}, {@code pca.smooth}, {@code pca.alpha} override its defaults) and the host verdicts of the
     * consensus alone and of the live wiring; with {@code -Dhost.vector.only=true} only the forest and the PCA.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: LiveDetectionEvaluation RECORDING DETECTOR [FAULTS]");
            System.exit(2);
        }
        List<Fault> faults = args.length == 3 ? readFaults(Path.of(args[2])) : List.of();
        boolean vectorOnly = Boolean.getBoolean("host.vector.only");
        if (!vectorOnly) {
            printReport(args, faults);
        }
        TelemetryReplay again = TelemetryReplay.load(Path.of(args[0]));
        long first = again.tickTimestamp(0);
        double margin = Double.parseDouble(System.getProperty("forest.margin",
                String.valueOf(HostVectorForest.Config.defaults().shapeMargin())));
        HostVectorForest.Config cfg = HostVectorForest.Config.defaults().withShapeMargin(margin);
        printVector(String.format(Locale.ROOT, "host-vector forest alone (shape margin %.2f)", margin), "forest",
                forestVerdicts(again, HostFeatures.standard(), cfg, faults, 10_000), faults, first);
        HostVectorPca.Config pc = HostVectorPca.Config.defaults();
        pc = pc.withPca(Double.parseDouble(System.getProperty("pca.kept", String.valueOf(pc.varianceKept()))),
                        Boolean.parseBoolean(System.getProperty("pca.compress", String.valueOf(pc.compress()))))
                .withShapeMargin(Double.parseDouble(System.getProperty("pca.margin", String.valueOf(pc.shapeMargin()))))
                .withSmoothing(Integer.getInteger("pca.smooth", pc.smooth()));
        double pcaAlpha = Double.parseDouble(System.getProperty("pca.alpha", String.valueOf(pc.alpha())));
        pc = pc.withAlpha(pcaAlpha, Math.max(pcaAlpha, pc.holdAlpha()));
        printVector(String.format(Locale.ROOT, "host-vector PCA alone (T2 and Q; variance kept %.2f, asinh %s, shape "
                        + "margin %.2f, smoothed over %d, alpha %.0e)", pc.varianceKept(), pc.compress(), pc.shapeMargin(),
                        pc.smooth(), pc.alpha()), "pca",
                pcaVerdicts(again, HostFeatures.standard(), pc, faults, 10_000), faults, first);
        if (vectorOnly) {
            return;
        }
        printHost("host verdicts, consensus only", hostVerdicts(again, DetectorCatalog.univariate(args[1]),
                () -> new HostAnomalyMonitor(HostConsensus.withDefaults())), faults, first);
        // a replay is consumed by the engine's ticks: a fresh one for the second run
        printHost("host verdicts, live wiring (" + HostAnomalyMonitor.standard().sources() + ")", hostVerdicts(
                TelemetryReplay.load(Path.of(args[0])), DetectorCatalog.univariate(args[1])), faults, first);
    }

    private static void printReport(String[] args, List<Fault> faults) throws IOException {
        Report r = evaluate(TelemetryReplay.load(Path.of(args[0])), DetectorCatalog.univariate(args[1]), faults,
                10_000, 5_000);
        System.out.printf(Locale.ROOT, "%s, detector %s%n%-8s %6s %9s %7s %9s%n", args[0], args[1], "family", "series",
                "scored", "alarms", "rate");
        long s = 0;
        long a = 0;
        for (Family f : r.families()) {
            System.out.printf(Locale.ROOT, "%-8s %6d %9d %7d %9.2e%n", f.name(), f.series(), f.scored(), f.alarms(),
                    f.rate());
            s += f.scored();
            a += f.alarms();
        }
        System.out.printf(Locale.ROOT, "%-8s %6s %9d %7d %9.2e%n", "total", "", s, a, r.rate());
        System.out.printf(Locale.ROOT, "alarms in the first %d scored samples of a series: %d%n", RIGHT_AFTER_LEARNING,
                r.alarmsRightAfterLearning());
        for (FaultResult f : r.faults()) {
            System.out.printf(Locale.ROOT, "fault %-6s %3d moved series: %s, chance %.3f%n", f.fault().kind(),
                    f.movedSeries(), f.delayMillis() < 0 ? "no alarm" : f.delayMillis() + " ms (" + f.firstSeries() + ")",
                    f.chance());
        }
    }

    private static void printVector(String title, String label, ForestRun fr, List<Fault> faults, long first) {
        System.out.printf(Locale.ROOT, "%s: %d verdicts over %d judged ticks, "
                        + "%d fits; thread CPU %.1f us per tick in all, %.1f us per judged tick without a fit, "
                        + "%.2f ms per fit; smallest p outside faults %.1e%n", title, fr.episodes().size(),
                fr.judgedTicks(), fr.refits(), fr.cpuNanosPerTick() / 1e3, fr.judgeNanosPerTick() / 1e3,
                fr.nanosPerFit() / 1e6, fr.minTailProbability());
        for (int f = 0; f < faults.size(); f++) {
            System.out.printf(Locale.ROOT, "  fault %-6s %s: smallest p %.1e at +%d ms%n", faults.get(f).kind(),
                    label, fr.faultMinP()[f], fr.faultMinPDelay()[f]);
        }
        for (ForestEpisode e : fr.episodes()) {
            String where = "no fault";
            for (Fault f : faults) {
                if (e.onMillis() >= f.startMillis() && e.onMillis() <= f.endMillis() + 10_000) {
                    where = f.kind() + " +" + (e.onMillis() - f.startMillis()) + " ms";
                }
            }
            System.out.printf(Locale.ROOT, "  %s on at %7.1f s for %s (%s): p %.1e; %s%n", label,
                    (e.onMillis() - first) / 1e3, e.offMillis() < 0 ? "the rest"
                            : String.format(Locale.ROOT, "%.1f s", (e.offMillis() - e.onMillis()) / 1e3),
                    where, e.tailProbability(), e.evidence());
        }
    }

    private static void printHost(String title, HostVerdicts h, List<Fault> faults, long first) {
        System.out.printf(Locale.ROOT, "%s: %d (learned base rate %.1e per series and tick)%n", title,
                h.events().stream().filter(e -> e.type().equals(HostAnomalyMonitor.ANOMALY)).count(), h.baseRate());
        for (NexusEvent e : h.events()) {
            String where = "no fault";
            for (Fault f : faults) {
                if (e.timestampMillis() >= f.startMillis() && e.timestampMillis() <= f.endMillis() + 10_000) {
                    where = f.kind() + " +" + (e.timestampMillis() - f.startMillis()) + " ms";
                }
            }
            System.out.printf(Locale.ROOT, "  %-21s at %7.1f s (%s): %s%n", e.type(), (e.timestampMillis() - first) / 1e3,
                    where, e.reason());
        }
    }
}
