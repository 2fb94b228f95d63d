package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser.TimedSample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a recording made by {@link TelemetryRecorder}, either all at once into a sink ({@link #replayAll}) or as
 * a {@link dev.helix.nexus.core.spi.Sensor} that emits one recorded tick (all samples sharing a timestamp) per
 * {@code sample} call, re-stamped with the caller's tick time, so that the engine can be driven deterministically
 * from a recorded incident.
 *
 * <p>Loading is O(lines) and keeps the recording in memory. Malformed lines are skipped and counted. When the
 * recording is exhausted the sensor reports FAILED ("end of recording"). Not thread-safe.
 */
public final class TelemetryReplay extends AbstractSensor {

    private final List<List<TimedSample>> ticks;
    private final int skippedLines;
    private int next;

    private TelemetryReplay(String source, List<List<TimedSample>> ticks, int skipped) {
        super("replay", source);
        this.ticks = ticks;
        this.skippedLines = skipped;
    }

    /** Loads a recording file, skipping (and counting) malformed lines. */
    public static TelemetryReplay load(Path file) throws IOException {
        return load(file, false);
    }

    /**
     * Loads a recording file. With {@code strict}, the first malformed line (or a timestamp going backwards) throws a
     * {@link RecordingFormatException} naming the file and line instead of being skipped.
     */
    public static TelemetryReplay load(Path file, boolean strict) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return load(file.toString(), r, strict);
        }
    }

    /** A replay of ticks built elsewhere (e.g. by {@link RecordingImport}); each inner list shares one timestamp. */
    public static TelemetryReplay of(String source, List<List<TimedSample>> ticks) {
        List<List<TimedSample>> copy = new ArrayList<>(ticks.size());
        for (List<TimedSample> t : ticks) {
            if (!t.isEmpty()) {
                copy.add(List.copyOf(t));
            }
        }
        return new TelemetryReplay(source, copy, 0);
    }

    /** Loads a recording from a reader (not closed), skipping malformed lines. */
    public static TelemetryReplay load(String source, Reader reader) throws IOException {
        return load(source, reader, false);
    }

    /** Loads a recording from a reader (not closed); see {@link #load(Path, boolean)}. */
    public static TelemetryReplay load(String source, Reader reader, boolean strict) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<List<TimedSample>> ticks = new ArrayList<>();
        List<TimedSample> current = null;
        long currentTs = Long.MIN_VALUE;
        int skipped = 0;
        int lineNo = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            TimedSample s = PrometheusTextParser.parseTimedLine(line);
            if (s == null || s.timestampMillis() == Long.MIN_VALUE) {
                if (strict) {
                    throw new RecordingFormatException(source, lineNo, s == null
                            ? "not a sample line 'name{labels} value timestampMillis': " + RecordingFormatException.clip(line)
                            : "sample without a timestamp: " + RecordingFormatException.clip(line));
                }
                skipped++;
                continue;
            }
            if (strict && current != null && s.timestampMillis() < currentTs) {
                throw new RecordingFormatException(source, lineNo, "timestamp " + s.timestampMillis()
                        + " goes back before " + currentTs);
            }
            if (current == null || s.timestampMillis() != currentTs) {
                current = new ArrayList<>();
                ticks.add(current);
                currentTs = s.timestampMillis();
            }
            current.add(s);
        }
        return new TelemetryReplay(source, ticks, skipped);
    }

    /** Writes every recorded sample, with its recorded timestamp, into {@code sink}; returns the count. */
    public long replayAll(MetricSink sink) {
        long n = 0;
        for (List<TimedSample> tick : ticks) {
            for (TimedSample s : tick) {
                sink.record(s.key(), s.value(), s.timestampMillis());
                n++;
            }
        }
        return n;
    }

    /** Recorded ticks. */
    public int tickCount() {
        return ticks.size();
    }

    /** The recorded timestamp of tick {@code i} (0-based). */
    public long tickTimestamp(int i) {
        return ticks.get(i).get(0).timestampMillis();
    }

    /** Samples in tick {@code i}. */
    public int tickSize(int i) {
        return ticks.get(i).size();
    }

    /** The index of the tick the next {@link #sample} call emits. */
    public int nextTick() {
        return next;
    }

    /** Ticks not yet replayed by {@link #sample}. */
    public int remainingTicks() {
        return ticks.size() - next;
    }

    /** Lines that could not be parsed. */
    public int skippedLines() {
        return skippedLines;
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        if (next >= ticks.size()) {
            problem("replay", "end of recording after " + ticks.size() + " ticks");
            return;
        }
        for (TimedSample s : ticks.get(next++)) {
            sink.record(s.key(), s.value(), ts);
        }
        if (skippedLines > 0) {
            problem("replay", skippedLines + " malformed lines skipped when loading");
        }
    }
}
