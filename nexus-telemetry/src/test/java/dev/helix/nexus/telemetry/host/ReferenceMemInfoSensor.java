package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.LineNames;
import dev.helix.nexus.telemetry.internal.TextFileSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The String parser of this file as it was before the byte parser replaced it, kept as the reference the byte
 * parser is checked against ({@code ByteParserEquivalenceProperties}).
 *
 * <p>Original description:
 * Memory from {@code /proc/meminfo}.
 *
 * <p>Metrics: every field as {@code host_meminfo_bytes{field="Cached"}} (counts such as HugePages_Total as
 * {@code host_meminfo_count{field}}), and the headline series {@code host_memory_total_bytes},
 * {@code host_memory_available_bytes}, {@code host_memory_available_fraction}, {@code host_swap_total_bytes},
 * {@code host_swap_free_bytes}, {@code host_swap_used_bytes}. A kernel without {@code MemAvailable} (before 3.14)
 * degrades the sensor with that reason.
 *
 * <p>O(lines) per tick; keys cached per field, lines parsed in place (no String per line once the field names are
 * known). Not thread-safe (tick thread only).
 */
final class ReferenceMemInfoSensor extends TextFileSensor {

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

    /**
     * The stripped field name at {@code text[from,to)}, reusing the String of the same line of the previous tick
     * when equal (meminfo keeps its line order), so steady-state parsing creates no String per line.
     */
    private String name(int lineNo, String text, int from, int to) {
        int b = from;
        int e = to;
        while (b < e && Character.isWhitespace(text.charAt(b))) {
            b++;
        }
        while (e > b && Character.isWhitespace(text.charAt(e - 1))) {
            e--;
        }
        return lineNames.name(lineNo, text, b, e);
    }

    /** Reads {@code procRoot/meminfo}. */
    ReferenceMemInfoSensor(Path procRoot) {
        super("proc-meminfo", procRoot.resolve("meminfo"));
    }

    @Override
    protected void parse(String text, MetricSink sink, long ts) {
        double total = Double.NaN;
        double avail = Double.NaN;
        double swapTotal = Double.NaN;
        double swapFree = Double.NaN;
        int lineNo = 0;
        for (int ls = 0, le; ls < text.length(); ls = le + 1) {
            le = text.indexOf('\n', ls);
            if (le < 0) {
                le = text.length();
            }
            if (Texts.isBlank(text, ls, le)) {
                continue;
            }
            int colon = text.indexOf(':', ls);
            if (colon < 0 || colon >= le || colon == ls) {
                problem(file, "line without 'Field:' '" + text.substring(ls, le) + "'");
                continue;
            }
            int nf = Texts.fields(text, colon + 1, le, starts, ends);
            long v = nf >= 1 ? Texts.parseLong(text, starts[0], ends[0]) : Texts.NOT_A_NUMBER;
            String field = name(lineNo++, text, ls, colon);
            if (v < 0 || field.isEmpty() || nf > 2) {
                problem(file, "bad line '" + text.substring(ls, le) + "'");
                continue;
            }
            boolean kb = nf == 2;
            if (kb && !Texts.regionEquals(text, starts[1], ends[1], "kB")) {
                problem(file, "unknown unit in '" + text.substring(ls, le) + "'");
                continue;
            }
            double value = kb ? v * 1024.0 : v;
            MetricKey key = keys.get(field);
            if (key == null) {
                if (keys.size() >= 512) {
                    continue;
                }
                key = MetricKey.of(kb ? "host_meminfo_bytes" : "host_meminfo_count", "field", field);
                keys.put(field, key);
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
