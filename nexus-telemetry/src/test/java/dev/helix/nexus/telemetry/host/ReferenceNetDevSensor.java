package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.CounterRates;
import dev.helix.nexus.telemetry.internal.TextFileSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The String-splitting parser this sensor had before it parsed bytes in place, kept unchanged as the reference the
 * byte parser is checked against ({@code ByteParserEquivalenceProperties}).
 *
 * <p>Original description:
 * Network interface counters from {@code /proc/net/dev}, as per-second rates per {@code interface}.
 *
 * <p>Metrics: {@code host_network_receive_bytes_per_second}, {@code host_network_receive_packets_per_second},
 * {@code host_network_receive_errors_per_second}, {@code host_network_receive_drops_per_second} and the same four
 * for {@code transmit}. Handles {@code eth0:12345} with no space after the colon (large counters).
 *
 * <p>O(lines) per tick. Not thread-safe (tick thread only).
 */
final class ReferenceNetDevSensor extends TextFileSensor {

    private static final String[] NAMES = {"host_network_receive_bytes_per_second",
            "host_network_receive_packets_per_second", "host_network_receive_errors_per_second",
            "host_network_receive_drops_per_second", "host_network_transmit_bytes_per_second",
            "host_network_transmit_packets_per_second", "host_network_transmit_errors_per_second",
            "host_network_transmit_drops_per_second"};
    /** Column of each metric in the 16 numbers after the colon. */
    private static final int[] COLUMNS = {0, 1, 2, 3, 8, 9, 10, 11};

    private final Map<String, MetricKey[]> keys = new HashMap<>();
    private final CounterRates rates = new CounterRates();

    /** Reads {@code procRoot/net/dev}. */
    ReferenceNetDevSensor(Path procRoot) {
        super("proc-net-dev", procRoot.resolve("net").resolve("dev"));
    }

    @Override
    protected void parse(String text, MetricSink sink, long ts) {
        int good = 0;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.contains("|")) {
                continue; // the two header lines
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                problem(file, "line without 'iface:' '" + line + "'");
                continue;
            }
            String iface = line.substring(0, colon).strip();
            String[] f = Texts.fields(line.substring(colon + 1));
            if (iface.isEmpty() || f.length < 16) {
                problem(file, "want 16 counters for '" + iface + "', got " + f.length);
                continue;
            }
            MetricKey[] k = keys.get(iface);
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
            boolean bad = false;
            for (int i = 0; i < NAMES.length; i++) {
                long v = Texts.parseLong(f[COLUMNS[i]]);
                if (v == Texts.NOT_A_NUMBER) {
                    bad = true;
                    continue;
                }
                sink.record(k[i], rates.rate(k[i], v, ts), ts);
            }
            if (bad) {
                problem(file, "non-numeric counter for '" + iface + "'");
            } else {
                good++;
            }
        }
        if (good == 0) {
            problem(file, "no interface lines");
        }
    }
}
