package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Records every sample to a text stream, one Prometheus exposition line with timestamp per sample:
 * {@code name{labels} value timestampMillis}. NaN gaps are written as {@code NaN}. Label values are escaped as in
 * the Prometheus text format ({@code \\}, {@code \"}, {@code \n}) plus {@code \r} for a carriage return, so every
 * sample is exactly one line whatever its labels contain (see {@link #appendKey}). The file is readable by any
 * Prometheus-format tool and replayed by {@link TelemetryReplay}.
 *
 * <p>Typical use: a {@link TeeSink} of the {@link TelemetryStore} and a recorder over a
 * {@code Files.newBufferedWriter(path)}.
 *
 * <p>Cost: O(line length) per sample, allocating the line's text (not meant for the allocation-free path; record
 * through a buffered writer). Not thread-safe. A write failure is thrown as {@link UncheckedIOException} from
 * {@link #record} only the first time; later samples are dropped and counted in {@link #failedWrites()}.
 */
public final class TelemetryRecorder implements MetricSink, Flushable, Closeable {

    private final Writer out;
    private final StringBuilder line = new StringBuilder(128);
    private long written;
    private long failed;

    /** Records to {@code out}, which the recorder closes on {@link #close()}. */
    public TelemetryRecorder(Writer out) {
        this.out = out;
    }

    @Override
    public void record(MetricKey key, double value, long timestampMillis) {
        line.setLength(0);
        appendKey(line, key);
        line.append(' ');
        TelemetryStore.appendValue(line, value);
        line.append(' ').append(timestampMillis).append('\n');
        if (failed > 0) {
            failed++;
            return;
        }
        try {
            out.append(line);
            written++;
        } catch (IOException e) {
            failed++;
            throw new UncheckedIOException("recording failed after " + written + " samples", e);
        }
    }

    /**
     * Appends {@code key} as {@code name{label="value",...}} with each label value escaped so that the line stays one
     * line and parses back to the same value: a backslash becomes {@code \\}, a double quote {@code \"}, a line feed
     * {@code \n} (the Prometheus text format's escapes) and a carriage return {@code \r} (an extension that
     * {@link dev.helix.nexus.telemetry.prometheus.PrometheusTextParser} reads back; a raw CR would end the line for
     * line readers). O(key length).
     */
    static void appendKey(StringBuilder sb, MetricKey key) {
        key.appendTo(sb, true);
    }

    /** Samples written. */
    public long written() {
        return written;
    }

    /** Samples dropped after a write failure. */
    public long failedWrites() {
        return failed;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** A sink that forwards each sample to two sinks, e.g. a store and a recorder. Allocation-free. */
    public record TeeSink(MetricSink first, MetricSink second) implements MetricSink {
        @Override
        public void record(MetricKey key, double value, long timestampMillis) {
            first.record(key, value, timestampMillis);
            second.record(key, value, timestampMillis);
        }
    }
}
