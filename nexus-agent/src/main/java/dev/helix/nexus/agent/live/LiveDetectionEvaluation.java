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
 * host verdicts of the live wiring ({@link #hostVerdicts}). Used for {@code docs/benchmarks/live-detection.md}.
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
     * The host verdicts the live wiring would have produced: the recording replayed tick by tick through a
     * {@link NexusEngine} on a manual clock, {@code detectors} on every {@code host_*} and {@code jvm_*} series, the
     * host series tapped by a {@link HostAnomalyMonitor} over {@link HostConsensus#withDefaults()} (the assembly of
     * {@code nexus run} without the pattern classifier). Returns the {@link HostAnomalyMonitor#ANOMALY} and
     * {@link HostAnomalyMonitor#CLEARED} events in order, and the monitor (for its learned base rate).
     */
    public static HostVerdicts hostVerdicts(TelemetryReplay replay, Supplier<Detector> detectors) {
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
        HostAnomalyMonitor host = new HostAnomalyMonitor(HostConsensus.withDefaults());
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
     * {@code LiveDetectionEvaluation RECORDING DETECTOR [FAULTS]}: prints the report (10 s recovery, 5 s window) and
     * the host verdicts.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: LiveDetectionEvaluation RECORDING DETECTOR [FAULTS]");
            System.exit(2);
        }
        List<Fault> faults = args.length == 3 ? readFaults(Path.of(args[2])) : List.of();
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
        TelemetryReplay again = TelemetryReplay.load(Path.of(args[0]));
        HostVerdicts h = hostVerdicts(again, DetectorCatalog.univariate(args[1]));
        long first = again.tickTimestamp(0);
        System.out.printf(Locale.ROOT, "host verdicts: %d (learned base rate %.1e per series and tick)%n",
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
