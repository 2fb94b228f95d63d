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
 * CPU time split and scheduler activity from {@code /proc/stat}.
 *
 * <p>Metrics (first tick gives only the gauges; fractions and rates need two readings):
 * <ul>
 *   <li>{@code host_cpu_fraction{cpu="total"|"0"..,mode="user|nice|system|idle|iowait|irq|softirq|steal"}}: share
 *       of CPU time in each mode since the previous tick, 0..1;</li>
 *   <li>{@code host_cpu_busy_fraction{cpu}}: 1 - idle - iowait;</li>
 *   <li>{@code host_cpu_count}: CPUs listed;</li>
 *   <li>{@code host_context_switches_per_second}, {@code host_interrupts_per_second},
 *       {@code host_forks_per_second};</li>
 *   <li>{@code host_procs_running}, {@code host_procs_blocked}.</li>
 * </ul>
 * A CPU whose counters go backwards (hot-unplug and re-plug) gives no fractions for that tick.
 *
 * <p>Complexity: O(lines) per tick; keys are cached per CPU. Not thread-safe (tick thread only).
 */
final class ReferenceProcStatSensor extends TextFileSensor {

    static final String[] MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

    private static final MetricKey CTXT = MetricKey.of("host_context_switches_per_second");
    private static final MetricKey INTR = MetricKey.of("host_interrupts_per_second");
    private static final MetricKey FORKS = MetricKey.of("host_forks_per_second");
    private static final MetricKey RUNNING = MetricKey.of("host_procs_running");
    private static final MetricKey BLOCKED = MetricKey.of("host_procs_blocked");
    private static final MetricKey CPU_COUNT = MetricKey.of("host_cpu_count");

    private static final class Cpu {
        final MetricKey[] keys = new MetricKey[MODES.length];
        final MetricKey busy;
        final long[] prev = new long[MODES.length];
        final long[] cur = new long[MODES.length];
        boolean hasPrev;

        Cpu(String label) {
            for (int i = 0; i < MODES.length; i++) {
                keys[i] = MetricKey.of("host_cpu_fraction", "cpu", label, "mode", MODES[i]);
            }
            busy = MetricKey.of("host_cpu_busy_fraction", "cpu", label);
        }
    }

    private final Map<String, Cpu> cpus = new HashMap<>();
    private final CounterRates rates = new CounterRates();

    /** Reads {@code procRoot/stat}. */
    ReferenceProcStatSensor(Path procRoot) {
        super("proc-stat", procRoot.resolve("stat"));
    }

    @Override
    protected void parse(String text, MetricSink sink, long ts) {
        int cpuCount = 0;
        boolean sawTotal = false;
        for (String line : text.split("\n")) {
            String[] f = Texts.fields(line);
            if (f.length == 0) {
                continue;
            }
            String tag = f[0];
            if (tag.startsWith("cpu")) {
                String label = tag.length() == 3 ? "total" : tag.substring(3);
                if (!label.equals("total") && Texts.parseLong(label) < 0) {
                    problem(file, "bad cpu line '" + line + "'");
                    continue;
                }
                if (f.length < 5) {
                    problem(file, "cpu line with " + (f.length - 1) + " fields, want >= 4: '" + line + "'");
                    continue;
                }
                if (label.equals("total")) {
                    sawTotal = true;
                } else {
                    cpuCount++;
                }
                cpuLine(label, f, line, sink, ts);
            } else if (f.length >= 2) {
                switch (tag) {
                    case "ctxt" -> counter(CTXT, f[1], sink, ts);
                    case "intr" -> counter(INTR, f[1], sink, ts);
                    case "processes" -> counter(FORKS, f[1], sink, ts);
                    case "procs_running" -> gauge(RUNNING, f[1], sink, ts);
                    case "procs_blocked" -> gauge(BLOCKED, f[1], sink, ts);
                    default -> { }
                }
            }
        }
        if (!sawTotal) {
            problem(file, "no aggregate 'cpu' line");
        }
        if (cpuCount > 0) {
            sink.record(CPU_COUNT, cpuCount, ts);
        }
    }

    private void cpuLine(String label, String[] f, String line, MetricSink sink, long ts) {
        Cpu cpu = cpus.get(label);
        if (cpu == null) {
            if (cpus.size() >= 4096) {
                problem(file, "more than 4096 cpus, ignoring cpu" + label);
                return;
            }
            cpu = new Cpu(label);
            cpus.put(label, cpu);
        }
        for (int i = 0; i < MODES.length; i++) {
            long v = i + 1 < f.length ? Texts.parseLong(f[i + 1]) : 0; // old kernels lack iowait..steal
            if (v < 0) {
                problem(file, "non-numeric cpu field in '" + Texts.abbreviate(line) + "'");
                cpu.hasPrev = false;
                return;
            }
            cpu.cur[i] = v;
        }
        if (cpu.hasPrev) {
            long total = 0;
            boolean reset = false;
            for (int i = 0; i < MODES.length; i++) {
                long d = cpu.cur[i] - cpu.prev[i];
                if (d < 0) {
                    reset = true;
                }
                total += d;
            }
            if (!reset && total > 0) {
                double idle = 0;
                for (int i = 0; i < MODES.length; i++) {
                    double frac = (double) (cpu.cur[i] - cpu.prev[i]) / total;
                    sink.record(cpu.keys[i], frac, ts);
                    if (i == 3 || i == 4) {
                        idle += frac;
                    }
                }
                sink.record(cpu.busy, Math.max(0, 1 - idle), ts);
            }
        }
        System.arraycopy(cpu.cur, 0, cpu.prev, 0, MODES.length);
        cpu.hasPrev = true;
    }

    private void counter(MetricKey key, String raw, MetricSink sink, long ts) {
        long v = Texts.parseLong(raw);
        if (v == Texts.NOT_A_NUMBER) {
            problem(file, key.name() + ": not a number '" + raw + "'");
            return;
        }
        sink.record(key, rates.rate(key, v, ts), ts);
    }

    private void gauge(MetricKey key, String raw, MetricSink sink, long ts) {
        long v = Texts.parseLong(raw);
        if (v < 0) {
            problem(file, key.name() + ": not a number '" + raw + "'");
            return;
        }
        sink.record(key, v, ts);
    }
}
