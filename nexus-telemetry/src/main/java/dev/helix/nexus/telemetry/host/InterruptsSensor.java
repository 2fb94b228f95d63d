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
 * Per-IRQ-line interrupt rates from {@code /proc/interrupts}, summed over CPUs.
 *
 * <p>Metric: {@code host_irq_per_second{irq="24",device="IO-APIC 5-edge ACPI:Ged"}}; named lines such as
 * {@code LOC} (local timer), {@code RES}, {@code CAL}, {@code TLB} get their description as device. The header line
 * gives the number of CPU columns; lines with fewer numeric columns (ERR, MIS) are summed over what they have.
 *
 * <p>Parsed in place from the bytes read (no String per line or field; a String only for an irq or device seen
 * the first time, and for problem messages); gives exactly what the earlier String-splitting parser gave, which a
 * property test checks on random and damaged input. O(lines x cpus) per tick. Not thread-safe (tick thread only).
 */
public final class InterruptsSensor extends ByteFileSensor {

    private final Map<String, MetricKey> keys = new HashMap<>();
    private final CounterRates rates = new CounterRates();
    private int[] starts = new int[64];
    private int[] ends = new int[64];
    /**
     * Key used for each line position (lines keep their order between ticks), valid while {@link #keys} is unchanged:
     * cleared whenever a key is added or replaced, so a hit is exactly what the map lookup would give.
     */
    private MetricKey[] byLine = new MetricKey[0];

    /** Reads {@code procRoot/interrupts}. */
    public InterruptsSensor(Path procRoot) {
        super("proc-interrupts", procRoot.resolve("interrupts"));
    }

    @Override
    protected void parse(byte[] b, int len, MetricSink sink, long ts) {
        int headerEnd = Bytes.lineEnd(b, 0, len);
        int nh = fields(b, 0, headerEnd);
        int cpus = 0;
        for (int i = 0; i < nh; i++) {
            if (Bytes.startsWith(b, starts[i], ends[i], "CPU")) {
                cpus++;
            }
        }
        if (cpus == 0) {
            problem(file, "no CPU header line");
            return;
        }
        int good = 0;
        int li = 0;
        for (int from = headerEnd + 1; from < len; from = Bytes.lineEnd(b, from, len) + 1, li++) {
            int end = Bytes.lineEnd(b, from, len);
            int n = fields(b, from, end);
            if (n == 0) {
                continue;
            }
            if (b[ends[0] - 1] != ':' || ends[0] - starts[0] < 2) {
                problem(file, "line without 'IRQ:' '" + Bytes.latin1(b, from, end) + "'");
                continue;
            }
            int irqFrom = starts[0];
            int irqTo = ends[0] - 1;
            long sum = 0;
            int i = 1;
            for (; i < n && i <= cpus; i++) {
                long v = Bytes.parseLong(b, starts[i], ends[i]);
                if (v < 0) {
                    break;
                }
                sum += v;
            }
            if (i == 1) {
                problem(file, "no counts for irq " + Bytes.latin1(b, irqFrom, irqTo));
                continue;
            }
            good++;
            // the key of the line at the same position last tick, if it is the same irq and device (the usual case)
            MetricKey key = li < byLine.length ? byLine[li] : null;
            if (key == null || !Bytes.equalsLatin1(b, irqFrom, irqTo, key.label("irq"))
                    || !Bytes.joinedEquals(b, starts, ends, i, n, key.label("device"))) {
                String irq = Bytes.latin1(b, irqFrom, irqTo);
                key = keys.get(irq);
                if (key == null || !Bytes.joinedEquals(b, starts, ends, i, n, key.label("device"))) {
                    if (key == null && keys.size() >= 4096) {
                        continue;
                    }
                    if (key != null) {
                        rates.forget(key); // line re-purposed: old counts mean nothing
                    }
                    String device = Bytes.joined(b, starts, ends, i, n);
                    key = MetricKey.of("host_irq_per_second", "irq", irq, "device", device);
                    keys.put(irq, key);
                    // the map changed: a remembered line key may no longer be what the map gives for its irq
                    java.util.Arrays.fill(byLine, null);
                }
                if (li >= byLine.length) {
                    byLine = java.util.Arrays.copyOf(byLine, Math.max(li + 1, 2 * byLine.length));
                }
                byLine[li] = key;
            }
            sink.record(key, rates.rate(key, sum, ts), ts);
        }
        if (good == 0) {
            problem(file, "no interrupt lines");
        }
    }

    /** Splits {@code b[from,to)} into {@link #starts}/{@link #ends}, growing them to hold every field. */
    private int fields(byte[] b, int from, int to) {
        int n = Bytes.fields(b, from, to, starts, ends);
        if (n > starts.length) {
            starts = new int[n];
            ends = new int[n];
            Bytes.fields(b, from, to, starts, ends);
        }
        return n;
    }
}
