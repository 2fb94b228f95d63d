package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.ByteFileSensor;
import dev.helix.nexus.telemetry.internal.Bytes;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Free pages against the reclaim watermarks of each memory zone, from {@code /proc/zoneinfo}.
 *
 * <p>Per populated zone ({@code managed > 0}), labels {@code node}, {@code zone}: {@code host_zone_free_pages},
 * {@code host_zone_min_pages}, {@code host_zone_low_pages}, {@code host_zone_high_pages},
 * {@code host_zone_free_over_high_ratio} (free / high; below 1 kswapd is reclaiming, near min/high allocations
 * stall) and {@code host_zone_below_low} (1 when free &lt; low). The per-CPU {@code high:} lines in pagesets are
 * not watermarks and are ignored.
 *
 * <p>O(lines) per tick; parsed in place from the bytes read; the node and zone Strings and keys of each header are
 * reused while the header is unchanged, so steady-state parsing allocates nothing. Not thread-safe
 * (tick thread only).
 */
public final class ZoneInfoSensor extends ByteFileSensor {

    private static final String[] NAMES = {"host_zone_free_pages", "host_zone_min_pages", "host_zone_low_pages",
            "host_zone_high_pages", "host_zone_free_over_high_ratio", "host_zone_below_low"};

    private final Map<String, MetricKey[]> keys = new HashMap<>();

    private static final int MAX_ZONES = 1024;

    /** Per good zone header, in file order: node, zone and keys of the last read (reused while unchanged). */
    private String[] headerNode = new String[8];
    private String[] headerZone = new String[8];
    private MetricKey[][] headerKeys = new MetricKey[8][];

    private final int[] starts = new int[4];
    private final int[] ends = new int[4];

    /** Reads {@code procRoot/zoneinfo}. */
    public ZoneInfoSensor(Path procRoot) {
        super("proc-zoneinfo", procRoot.resolve("zoneinfo"));
    }

    @Override
    protected void parse(byte[] b, int len, MetricSink sink, long ts) {
        int header = -1; // ordinal of the current zone header, -1 before the first good one
        boolean inZone = false;
        long free = -1;
        long min = -1;
        long low = -1;
        long high = -1;
        long managed = -1;
        int zones = 0;
        int headers = 0;
        int[] st = starts;
        int[] en = ends;
        for (int ls = 0, le; ls < len; ls = le + 1) {
            le = Bytes.lineEnd(b, ls, len);
            int nf = Bytes.fields(b, ls, le, st, en);
            if (nf == 0) {
                continue;
            }
            if (Bytes.equalsLatin1(b, st[0], en[0], "Node")) {
                if (inZone) {
                    zones += emit(header, free, min, low, high, managed, sink, ts);
                }
                // "Node 0, zone      DMA"
                if (nf != 4 || b[en[1] - 1] != ',' || !Bytes.equalsLatin1(b, st[2], en[2], "zone")
                        || Bytes.parseLong(b, st[1], en[1] - 1) < 0) {
                    problem(file, "bad zone header '" + Bytes.latin1(b, ls, le) + "'");
                    inZone = false;
                    continue;
                }
                header = headers++;
                zoneHeader(header, b, st[1], en[1] - 1, st[3], en[3]);
                inZone = true;
                free = min = low = high = managed = -1;
                continue;
            }
            if (!inZone) {
                continue;
            }
            if (nf == 3 && Bytes.equalsLatin1(b, st[0], en[0], "pages")
                    && Bytes.equalsLatin1(b, st[1], en[1], "free")) {
                free = Bytes.parseLong(b, st[2], en[2]);
            } else if (nf == 2) {
                if (Bytes.equalsLatin1(b, st[0], en[0], "min")) {
                    min = Bytes.parseLong(b, st[1], en[1]);
                } else if (Bytes.equalsLatin1(b, st[0], en[0], "low")) {
                    low = Bytes.parseLong(b, st[1], en[1]);
                } else if (Bytes.equalsLatin1(b, st[0], en[0], "high")) {
                    high = Bytes.parseLong(b, st[1], en[1]);
                } else if (Bytes.equalsLatin1(b, st[0], en[0], "managed")) {
                    managed = Bytes.parseLong(b, st[1], en[1]);
                }
            }
        }
        if (inZone) {
            zones += emit(header, free, min, low, high, managed, sink, ts);
        }
        if (zones == 0) {
            problem(file, "no zone with pages free/min/low/high found");
        }
    }

    /**
     * Makes {@code headerNode[h]}, {@code headerZone[h]} the node and zone of the {@code h}-th good header, reusing
     * the Strings (and the keys found for them) of the previous read while the bytes are equal.
     */
    private void zoneHeader(int h, byte[] b, int ns, int ne, int zs, int ze) {
        if (h >= headerNode.length) {
            int n = Math.max(headerNode.length * 2, h + 1);
            headerNode = Arrays.copyOf(headerNode, n);
            headerZone = Arrays.copyOf(headerZone, n);
            headerKeys = Arrays.copyOf(headerKeys, n);
        }
        if (!Bytes.equalsLatin1(b, ns, ne, headerNode[h]) || !Bytes.equalsLatin1(b, zs, ze, headerZone[h])) {
            headerNode[h] = Bytes.latin1(b, ns, ne);
            headerZone[h] = Bytes.latin1(b, zs, ze);
            headerKeys[h] = null;
        }
    }

    private int emit(int h, long free, long min, long low, long high, long managed, MetricSink sink, long ts) {
        if (managed == 0) {
            return 0; // empty zone such as Movable
        }
        String node = headerNode[h];
        String zone = headerZone[h];
        if (free < 0 || min < 0 || low < 0 || high < 0) {
            problem(file, "zone " + node + "/" + zone + " lacks numeric pages free/min/low/high");
            return 0;
        }
        MetricKey[] k = headerKeys[h];
        if (k == null) {
            k = keys(node, zone);
            if (k == null) {
                return 0;
            }
            headerKeys[h] = k;
        }
        record(k, free, min, low, high, sink, ts);
        return 1;
    }

    /** The keys of zone {@code node/zone}, made on first sight; null once {@value #MAX_ZONES} zones are known. */
    private MetricKey[] keys(String node, String zone) {
        String id = node + "/" + zone;
        MetricKey[] k = keys.get(id);
        if (k == null) {
            if (keys.size() >= MAX_ZONES) {
                return null;
            }
            k = new MetricKey[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                k[i] = MetricKey.of(NAMES[i], "node", node, "zone", zone);
            }
            keys.put(id, k);
        }
        return k;
    }

    private static void record(MetricKey[] k, long free, long min, long low, long high, MetricSink sink, long ts) {
        sink.record(k[0], free, ts);
        sink.record(k[1], min, ts);
        sink.record(k[2], low, ts);
        sink.record(k[3], high, ts);
        sink.record(k[4], high > 0 ? (double) free / high : Double.NaN, ts);
        sink.record(k[5], free < low ? 1 : 0, ts);
    }
}
