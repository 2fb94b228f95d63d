package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.CounterRates;
import dev.helix.nexus.telemetry.internal.LineNames;
import dev.helix.nexus.telemetry.internal.ByteFileSensor;
import dev.helix.nexus.telemetry.internal.Bytes;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Paging and reclaim activity from {@code /proc/vmstat}, as per-second rates.
 *
 * <p>Metrics: {@code host_vmstat_per_second{counter}} for pgfault, pgmajfault, pswpin, pswpout, oom_kill and every
 * {@code pgscan*}/{@code pgsteal*} counter; and the headline sums {@code host_page_faults_per_second},
 * {@code host_major_page_faults_per_second}, {@code host_swap_in_pages_per_second},
 * {@code host_swap_out_pages_per_second}, {@code host_pages_scanned_per_second} (kswapd + direct + khugepaged +
 * proactive, old per-zone forms included), {@code host_pages_stolen_per_second}, {@code host_oom_kills_per_second};
 * and {@code host_minor_page_faults_per_second}: the kernel has no minor-fault counter ({@code pgfault} counts every
 * fault, minor and major), so it is the increase of {@code pgfault} minus the increase of {@code pgmajfault} over the
 * elapsed time, recorded in ticks where both lines were read. Both increases come from the two counters' own
 * previous readings (64-bit, {@link CounterRates#increase}), so a reset of either, a major increase larger than the
 * total one (inconsistent readings), a first reading or a timestamp not after the previous one gives NaN, never a
 * negative rate; the readings of a tick with a reset become the new base.
 *
 * <p>O(lines) per tick; parsed in place from the bytes read, each line's counter name, classification and key
 * cached while the name at that line is unchanged, so steady-state parsing allocates nothing and looks nothing up. Not
 * thread-safe (tick thread only).
 */
public final class VmStatSensor extends ByteFileSensor {

    private static final MetricKey SCANNED = MetricKey.of("host_pages_scanned_per_second");
    private static final MetricKey STOLEN = MetricKey.of("host_pages_stolen_per_second");
    private static final MetricKey FAULTS = MetricKey.of("host_page_faults_per_second");
    private static final MetricKey MAJOR_FAULTS = MetricKey.of("host_major_page_faults_per_second");
    private static final MetricKey MINOR_FAULTS = MetricKey.of("host_minor_page_faults_per_second");
    private static final Map<String, MetricKey> HEADLINE = Map.of(
            "pgfault", FAULTS,
            "pgmajfault", MAJOR_FAULTS,
            "pswpin", MetricKey.of("host_swap_in_pages_per_second"),
            "pswpout", MetricKey.of("host_swap_out_pages_per_second"),
            "oom_kill", MetricKey.of("host_oom_kills_per_second"));

    private final Map<String, MetricKey> keys = new HashMap<>();
    private final CounterRates rates = new CounterRates();
    private final CounterRates sums = new CounterRates();
    /** pgfault and pgmajfault of the last tick that had both, and its timestamp; {@code hasFaults} once there is one. */
    private long lastFaults;
    private long lastMajor;
    private long lastFaultTs;
    private boolean hasFaults;

    private final int[] starts = new int[2];
    private final int[] ends = new int[2];
    /** The counter name of each line, reused while the line is unchanged (the file keeps its line order). */
    private final LineNames lineNames = new LineNames(256);
    /** Per line: the counter name last seen there (identity), what it is, its key and headline key. */
    private String[] lineName = new String[256];
    private byte[] lineKind = new byte[256];
    private MetricKey[] lineKey = new MetricKey[256];
    private MetricKey[] lineHead = new MetricKey[256];

    /** Reads {@code procRoot/vmstat}. */
    public VmStatSensor(Path procRoot) {
        super("proc-vmstat", procRoot.resolve("vmstat"));
    }

    static boolean wanted(String c) {
        return HEADLINE.containsKey(c) || c.startsWith("pgscan") || c.startsWith("pgsteal");
    }

    static boolean scanSum(String c) {
        return (c.startsWith("pgscan_kswapd") || c.startsWith("pgscan_direct") || c.startsWith("pgscan_khugepaged")
                || c.startsWith("pgscan_proactive")) && !c.equals("pgscan_direct_throttle");
    }

    static boolean stealSum(String c) {
        return c.startsWith("pgsteal_kswapd") || c.startsWith("pgsteal_direct") || c.startsWith("pgsteal_khugepaged")
                || c.startsWith("pgsteal_proactive");
    }

    @Override
    protected void parse(byte[] b, int len, MetricSink sink, long ts) {
        long scanned = 0;
        long stolen = 0;
        int good = 0;
        int lineNo = 0;
        long faults = 0;
        long major = 0;
        boolean seenFaults = false;
        boolean seenMajor = false;
        for (int ls = 0, le; ls < len; ls = le + 1) {
            le = Bytes.lineEnd(b, ls, len);
            int nf = Bytes.fields(b, ls, le, starts, ends);
            if (nf == 0) {
                continue;
            }
            if (nf != 2) {
                problem(file, "want 'name value', got '" + Bytes.latin1(b, ls, le) + "'");
                continue;
            }
            long v = Bytes.parseLong(b, starts[1], ends[1]);
            if (v == Texts.NOT_A_NUMBER) {
                problem(file, "not a number in '" + Bytes.latin1(b, ls, le) + "'");
                continue;
            }
            good++;
            int line = lineNo++;
            String c = lineNames.name(line, b, starts[0], ends[0]);
            boolean cached = line < MAX_CACHED_LINES;
            int kind = cached ? kind(line, c) : classify(c);
            if (kind == NOT_WANTED) {
                continue;
            }
            MetricKey head = cached ? lineHead[line] : HEADLINE.get(c);
            if (head == FAULTS) {
                faults = v;
                seenFaults = true;
            } else if (head == MAJOR_FAULTS) {
                major = v;
                seenMajor = true;
            }
            MetricKey key = cached ? lineKey[line] : null;
            if (key == null) {
                key = keys.get(c);
                if (key == null) {
                    if (keys.size() >= 256) {
                        continue;
                    }
                    key = MetricKey.of("host_vmstat_per_second", "counter", c);
                    keys.put(c, key);
                }
                if (cached) {
                    lineKey[line] = key;
                }
            }
            double r = rates.rate(key, v, ts);
            sink.record(key, r, ts);
            if (head != null) {
                sink.record(head, r, ts);
            }
            if ((kind & SCAN) != 0) {
                scanned += v;
            }
            if ((kind & STEAL) != 0) {
                stolen += v;
            }
        }
        if (good == 0) {
            problem(file, "no 'name value' lines");
            return;
        }
        sink.record(SCANNED, sums.rate(SCANNED, scanned, ts), ts);
        sink.record(STOLEN, sums.rate(STOLEN, stolen, ts), ts);
        if (seenFaults && seenMajor) {
            sink.record(MINOR_FAULTS, minorRate(faults, major, ts), ts);
        }
    }

    /**
     * Minor faults per second from this tick's {@code pgfault} and {@code pgmajfault} (see the class comment);
     * updates the base unless {@code ts} is not after it. O(1).
     */
    private double minorRate(long faults, long major, long ts) {
        if (hasFaults && ts <= lastFaultTs) {
            return Double.NaN;
        }
        boolean first = !hasFaults;
        long dt = ts - lastFaultTs;
        long all = first ? -1 : sums.increase(lastFaults, faults, 64);
        long maj = first ? -1 : sums.increase(lastMajor, major, 64);
        lastFaults = faults;
        lastMajor = major;
        lastFaultTs = ts;
        hasFaults = true;
        if (all < 0 || maj < 0 || maj > all) {
            return Double.NaN;
        }
        return Texts.unsignedToDouble(all - maj) * 1000.0 / dt;
    }

    private static final int MAX_CACHED_LINES = 4096;
    private static final int NOT_WANTED = 0;
    private static final int WANTED = 1;
    private static final int SCAN = 2;
    private static final int STEAL = 4;

    /**
     * What counter {@code c} on line {@code line} is ({@link #WANTED}, {@link #SCAN}, {@link #STEAL} bits), worked
     * out once per line while the line's name is the same String instance (see {@link LineNames}). Only for
     * {@code line < MAX_CACHED_LINES}; later lines are classified each time and get no cached key.
     */
    private int kind(int line, String c) {
        if (line >= lineName.length) {
            int n = Math.min(MAX_CACHED_LINES, Math.max(lineName.length * 2, line + 1));
            lineName = Arrays.copyOf(lineName, n);
            lineKind = Arrays.copyOf(lineKind, n);
            lineKey = Arrays.copyOf(lineKey, n);
            lineHead = Arrays.copyOf(lineHead, n);
        }
        if (lineName[line] != c) {
            lineName[line] = c;
            lineKind[line] = (byte) classify(c);
            lineKey[line] = null;
            lineHead[line] = HEADLINE.get(c);
        }
        return lineKind[line];
    }

    private static int classify(String c) {
        if (!wanted(c)) {
            return NOT_WANTED;
        }
        return WANTED | (scanSum(c) ? SCAN : 0) | (stealSum(c) ? STEAL : 0);
    }
}
