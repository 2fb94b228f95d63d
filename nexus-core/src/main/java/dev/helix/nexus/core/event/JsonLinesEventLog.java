package dev.helix.nexus.core.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends events to a file as JSON lines: one object per line with {@code time} (ISO-8601), {@code ts} (epoch ms),
 * {@code category}, {@code type}, {@code component}, {@code reason} and {@code evidence}.
 *
 * <p>Each event is written and flushed to the operating system before {@link #append} returns, so a crash of NEXUS
 * loses nothing already appended (a power loss may lose what the OS had not written). Thread-safe.
 */
public final class JsonLinesEventLog implements EventLog {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final Path file;
    private final BufferedWriter out;
    private long failedWrites;

    /** Opens {@code file} for appending, creating it and its parent directories. */
    public JsonLinesEventLog(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open event log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Serialises one event to its JSON line (without the newline). */
    public static String toJson(NexusEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", Instant.ofEpochMilli(e.timestampMillis()).toString());
        m.put("ts", e.timestampMillis());
        m.put("category", e.category().name());
        m.put("type", e.type());
        m.put("component", e.component());
        m.put("reason", e.reason());
        m.put("evidence", e.evidence());
        try {
            return MAPPER.writeValueAsString(m);
        } catch (IOException ex) {
            // evidence values that Jackson cannot serialise are written as strings instead
            Map<String, Object> safe = new LinkedHashMap<>();
            e.evidence().forEach((k, v) -> safe.put(k, String.valueOf(v)));
            m.put("evidence", safe);
            try {
                return MAPPER.writeValueAsString(m);
            } catch (IOException again) {
                throw new UncheckedIOException(again);
            }
        }
    }

    @Override
    public synchronized void append(NexusEvent event) {
        try {
            out.write(toJson(event));
            out.write('\n');
            out.flush();
        } catch (IOException | UncheckedIOException ex) {
            if (failedWrites++ == 0) {
                System.err.println("nexus: cannot write event log " + file + ": " + ex.getMessage()
                        + " (further failures are counted, not printed)");
            }
        }
    }

    /** How many events could not be written. */
    public synchronized long failedWrites() {
        return failedWrites;
    }

    /** The file written. */
    public Path file() {
        return file;
    }

    @Override
    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException ex) {
            failedWrites++;
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ex) {
            failedWrites++;
        }
    }
}
