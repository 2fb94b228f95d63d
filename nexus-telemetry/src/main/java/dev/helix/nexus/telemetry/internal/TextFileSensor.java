package dev.helix.nexus.telemetry.internal;

import dev.helix.nexus.core.spi.MetricSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        if (text != null) {
            if (text.isBlank()) {
                problem(file, file + " is empty");
                return;
            }
            parse(text, sink, timestampMillis);
            return;
        }
        int n;
        try {
            n = reader().readKept(file);
        } catch (IOException e) {
            problem(file, file + ": " + Texts.describe(e));
            return;
        }
        if (n < 0) {
            problem(file, file + " does not exist");
            return;
        }
        byte[] b = reader().buffer();
        if (Bytes.skipWhitespace(b, 0, n) == n) {
            problem(file, file + " is empty");
            return;
        }
        parse(b, n, sink, timestampMillis);
    }

    /**
     * Parses the file content as read, {@code b[0,len)} (Latin-1 bytes; the buffer is the reader's and only valid
     * during the call). The default decodes it as ISO-8859-1 and calls {@link #parse(String, MetricSink, long)};
     * sensors that parse bytes in place extend {@link ByteFileSensor} instead, so file reads and
     * {@link #sampleText} go through the same byte parser.
     */
    protected void parse(byte[] b, int len, MetricSink sink, long timestampMillis) {
        parse(new String(b, 0, len, StandardCharsets.ISO_8859_1), sink, timestampMillis);
    }

    /** Parses the file content and records metrics; reports bad lines through {@link #problem}. */
    protected abstract void parse(String text, MetricSink sink, long timestampMillis);
}
