package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.Bytes;
import dev.helix.nexus.telemetry.internal.CounterRates;
import dev.helix.nexus.telemetry.internal.ByteFileSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Network interface counters from {@code /proc/net/dev}, as per-second rates per {@code interface}.
 *
 * <p>Metrics: {@code host_network_receive_bytes_per_second}, {@code host_network_receive_packets_per_second},
 * {@code host_network_receive_errors_per_second}, {@code host_network_receive_drops_per_second} and the same four
 * for {@code transmit}. Handles {@code eth0:12345} with no space after the colon (large counters).
 *
 * <p>Parsed in place from the bytes read (a String only for an interface seen the first time and for problem
 * messages), giving exactly what the earlier String-splitting parser gave (checked by a property test on random and
 * damaged input). O(lines) per tick. Not thread-safe (tick thread only).
 */
public final class NetDevSensor extends ByteFileSensor {

    private static final String[] NAMES = {"host_network_receive_bytes_per_second",
            "host_network_receive_packets_per_second", "host_network_receive_errors_per_second",
            "host_network_receive_drops_per_second", "host_network_transmit_bytes_per_second",
            "host_network_transmit_packets_per_second", "host_network_transmit_errors_per_second",
            "host_network_transmit_drops_per_second"};
    /** Column of each metric in the 16 numbers after the colon. */
    private static final int[] COLUMNS = {0, 1, 2, 3, 8, 9, 10, 11};

    private final Map<String, MetricKey[]> keys = new HashMap<>();
    private final CounterRates rates = new CounterRates();
    private final int[] starts = new int[20];
    private final int[] ends = new int[20];
    /** The keys of each line position last time (lines keep their order); a hit is what the map lookup gives. */
    private MetricKey[][] byLine = new MetricKey[0][];

    /** Reads {@code procRoot/net/dev}. */
    public NetDevSensor(Path procRoot) {
        super("proc-net-dev", procRoot.resolve("net").resolve("dev"));
    }

    @Override
    protected void parse(byte[] b, int len, MetricSink sink, long ts) {
        int good = 0;
        int li = 0;
        for (int from = 0; from < len; from = Bytes.lineEnd(b, from, len) + 1, li++) {
            int end = Bytes.lineEnd(b, from, len);
            if (Bytes.skipWhitespace(b, from, end) == end || Bytes.indexOf(b, from, end, (byte) '|') >= 0) {
                continue; // the two header lines
            }
            int colon = Bytes.indexOf(b, from, end, (byte) ':');
            if (colon <= from) {
                problem(file, "line without 'iface:' '" + Bytes.latin1(b, from, end) + "'");
                continue;
            }
            int is = Bytes.skipWhitespace(b, from, colon);
            int ie = Bytes.trimEnd(b, is, colon);
            int n = Bytes.fields(b, colon + 1, end, starts, ends);
            if (is == ie || n < 16) {
                problem(file, "want 16 counters for '" + Bytes.latin1(b, is, ie) + "', got " + n);
                continue;
            }
            MetricKey[] k = li < byLine.length ? byLine[li] : null;
            if (k == null || !Bytes.equalsLatin1(b, is, ie, k[0].label("interface"))) {
                String iface = Bytes.latin1(b, is, ie);
                k = keys.get(iface);
                if (k == null) {
                    if (keys.size() >= 4096) {
                        continue;
                    }
                    k = new MetricKey[NAMES.length];
                    for (int i = 0; i < NAMES.length; i++) {
                        k[i] = MetricKey.of(NAMES[i], "interface", iface);
                    }
                    keys.put(iface, k);
                }
                if (li >= byLine.length) {
                    byLine = java.util.Arrays.copyOf(byLine, Math.max(li + 1, 2 * byLine.length));
                }
                byLine[li] = k;
            }
            boolean bad = false;
            for (int i = 0; i < NAMES.length; i++) {
                int c = COLUMNS[i];
                long v = Bytes.parseLong(b, starts[c], ends[c]);
                if (v == Texts.NOT_A_NUMBER) {
                    bad = true;
                    continue;
                }
                sink.record(k[i], rates.rate(k[i], v, ts), ts);
            }
            if (bad) {
                problem(file, "non-numeric counter for '" + k[0].label("interface") + "'");
            } else {
                good++;
            }
        }
        if (good == 0) {
            problem(file, "no interface lines");
        }
    }
}
