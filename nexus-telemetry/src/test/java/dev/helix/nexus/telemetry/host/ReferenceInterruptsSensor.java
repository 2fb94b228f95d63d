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
 * The String-splitting parser this sensor had before it parsed bytes in place, kept as the reference the byte parser
 * is checked against ({@code ByteParserEquivalenceProperties}); changed only where the rates are computed, to rate
 * each CPU column as a 32-bit counter and sum the increases (a map of last per-CPU readings by key instead of one
 * summed counter per line).
 *
 * <p>Original description:
 * Per-IRQ-line interrupt rates from {@code /proc/interrupts}, summed over CPUs.
 *
 * <p>Metric: {@code host_irq_per_second{irq="24",device="IO-APIC 5-edge ACPI:Ged"}}; named lines such as
 * {@code LOC} (local timer), {@code RES}, {@code CAL}, {@code TLB} get their description as device. The header line
 * gives the number of CPU columns; lines with fewer numeric columns (ERR, MIS) are summed over what they have.
 *
 * <p>O(lines x cpus) per tick. Not thread-safe (tick thread only).
 */
final class ReferenceInterruptsSensor extends TextFileSensor {

    private final Map<String, MetricKey> keys = new HashMap<>();
    private final CounterRates counters = new CounterRates();
    private final Map<MetricKey, long[]> last = new HashMap<>();
    private final Map<MetricKey, Long> lastTs = new HashMap<>();

    /** Reads {@code procRoot/interrupts}. */
    ReferenceInterruptsSensor(Path procRoot) {
        super("proc-interrupts", procRoot.resolve("interrupts"));
    }

    @Override
    protected void parse(String text, MetricSink sink, long ts) {
        String[] lines = text.split("\n");
        String[] header = Texts.fields(lines[0]);
        int cpus = 0;
        for (String h : header) {
            if (h.startsWith("CPU")) {
                cpus++;
            }
        }
        if (cpus == 0) {
            problem(file, "no CPU header line");
            return;
        }
        int good = 0;
        for (int li = 1; li < lines.length; li++) {
            String line = lines[li];
            String[] f = Texts.fields(line);
            if (f.length == 0) {
                continue;
            }
            if (!f[0].endsWith(":") || f[0].length() < 2) {
                problem(file, "line without 'IRQ:' '" + line + "'");
                continue;
            }
            String irq = f[0].substring(0, f[0].length() - 1);
            java.util.List<Long> counts = new java.util.ArrayList<>();
            int i = 1;
            for (; i < f.length && i <= cpus; i++) {
                long v = Texts.parseLong(f[i]);
                if (v < 0) {
                    break;
                }
                counts.add(v);
            }
            if (i == 1) {
                problem(file, "no counts for irq " + irq);
                continue;
            }
            good++;
            StringBuilder desc = new StringBuilder();
            for (int j = i; j < f.length; j++) {
                if (desc.length() > 0) {
                    desc.append(' ');
                }
                desc.append(f[j]);
            }
            String d = desc.toString();
            MetricKey key = keys.get(irq);
            if (key == null || !d.equals(key.label("device"))) {
                if (key == null && keys.size() >= 4096) {
                    continue;
                }
                if (key != null) {
                    last.remove(key); // line re-purposed: old counts mean nothing
                }
                key = MetricKey.of("host_irq_per_second", "irq", irq, "device", d);
                keys.put(irq, key);
            }
            sink.record(key, rate(key, counts, ts), ts);
        }
        if (good == 0) {
            problem(file, "no interrupt lines");
        }
    }

    private double rate(MetricKey key, java.util.List<Long> counts, long ts) {
        long[] prev = last.get(key);
        if (prev == null || prev.length != counts.size()) {
            last.put(key, counts.stream().mapToLong(Long::longValue).toArray());
            lastTs.put(key, ts);
            return Double.NaN;
        }
        long dt = ts - lastTs.get(key);
        if (dt <= 0) {
            return Double.NaN;
        }
        double sum = 0;
        boolean reset = false;
        for (int j = 0; j < prev.length; j++) {
            long inc = counters.increase(prev[j], counts.get(j), 32);
            if (inc < 0) {
                reset = true;
            } else {
                sum += Texts.unsignedToDouble(inc);
            }
        }
        last.put(key, counts.stream().mapToLong(Long::longValue).toArray());
        lastTs.put(key, ts);
        return reset ? Double.NaN : sum * 1000.0 / dt;
    }
}
