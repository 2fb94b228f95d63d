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

    /** Loads a recording file. */
    public static TelemetryReplay load(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return load(file.toString(), r);
        }
    }

    /** Loads a recording from a reader (not closed). */
    public static TelemetryReplay load(String source, Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<List<TimedSample>> ticks = new ArrayList<>();
        List<TimedSample> current = null;
        long currentTs = Long.MIN_VALUE;
        int skipped = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            TimedSample s = PrometheusTextParser.parseTimedLine(line);
            if (s == null || s.timestampMillis() == Long.MIN_VALUE) {
                skipped++;
                continue;
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
