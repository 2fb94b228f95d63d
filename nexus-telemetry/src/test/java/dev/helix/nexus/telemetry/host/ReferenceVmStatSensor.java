package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.CounterRates;
import dev.helix.nexus.telemetry.internal.LineNames;
import dev.helix.nexus.telemetry.internal.TextFileSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The String parser of this file as it was before the byte parser replaced it, kept as the reference the byte
 * parser is checked against ({@code ByteParserEquivalenceProperties}); since then extended by the minor-fault rate
 * ({@code host_minor_page_faults_per_second}, last), written here independently from the two counters' previous
 * readings.
 *
 * <p>Original description:
 * Paging and reclaim activity from {@code /proc/vmstat}, as per-second rates.
 *
 * <p>Metrics: {@code host_vmstat_per_second{counter}} for pgfault, pgmajfault, pswpin, pswpout, oom_kill and every
 * {@code pgscan*}/{@code pgsteal*} counter; and the headline sums {@code host_page_faults_per_second},
 * {@code host_major_page_faults_per_second}, {@code host_swap_in_pages_per_second},
 * {@code host_swap_out_pages_per_second}, {@code host_pages_scanned_per_second} (kswapd + direct + khugepaged +
 * proactive, old per-zone forms included), {@code host_pages_stolen_per_second}, {@code host_oom_kills_per_second}.
 *
 * <p>O(lines) per tick; parsed in place (no String per line or field once the counter names are known). Not
 * thread-safe (tick thread only).
 */
final class ReferenceVmStatSensor extends TextFileSensor {

    private static final MetricKey SCANNED = MetricKey.of("host_pages_scanned_per_second");
    private static final MetricKey STOLEN = MetricKey.of("host_pages_stolen_per_second");
    private static final Map<String, MetricKey> HEADLINE = Map.of(
            "pgfault", MetricKey.of("host_page_faults_per_second"),
            "pgmajfault", MetricKey.of("host_major_page_faults_per_second"),
            "pswpin", MetricKey.of("host_swap_in_pages_per_second"),
            "pswpout", MetricKey.of("host_swap_out_pages_per_second"),
            "oom_kill", MetricKey.of("host_oom_kills_per_second"));

    private final Map<String, MetricKey> keys = new HashMap<>();
    private final CounterRates rates = new CounterRates();
    private final CounterRates sums = new CounterRates();
    private long[] lastFaults; // {pgfault, pgmajfault, timestamp} of the last tick with both

    private final int[] starts = new int[2];
    private final int[] ends = new int[2];
    /** The counter name of each line, reused while the line is unchanged (the file keeps its line order). */
    private final LineNames lineNames = new LineNames(256);

    /** Reads {@code procRoot/vmstat}. */
    ReferenceVmStatSensor(Path procRoot) {
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
    protected void parse(String text, MetricSink sink, long ts) {
        long scanned = 0;
        long stolen = 0;
        int good = 0;
        int lineNo = 0;
        Long faults = null;
        Long major = null;
        for (int ls = 0, le; ls < text.length(); ls = le + 1) {
            le = text.indexOf('\n', ls);
            if (le < 0) {
                le = text.length();
            }
            int nf = Texts.fields(text, ls, le, starts, ends);
            if (nf == 0) {
                continue;
            }
            if (nf != 2) {
                problem(file, "want 'name value', got '" + text.substring(ls, le) + "'");
                continue;
            }
            long v = Texts.parseLong(text, starts[1], ends[1]);
            if (v == Texts.NOT_A_NUMBER) {
                problem(file, "not a number in '" + text.substring(ls, le) + "'");
                continue;
            }
            good++;
            String c = lineNames.name(lineNo++, text, starts[0], ends[0]);
            if (!wanted(c)) {
                continue;
            }
            if (c.equals("pgfault")) {
                faults = v;
            } else if (c.equals("pgmajfault")) {
                major = v;
            }
            MetricKey key = keys.get(c);
            if (key == null) {
                if (keys.size() >= 256) {
                    continue;
                }
                key = MetricKey.of("host_vmstat_per_second", "counter", c);
                keys.put(c, key);
            }
            double r = rates.rate(key, v, ts);
            sink.record(key, r, ts);
            MetricKey head = HEADLINE.get(c);
            if (head != null) {
                sink.record(head, r, ts);
            }
            if (scanSum(c)) {
                scanned += v;
            }
            if (stealSum(c)) {
                stolen += v;
            }
        }
        if (good == 0) {
            problem(file, "no 'name value' lines");
            return;
        }
        sink.record(SCANNED, sums.rate(SCANNED, scanned, ts), ts);
        sink.record(STOLEN, sums.rate(STOLEN, stolen, ts), ts);
        if (faults != null && major != null) {
            double minor = Double.NaN;
            if (lastFaults == null || ts > lastFaults[2]) {
                if (lastFaults != null) {
                    long all = sums.increase(lastFaults[0], faults, 64);
                    long maj = sums.increase(lastFaults[1], major, 64);
                    if (all >= 0 && maj >= 0 && maj <= all) {
                        minor = Texts.unsignedToDouble(all - maj) * 1000.0 / (ts - lastFaults[2]);
                    }
                }
                lastFaults = new long[] {faults, major, ts};
            }
            sink.record(MetricKey.of("host_minor_page_faults_per_second"), minor, ts);
        }
    }
}
