package dev.helix.nexus.agent.cli;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.DetectorCatalog;
import dev.helix.nexus.telemetry.RecordingFormatException;
import dev.helix.nexus.telemetry.RecordingImport;
import dev.helix.nexus.telemetry.TelemetryReplay;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nexus replay FILE}: feeds a recording through a real {@link NexusEngine} as if live — one recorded tick per
 * engine tick, the engine's clock a {@link ManualClock} set to each tick's recorded timestamp, every series watched by
 * the live detector — and prints a summary (ticks, series, anomalies). The result depends only on the file: replaying
 * the same file twice prints the same thing. By default ticks are paced like the recording; {@code --speed N} divides
 * the waits by N and {@code --speed 0} does not wait at all. Reads {@code nexus record} files, NAB CSVs
 * ({@code timestamp,value}) and SMD matrices (one row per step, plain or gzip).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay a recording (or a NAB CSV / SMD matrix) through the engine and summarize what it detected.")
public final class ReplayCommand implements Callable<Integer> {

    /** Input formats. */
    enum Format { auto, recording, nab, smd }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The recording or data file.")
    Path file;

    @Option(names = "--format", defaultValue = "auto", description = "One of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}: 'name{labels} value timestamp' lines are a recording, a .csv/.csv.gz with a timestamp header or two columns nab, else smd).")
    Format format;

    @Option(names = "--speed", defaultValue = "1", description = "Replay N times faster than recorded; 0 = no waiting (default ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--step", defaultValue = "1s", paramLabel = "DURATION", description = "Time between SMD rows (default ${DEFAULT-VALUE}).")
    String step;

    @Option(names = "--detector", paramLabel = "NAME", description = "The detector for every series (default: the live one, " + Wiring.LIVE_DETECTOR + "; see 'nexus eval').")
    String detector = Wiring.LIVE_DETECTOR;

    @Option(names = "--show", defaultValue = "20", description = "How many anomalies to list (default ${DEFAULT-VALUE}).")
    int show;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(speed >= 0) || Double.isInfinite(speed)) {
            err.println("nexus: --speed must be 0 or a positive number, got " + speed);
            return ExitCodes.USAGE;
        }
        Duration stepDuration = DurationOption.positive(err, "--step", step);
        if (stepDuration == null) {
            return ExitCodes.USAGE;
        }
        // replay is offline: the learning detectors (growing models, e.g. nexus-nab) are accepted too
        if (!DetectorCatalog.univariateNames().contains(detector) && !DetectorCatalog.learningNames().contains(detector)) {
            err.println("nexus: --detector: unknown detector '" + detector + "', known: "
                    + DetectorCatalog.univariateNames() + " and (learning) " + DetectorCatalog.learningNames());
            return ExitCodes.USAGE;
        }
        if (!Files.isRegularFile(file)) {
            err.println("nexus: " + file + " does not exist or is not a file");
            return ExitCodes.USAGE;
        }
        TelemetryReplay replay;
        Format used;
        try {
            used = format == Format.auto ? detect(file) : format;
            replay = switch (used) {
                case nab -> RecordingImport.nab(file);
                case smd -> RecordingImport.smd(file, RecordingImport.DEFAULT_START_MILLIS, stepDuration.toMillis());
                default -> TelemetryReplay.load(file, true);
            };
        } catch (RecordingFormatException e) {
            err.println("nexus: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (IOException e) {
            err.println("nexus: cannot read " + file + ": " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        if (replay.tickCount() == 0) {
            err.println("nexus: " + file + ": no samples to replay");
            return ExitCodes.USAGE;
        }
        Result r = run(replay, speed, detector);
        out.printf("replayed %s (%s, detector %s): %d ticks, %d samples, %d series, %d anomalies%n", file, used, detector, r.ticks, r.samples,
                r.series, r.anomalies);
        out.printf("time: %s .. %s%n", Instant.ofEpochMilli(replay.tickTimestamp(0)),
                Instant.ofEpochMilli(replay.tickTimestamp(replay.tickCount() - 1)));
        List<NexusEvent> listed = r.detections.subList(0, Math.min(Math.max(show, 0), r.detections.size()));
        for (NexusEvent e : listed) {
            out.printf("  anomaly %s %s %s%n", Instant.ofEpochMilli(e.timestampMillis()), e.component(), e.reason());
        }
        if (listed.size() < r.detections.size()) {
            out.printf("  ... %d more%n", r.detections.size() - listed.size());
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** What a replay produced. */
    record Result(long ticks, long samples, int series, long anomalies, List<NexusEvent> detections) {
    }

    /** Runs the whole replay through a fresh engine; {@code speed} 0 means no waiting. */
    static Result run(TelemetryReplay replay, double speed, String detector) throws InterruptedException {
        int n = replay.tickCount();
        long first = replay.tickTimestamp(0);
        long[] deltas = new long[Math.max(1, n - 1)];
        deltas[0] = 1000;
        for (int i = 1; i < n; i++) {
            deltas[i - 1] = Math.max(1, replay.tickTimestamp(i) - replay.tickTimestamp(i - 1));
        }
        Arrays.sort(deltas);
        Duration tick = Duration.ofMillis(deltas[deltas.length / 2]);
        NexusConfig config = NexusConfig.builder().level(NexusLevel.DETECTION).tickDuration(tick)
                .dataDir(Path.of(System.getProperty("java.io.tmpdir"))).build();
        ManualClock clock = new ManualClock(first);
        RecentEvents events = new RecentEvents(100_000);
        Supplier<Detector> detectors = DetectorCatalog.univariate(detector);
        long samples = 0;
        for (int i = 0; i < n; i++) {
            samples += replay.tickSize(i);
        }
        try (NexusEngine engine = NexusEngine.builder(config, clock).sensor(replay).eventLog(events)
                .detectors(key -> detectors.get()).build()) {
            engine.start();
            long ticks = 0;
            for (int i = 0; i < n; i++) {
                long ts = replay.tickTimestamp(i);
                long gap = ts - clock.wallMillis();
                if (gap > 0) {
                    clock.advance(Duration.ofMillis(gap));
                    if (speed > 0 && i > 0) {
                        long nanos = (long) (gap * 1_000_000L / speed);
                        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
                    }
                }
                if (engine.tick()) {
                    ticks++;
                }
            }
            List<NexusEvent> detections = new ArrayList<>();
            for (NexusEvent e : events.snapshot()) {
                if (e.category() == EventCategory.DETECTION) {
                    detections.add(e);
                }
            }
            return new Result(ticks, samples, engine.sense().latest().size(), engine.status().anomalies(), detections);
        }
    }

    /**
     * The format of {@code file} under {@code --format auto}, decided by its first data line (read through gzip) and
     * its name: a line of the form {@code name{labels} value timestampMillis} in a plain file is a recording; a
     * {@code .csv} or {@code .csv.gz} file whose first line is a {@code timestamp} header or has exactly two
     * comma-separated columns is a NAB CSV; anything else is an SMD matrix (so the SMD data set's
     * {@code machine-1-1_test.csv.gz}, 38 columns, is not taken for NAB). An empty plain file counts as a recording
     * (then reported as "no samples"). Reads the leading comment and blank lines and one data line.
     */
    static Format detect(Path file) throws IOException {
        boolean gzip = isGzip(file);
        String first = firstDataLine(file, gzip);
        if (first == null) {
            return gzip ? Format.smd : Format.recording;
        }
        String t = first.strip();
        PrometheusTextParser.TimedSample s = PrometheusTextParser.parseTimedLine(first);
        if (!gzip && s != null && s.timestampMillis() != Long.MIN_VALUE && !Character.isDigit(t.charAt(0))
                && t.charAt(0) != '-') {
            return Format.recording;
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean csvName = name.endsWith(".csv") || name.endsWith(".csv.gz");
        if (csvName && (t.toLowerCase(Locale.ROOT).startsWith("timestamp") || t.split(",", -1).length == 2)) {
            return Format.nab;
        }
        return Format.smd;
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The first line that is neither blank nor a {@code #} comment, or null. */
    private static String firstDataLine(Path file, boolean gzip) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                gzip ? new GZIPInputStream(raw) : raw, StandardCharsets.ISO_8859_1))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    return line;
                }
            }
            return null;
        } finally {
            raw.close();
        }
    }
}
