package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser.TimedSample;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns public anomaly-benchmark data files into recordings for {@link TelemetryReplay}:
 *
 * <ul>
 *   <li>{@link #nab} — a Numenta Anomaly Benchmark CSV: header {@code timestamp,value}, then one row per sample with a
 *       timestamp {@code yyyy-MM-dd HH:mm:ss} (UTC) or epoch milliseconds, and a number. Series {@code nab_value}.</li>
 *   <li>{@link #smd} — a Server Machine Dataset matrix: one row per step, the columns separated by commas or
 *       whitespace, plain or gzip. Column {@code i} becomes series {@code smd_value{dim="i"}}; step {@code n} is
 *       stamped {@code startMillis + n * stepMillis}.</li>
 * </ul>
 *
 * <p>Both are strict: the first malformed row, a line that is not UTF-8, or a corrupt or truncated gzip stream
 * throws {@link RecordingFormatException} naming the file and line.
 * O(rows × columns) time and memory.
 */
public final class RecordingImport {

    /** The series name of an imported NAB file. */
    public static final String NAB_SERIES = "nab_value";
    /** The series name (with label {@code dim}) of an imported SMD matrix. */
    public static final String SMD_SERIES = "smd_value";
    /** Default SMD start: 2026-01-01T00:00:00Z, the {@code ManualClock} default. */
    public static final long DEFAULT_START_MILLIS = 1_767_225_600_000L;

    private static final DateTimeFormatter NAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private RecordingImport() {
    }

    /** Reads a NAB-style CSV ({@code timestamp,value}). */
    public static TelemetryReplay nab(Path file) throws IOException {
        String src = file.toString();
        MetricKey key = MetricKey.of(NAB_SERIES);
        List<List<TimedSample>> ticks = new ArrayList<>();
        long last = Long.MIN_VALUE;
        try (RecordingLines in = RecordingLines.open(file)) {
            int lineNo = 0;
            boolean header = false;
            for (String line = in.next(); line != null; line = in.next()) {
                lineNo++;
                utf8(in, src, lineNo);
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (!header) {
                    header = true;
                    if (t.toLowerCase(Locale.ROOT).startsWith("timestamp")) {
                        continue;
                    }
                }
                String[] cols = t.split(",", -1);
                if (cols.length != 2) {
                    throw new RecordingFormatException(src, lineNo, "expected 2 columns 'timestamp,value', got "
                            + cols.length + ": " + RecordingFormatException.clip(t));
                }
                long ts = parseTime(src, lineNo, cols[0].strip());
                double v = parseNumber(src, lineNo, cols[1].strip(), "value");
                if (ts < last) {
                    throw new RecordingFormatException(src, lineNo, "timestamp " + cols[0].strip() + " goes backwards");
                }
                if (ts == last) {
                    throw new RecordingFormatException(src, lineNo, "duplicate timestamp " + cols[0].strip());
                }
                last = ts;
                ticks.add(List.of(new TimedSample(key, v, ts)));
            }
        }
        if (ticks.isEmpty()) {
            throw new RecordingFormatException(src, 0, "no data rows");
        }
        return TelemetryReplay.of(src, ticks);
    }

    /** Reads an SMD-style matrix with the default start and one step per second. */
    public static TelemetryReplay smd(Path file) throws IOException {
        return smd(file, DEFAULT_START_MILLIS, 1000);
    }

    /** Reads an SMD-style matrix (one row per step, plain or gzip). */
    public static TelemetryReplay smd(Path file, long startMillis, long stepMillis) throws IOException {
        if (stepMillis <= 0) {
            throw new IllegalArgumentException("step must be positive: " + stepMillis);
        }
        String src = file.toString();
        List<List<TimedSample>> ticks = new ArrayList<>();
        List<MetricKey> keys = new ArrayList<>();
        int width = -1;
        try (RecordingLines in = RecordingLines.open(file)) {
            int lineNo = 0;
            for (String line = in.next(); line != null; line = in.next()) {
                lineNo++;
                utf8(in, src, lineNo);
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] cols = t.split("\\s*,\\s*|\\s+");
                if (cols.length == 0) {
                    throw new RecordingFormatException(src, lineNo, "row has no values: "
                            + RecordingFormatException.clip(t));
                }
                if (width < 0) {
                    width = cols.length;
                    for (int i = 0; i < width; i++) {
                        keys.add(MetricKey.of(SMD_SERIES, "dim", Integer.toString(i)));
                    }
                } else if (cols.length != width) {
                    throw new RecordingFormatException(src, lineNo, "expected " + width + " columns like the first row, got "
                            + cols.length);
                }
                long ts = startMillis + ticks.size() * stepMillis;
                List<TimedSample> row = new ArrayList<>(width);
                for (int i = 0; i < width; i++) {
                    row.add(new TimedSample(keys.get(i), parseNumber(src, lineNo, cols[i], "column " + (i + 1)), ts));
                }
                ticks.add(row);
            }
        }
        if (ticks.isEmpty()) {
            throw new RecordingFormatException(src, 0, "no data rows");
        }
        return TelemetryReplay.of(src, ticks);
    }

    private static void utf8(RecordingLines in, String src, int lineNo) throws RecordingFormatException {
        if (in.notUtf8() != null) {
            throw new RecordingFormatException(src, lineNo, in.notUtf8());
        }
    }

    private static long parseTime(String src, int line, String s) throws RecordingFormatException {
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                // too long: fall through to the error
            }
        }
        try {
            return LocalDateTime.parse(s, NAB_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new RecordingFormatException(src, line, "timestamp " + RecordingFormatException.clip(s)
                    + " is neither 'yyyy-MM-dd HH:mm:ss' nor epoch milliseconds");
        }
    }

    private static double parseNumber(String src, int line, String s, String what) throws RecordingFormatException {
        try {
            double v = Double.parseDouble(s);
            if (Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new RecordingFormatException(src, line, what + " " + RecordingFormatException.clip(s) + " is not a finite number");
        }
    }
}
