package dev.helix.nexus.telemetry.internal;

import dev.helix.nexus.core.spi.MetricSink;
import java.nio.file.Path;

/**
 * A sensor over one kernel text file (such as {@code /proc/stat}): reads the file each tick and hands the text to
 * {@link #parse}. On procfs/sysfs the file is kept open and re-read from offset 0 (one {@code pread} per tick). {@link #sampleText} parses given text instead, for fixtures, property tests and replay.
 *
 * <p>Not thread-safe: sample from one thread.
 */
public abstract class TextFileSensor extends AbstractSensor {

    protected final Path file;

    protected TextFileSensor(String name, Path file) {
        super(name, file.toString());
        this.file = file;
        if (ProcFileReader.isKernelFileSystem(file)) {
            reader().keepOpen(1); // re-read with one pread per tick instead of open, read, close
        }
    }

    /** Parses {@code text} as if it had been read from the file at {@code timestampMillis}. */
    public final void sampleText(String text, MetricSink sink, long timestampMillis) {
        run(sink, timestampMillis, text == null ? "" : text);
    }

    @Override
    protected final void doSample(MetricSink sink, long timestampMillis, String text) {
        String t = text != null ? text : read(file, true);
        if (t == null) {
            return;
        }
        if (t.isBlank()) {
            problem(file, file + " is empty");
            return;
        }
        parse(t, sink, timestampMillis);
    }

    /** Parses the file content and records metrics; reports bad lines through {@link #problem}. */
    protected abstract void parse(String text, MetricSink sink, long timestampMillis);
}
