package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
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
 * Free pages against the reclaim watermarks of each memory zone, from {@code /proc/zoneinfo}.
 *
 * <p>Per populated zone ({@code managed > 0}), labels {@code node}, {@code zone}: {@code host_zone_free_pages},
 * {@code host_zone_min_pages}, {@code host_zone_low_pages}, {@code host_zone_high_pages},
 * {@code host_zone_free_over_high_ratio} (free / high; below 1 kswapd is reclaiming, near min/high allocations
 * stall) and {@code host_zone_below_low} (1 when free &lt; low). The per-CPU {@code high:} lines in pagesets are
 * not watermarks and are ignored.
 *
 * <p>O(lines) per tick; parsed in place (Strings only for the node and zone of each header line). Not thread-safe
 * (tick thread only).
 */
final class ReferenceZoneInfoSensor extends TextFileSensor {

    private static final String[] NAMES = {"host_zone_free_pages", "host_zone_min_pages", "host_zone_low_pages",
            "host_zone_high_pages", "host_zone_free_over_high_ratio", "host_zone_below_low"};

    private final Map<String, MetricKey[]> keys = new HashMap<>();

    private final int[] starts = new int[4];
    private final int[] ends = new int[4];

    /** Reads {@code procRoot/zoneinfo}. */
    ReferenceZoneInfoSensor(Path procRoot) {
        super("proc-zoneinfo", procRoot.resolve("zoneinfo"));
    }

    @Override
    protected void parse(String text, MetricSink sink, long ts) {
        String node = null;
        String zone = null;
        long free = -1;
        long min = -1;
        long low = -1;
        long high = -1;
        long managed = -1;
        int zones = 0;
        int[] st = starts;
        int[] en = ends;
        for (int ls = 0, le; ls < text.length(); ls = le + 1) {
            le = text.indexOf('\n', ls);
            if (le < 0) {
                le = text.length();
            }
            int nf = Texts.fields(text, ls, le, st, en);
            if (nf == 0) {
                continue;
            }
            if (Texts.regionEquals(text, st[0], en[0], "Node")) {
                if (zone != null) {
                    zones += emit(node, zone, free, min, low, high, managed, sink, ts);
                }
                // "Node 0, zone      DMA"
                if (nf != 4 || text.charAt(en[1] - 1) != ',' || !Texts.regionEquals(text, st[2], en[2], "zone")
                        || Texts.parseLong(text, st[1], en[1] - 1) < 0) {
                    problem(file, "bad zone header '" + text.substring(ls, le) + "'");
                    zone = null;
                    continue;
                }
                node = text.substring(st[1], en[1] - 1);
                zone = text.substring(st[3], en[3]);
                free = min = low = high = managed = -1;
                continue;
            }
            if (zone == null) {
                continue;
            }
            if (nf == 3 && Texts.regionEquals(text, st[0], en[0], "pages")
                    && Texts.regionEquals(text, st[1], en[1], "free")) {
                free = Texts.parseLong(text, st[2], en[2]);
            } else if (nf == 2) {
                if (Texts.regionEquals(text, st[0], en[0], "min")) {
                    min = Texts.parseLong(text, st[1], en[1]);
                } else if (Texts.regionEquals(text, st[0], en[0], "low")) {
                    low = Texts.parseLong(text, st[1], en[1]);
                } else if (Texts.regionEquals(text, st[0], en[0], "high")) {
                    high = Texts.parseLong(text, st[1], en[1]);
                } else if (Texts.regionEquals(text, st[0], en[0], "managed")) {
                    managed = Texts.parseLong(text, st[1], en[1]);
                }
            }
        }
        if (zone != null) {
            zones += emit(node, zone, free, min, low, high, managed, sink, ts);
        }
        if (zones == 0) {
            problem(file, "no zone with pages free/min/low/high found");
        }
    }

    private int emit(String node, String zone, long free, long min, long low, long high, long managed,
                     MetricSink sink, long ts) {
        if (managed == 0) {
            return 0; // empty zone such as Movable
        }
        if (free < 0 || min < 0 || low < 0 || high < 0) {
            problem(file, "zone " + node + "/" + zone + " lacks numeric pages free/min/low/high");
            return 0;
        }
        String id = node + "/" + zone;
        MetricKey[] k = keys.get(id);
        if (k == null) {
            if (keys.size() >= 1024) {
                return 0;
            }
            k = new MetricKey[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                k[i] = MetricKey.of(NAMES[i], "node", node, "zone", zone);
            }
            keys.put(id, k);
        }
        sink.record(k[0], free, ts);
        sink.record(k[1], min, ts);
        sink.record(k[2], low, ts);
        sink.record(k[3], high, ts);
        sink.record(k[4], high > 0 ? (double) free / high : Double.NaN, ts);
        sink.record(k[5], free < low ? 1 : 0, ts);
        return 1;
    }
}
