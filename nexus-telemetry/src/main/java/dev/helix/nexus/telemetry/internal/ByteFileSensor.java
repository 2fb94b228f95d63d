package dev.helix.nexus.telemetry.internal;

import dev.helix.nexus.core.spi.MetricSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A {@link TextFileSensor} that parses the file's bytes in place: file reads hand over the reader's buffer, and
 * {@link #sampleText} text is turned into its ISO-8859-1 bytes (characters above U+00FF, which a kernel file read as
 * bytes cannot contain, become '?'), so both go through the one byte parser. Not thread-safe.
 */
public abstract class ByteFileSensor extends TextFileSensor {

    protected ByteFileSensor(String name, Path file) {
        super(name, file);
    }

    @Override
    protected final void parse(String text, MetricSink sink, long timestampMillis) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        parse(b, b.length, sink, timestampMillis);
    }

    /** Parses the file content {@code b[0,len)} (the buffer is only valid during the call). */
    @Override
    protected abstract void parse(byte[] b, int len, MetricSink sink, long timestampMillis);
}
