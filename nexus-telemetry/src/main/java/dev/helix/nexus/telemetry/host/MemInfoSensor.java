package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.LineNames;
import dev.helix.nexus.telemetry.internal.ByteFileSensor;
import dev.helix.nexus.telemetry.internal.Bytes;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Memory from {@code /proc/meminfo}.
 *
 * <p>Metrics: every field as {@code host_meminfo_bytes{field="Cached"}} (counts such as HugePages_Total as
 * {@code host_meminfo_count{field}}), and the headline series {@code host_memory_total_bytes},
 * {@code host_memory_available_bytes}, {@code host_memory_available_fraction}, {@code host_swap_total_bytes},
 * {@code host_swap_free_bytes}, {@code host_swap_used_bytes}. A kernel without {@code MemAvailable} (before 3.14)
 * degrades the sensor with that reason.
 *
 * <p>O(lines) per tick; parsed in place from the bytes read, keys cached per line (while the line's field name is
 * unchanged) and per field, so steady-state parsing allocates nothing. Not thread-safe (tick thread only).
 */
public final class MemInfoSensor extends ByteFileSensor {

    private static final MetricKey TOTAL = MetricKey.of("host_memory_total_bytes");
    private static final MetricKey AVAIL = MetricKey.of("host_memory_available_bytes");
    private static final MetricKey AVAIL_FRAC = MetricKey.of("host_memory_available_fraction");
    private static final MetricKey SWAP_TOTAL = MetricKey.of("host_swap_total_bytes");
    private static final MetricKey SWAP_FREE = MetricKey.of("host_swap_free_bytes");
    private static final MetricKey SWAP_USED = MetricKey.of("host_swap_used_bytes");

    private final Map<String, MetricKey> keys = new HashMap<>();

    private final int[] starts = new int[3];
    private final int[] ends = new int[3];
    private final LineNames lineNames = new LineNames(128);
    /** Per line: the field name String last seen there (identity), and its key; a front cache of {@link #keys}. */
    private String[] lineField = new String[128];
    private MetricKey[] lineKey = new MetricKey[128];

    /** Reads {@code procRoot/meminfo}. */
    public MemInfoSensor(Path procRoot) {
        super("proc-meminfo", procRoot.resolve("meminfo"));
    }

    @Override
    protected void parse(byte[] b, int len, MetricSink sink, long ts) {
        double total = Double.NaN;
        double avail = Double.NaN;
        double swapTotal = Double.NaN;
        double swapFree = Double.NaN;
        int lineNo = 0;
        for (int ls = 0, le; ls < len; ls = le + 1) {
            le = Bytes.lineEnd(b, ls, len);
            if (Bytes.skipWhitespace(b, ls, le) == le) {
                continue;
            }
            int colon = Bytes.indexOf(b, ls, le, (byte) ':');
            if (colon < 0 || colon == ls) {
                problem(file, "line without 'Field:' '" + Bytes.latin1(b, ls, le) + "'");
                continue;
            }
            int nf = Bytes.fields(b, colon + 1, le, starts, ends);
            long v = nf >= 1 ? Bytes.parseLong(b, starts[0], ends[0]) : Texts.NOT_A_NUMBER;
            int line = lineNo++;
            int fs = Bytes.skipWhitespace(b, ls, colon);
            String field = lineNames.name(line, b, fs, Bytes.trimEnd(b, fs, colon));
            if (v < 0 || field.isEmpty() || nf > 2) {
                problem(file, "bad line '" + Bytes.latin1(b, ls, le) + "'");
                continue;
            }
            boolean kb = nf == 2;
            if (kb && !Bytes.equalsLatin1(b, starts[1], ends[1], "kB")) {
                problem(file, "unknown unit in '" + Bytes.latin1(b, ls, le) + "'");
                continue;
            }
            double value = kb ? v * 1024.0 : v;
            MetricKey key = cachedKey(line, field);
            if (key == null) {
                key = keys.get(field);
                if (key == null) {
                    if (keys.size() >= 512) {
                        continue;
                    }
                    key = MetricKey.of(kb ? "host_meminfo_bytes" : "host_meminfo_count", "field", field);
                    keys.put(field, key);
                }
                cacheKey(line, field, key);
            }
            sink.record(key, value, ts);
            switch (field) {
                case "MemTotal" -> total = value;
                case "MemAvailable" -> avail = value;
                case "SwapTotal" -> swapTotal = value;
                case "SwapFree" -> swapFree = value;
                default -> { }
            }
        }
        finish(total, avail, swapTotal, swapFree, sink, ts);
    }

    /** The key cached for line {@code line} when its field is the same String instance, else null. */
    private MetricKey cachedKey(int line, String field) {
        return line < lineField.length && lineField[line] == field ? lineKey[line] : null;
    }

    private void cacheKey(int line, String field, MetricKey key) {
        if (line >= lineField.length) {
            if (line >= 4096) {
                return;
            }
            int n = Math.max(lineField.length * 2, line + 1);
            lineField = java.util.Arrays.copyOf(lineField, n);
            lineKey = java.util.Arrays.copyOf(lineKey, n);
        }
        lineField[line] = field;
        lineKey[line] = key;
    }

    private void finish(double total, double avail, double swapTotal, double swapFree, MetricSink sink, long ts) {
        if (!Double.isNaN(total)) {
            sink.record(TOTAL, total, ts);
        } else {
            problem(file, "no MemTotal");
        }
        if (!Double.isNaN(avail)) {
            sink.record(AVAIL, avail, ts);
            if (total > 0) {
                sink.record(AVAIL_FRAC, avail / total, ts);
            }
        } else {
            problem(file, "no MemAvailable (kernel older than 3.14?)");
        }
        if (!Double.isNaN(swapTotal) && !Double.isNaN(swapFree)) {
            sink.record(SWAP_TOTAL, swapTotal, ts);
            sink.record(SWAP_FREE, swapFree, ts);
            sink.record(SWAP_USED, Math.max(0, swapTotal - swapFree), ts);
        }
    }
}
