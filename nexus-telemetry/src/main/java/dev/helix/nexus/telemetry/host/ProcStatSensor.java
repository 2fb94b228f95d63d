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
 * <p>Parsed in place from the bytes read (no String per line or field; one only for a CPU seen the first time and
 * for problem messages), giving exactly what the earlier String-splitting parser gave (checked by a property test on
 * random and damaged input). Complexity: O(lines) per tick; keys are cached per CPU. Not thread-safe (tick thread
 * only).
 */
public final class ProcStatSensor extends ByteFileSensor {

    static final String[] MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

    private static final MetricKey CTXT = MetricKey.of("host_context_switches_per_second");
    private static final MetricKey INTR = MetricKey.of("host_interrupts_per_second");
    private static final MetricKey FORKS = MetricKey.of("host_forks_per_second");
    private static final MetricKey RUNNING = MetricKey.of("host_procs_running");
    private static final MetricKey BLOCKED = MetricKey.of("host_procs_blocked");
    private static final MetricKey CPU_COUNT = MetricKey.of("host_cpu_count");

    private static final class Cpu {
        final String label;
        final MetricKey[] keys = new MetricKey[MODES.length];
        final MetricKey busy;
        final long[] prev = new long[MODES.length];
        final long[] cur = new long[MODES.length];
        boolean hasPrev;

        Cpu(String label) {
            this.label = label;
            for (int i = 0; i < MODES.length; i++) {
                keys[i] = MetricKey.of("host_cpu_fraction", "cpu", label, "mode", MODES[i]);
            }
            busy = MetricKey.of("host_cpu_busy_fraction", "cpu", label);
        }
    }

    private final Map<String, Cpu> cpus = new HashMap<>();
    private final CounterRates rates = new CounterRates();
    private final int[] starts = new int[16];
    private final int[] ends = new int[16];
    /** The CPU of each line position last time (lines keep their order); a hit is what the map lookup gives. */
    private Cpu[] byLine = new Cpu[0];

    /** Reads {@code procRoot/stat}. */
    public ProcStatSensor(Path procRoot) {
        super("proc-stat", procRoot.resolve("stat"));
    }

    @Override
    protected void parse(byte[] b, int len, MetricSink sink, long ts) {
        int cpuCount = 0;
        boolean sawTotal = false;
        int li = 0;
        for (int from = 0; from < len; from = Bytes.lineEnd(b, from, len) + 1, li++) {
            int end = Bytes.lineEnd(b, from, len);
            int n = Bytes.fields(b, from, end, starts, ends);
            if (n == 0) {
                continue;
            }
            int ts0 = starts[0];
            int te0 = ends[0];
            if (Bytes.startsWith(b, ts0, te0, "cpu")) {
                // "cpu" is the total; "cpuN" CPU N (and, as before, "cputotal" is taken as the total too)
                boolean total = te0 - ts0 == 3 || Bytes.equalsLatin1(b, ts0 + 3, te0, "total");
                if (!total && Bytes.parseLong(b, ts0 + 3, te0) < 0) {
                    problem(file, "bad cpu line '" + Bytes.latin1(b, from, end) + "'");
                    continue;
                }
                if (n < 5) {
                    problem(file, "cpu line with " + (n - 1) + " fields, want >= 4: '" + Bytes.latin1(b, from, end)
                            + "'");
                    continue;
                }
                if (total) {
                    sawTotal = true;
                } else {
                    cpuCount++;
                }
                cpuLine(b, total ? -1 : ts0 + 3, te0, li, n, from, end, sink, ts);
            } else if (n >= 2) {
                MetricKey key = null;
                boolean counter = true;
                if (Bytes.equalsLatin1(b, ts0, te0, "ctxt")) {
                    key = CTXT;
                } else if (Bytes.equalsLatin1(b, ts0, te0, "intr")) {
                    key = INTR;
                } else if (Bytes.equalsLatin1(b, ts0, te0, "processes")) {
                    key = FORKS;
                } else if (Bytes.equalsLatin1(b, ts0, te0, "procs_running")) {
                    key = RUNNING;
                    counter = false;
                } else if (Bytes.equalsLatin1(b, ts0, te0, "procs_blocked")) {
                    key = BLOCKED;
                    counter = false;
                }
                if (key != null) {
                    long v = Bytes.parseLong(b, starts[1], ends[1]);
                    if (counter ? v == Texts.NOT_A_NUMBER : v < 0) {
                        problem(file, key.name() + ": not a number '" + Bytes.latin1(b, starts[1], ends[1]) + "'");
                    } else {
                        sink.record(key, counter ? rates.rate(key, v, ts) : v, ts);
                    }
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

    /**
     * One cpu line: {@code labelFrom} is where the CPU number starts in the tag, or -1 for the total; {@code n} the
     * number of fields split into {@link #starts}/{@link #ends}.
     */
    private void cpuLine(byte[] b, int labelFrom, int labelTo, int li, int n, int from, int end, MetricSink sink,
                         long ts) {
        Cpu cpu = li < byLine.length ? byLine[li] : null;
        boolean same = cpu != null && (labelFrom < 0 ? cpu.label.equals("total")
                : Bytes.equalsLatin1(b, labelFrom, labelTo, cpu.label));
        if (!same) {
            String label = labelFrom < 0 ? "total" : Bytes.latin1(b, labelFrom, labelTo);
            cpu = cpus.get(label);
            if (cpu == null) {
                if (cpus.size() >= 4096) {
                    problem(file, "more than 4096 cpus, ignoring cpu" + label);
                    return;
                }
                cpu = new Cpu(label);
                cpus.put(label, cpu);
            }
            if (li >= byLine.length) {
                byLine = java.util.Arrays.copyOf(byLine, Math.max(li + 1, 2 * byLine.length));
            }
            byLine[li] = cpu;
        }
        for (int i = 0; i < MODES.length; i++) {
            long v = i + 1 < n ? Bytes.parseLong(b, starts[i + 1], ends[i + 1]) : 0; // old kernels lack iowait..steal
            if (v < 0) {
                problem(file, "non-numeric cpu field in '" + Texts.abbreviate(Bytes.latin1(b, from, end)) + "'");
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
}
