package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.TextFileSensor;
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
 * <p>O(lines) per tick; keys cached per field. Not thread-safe (tick thread only).
 */
public final class MemInfoSensor extends TextFileSensor {

    private static final MetricKey TOTAL = MetricKey.of("host_memory_total_bytes");
    private static final MetricKey AVAIL = MetricKey.of("host_memory_available_bytes");
    private static final MetricKey AVAIL_FRAC = MetricKey.of("host_memory_available_fraction");
    private static final MetricKey SWAP_TOTAL = MetricKey.of("host_swap_total_bytes");
    private static final MetricKey SWAP_FREE = MetricKey.of("host_swap_free_bytes");
    private static final MetricKey SWAP_USED = MetricKey.of("host_swap_used_bytes");

    private final Map<String, MetricKey> keys = new HashMap<>();

    /** Reads {@code procRoot/meminfo}. */
    public MemInfoSensor(Path procRoot) {
        super("proc-meminfo", procRoot.resolve("meminfo"));
    }

    @Override
    protected void parse(String text, MetricSink sink, long ts) {
        double total = Double.NaN;
        double avail = Double.NaN;
        double swapTotal = Double.NaN;
        double swapFree = Double.NaN;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                problem(file, "line without 'Field:' '" + line + "'");
                continue;
            }
            String field = line.substring(0, colon).strip();
            String[] f = Texts.fields(line.substring(colon + 1));
            long v = f.length >= 1 ? Texts.parseLong(f[0]) : Texts.NOT_A_NUMBER;
            if (v < 0 || field.isEmpty() || f.length > 2) {
                problem(file, "bad line '" + line + "'");
                continue;
            }
            boolean kb = f.length == 2;
            if (kb && !f[1].equals("kB")) {
                problem(file, "unknown unit in '" + line + "'");
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
