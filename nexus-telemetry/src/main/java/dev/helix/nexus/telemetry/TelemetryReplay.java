package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser.TimedSample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
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
     * Loads a recording file, plain or gzip. With {@code strict}, the first malformed line (including one that is not
     * UTF-8, or a timestamp going backwards) throws a {@link RecordingFormatException} naming the file and line
     * instead of being skipped. A corrupt or truncated gzip stream throws one naming the line being read, strict or
     * not.
     */
    public static TelemetryReplay load(Path file, boolean strict) throws IOException {
        try (RecordingLines lines = RecordingLines.open(file)) {
            return load(file.toString(), new LineSource() {
                @Override
                public String next() throws IOException {
                    return lines.next();
                }

                @Override
                public String notUtf8() {
                    return lines.notUtf8();
                }
            }, strict);
        }
    }

    /** Lines of a recording; {@link #notUtf8} says why the last line returned is not UTF-8 (null when it is). */
    private interface LineSource {
        String next() throws IOException;

        default String notUtf8() {
            return null;
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
        return load(source, in::readLine, strict);
    }

    private static TelemetryReplay load(String source, LineSource in, boolean strict) throws IOException {
        List<List<TimedSample>> ticks = new ArrayList<>();
        List<TimedSample> current = null;
        long currentTs = Long.MIN_VALUE;
        int skipped = 0;
        int lineNo = 0;
        for (String line = in.next(); line != null; line = in.next()) {
            lineNo++;
            if (in.notUtf8() != null) {
                if (strict) {
                    throw new RecordingFormatException(source, lineNo, in.notUtf8());
                }
                skipped++;
                continue;
            }
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
