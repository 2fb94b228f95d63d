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
 * <p>Rates: the kernel prints each CPU's count of a line as an {@code unsigned int}, so every column is a 32-bit
 * counter that wraps on its own (at 1000/s after about 49.7 days). Each column is therefore rated on its own with
 * 32-bit wrap semantics ({@link CounterRates#increase}: a smaller reading whose 32-bit delta is below 2^30 is a wrap
 * and uses that delta), and the line's rate is the sum of its columns' increases over the elapsed time. A line gives
 * NaN (and takes the new reading as its base) on its first reading, when any column went back by more than a wrap
 * explains (a reset), and when its number of columns changed (a CPU went online or offline): never a negative rate
 * or a spike. A reading at the same or an earlier timestamp gives NaN and keeps the older reading. Columns whose
 * text is above 2^32 (not a kernel per-CPU count) are rated as 64-bit counters.
 *
 * <p>Parsed in place from the bytes read (no String per line or field; a String only for an irq or device seen
 * the first time, and for problem messages). Each line's state (key and last per-CPU counts) is found by its
 * position in the file, checked against the irq and device text, so steady-state ticks allocate nothing and look
 * nothing up. A property test checks the result against a String-splitting reference on random and damaged input,
 * and another against an exact (BigInteger) model of wrapping per-CPU counters. O(lines x cpus) per tick. Not
 * thread-safe (tick thread only).
 */
public final class InterruptsSensor extends ByteFileSensor {

    /** One IRQ line's series: its key and its last reading, one count per CPU column. Tick thread only. */
    private static final class Line {
        final MetricKey key;
        long[] counts = new long[0];
        /** Number of columns of the last reading; -1 before the first. */
        int columns = -1;
        long timestamp;

        Line(MetricKey key) {
            this.key = key;
        }
    }

    private final Map<String, Line> lines = new HashMap<>();
    /** Only its {@link CounterRates#increase} (and wrap/reset counts) is used: the per-CPU state is in {@link Line}. */
    private final CounterRates counters = new CounterRates();
    private int[] starts = new int[64];
    private int[] ends = new int[64];
    /** This tick's per-CPU counts of the line being parsed. */
    private long[] current = new long[64];
    /**
     * Line state used for each line position (lines keep their order between ticks), valid while {@link #lines} is
     * unchanged: cleared whenever a line is added or replaced, so a hit is exactly what the map lookup would give.
     */
    private Line[] byLine = new Line[0];

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
            int i = 1;
            for (; i < n && i <= cpus; i++) {
                long v = Bytes.parseLong(b, starts[i], ends[i]);
                if (v < 0) {
                    break;
                }
                current[i - 1] = v;
            }
            if (i == 1) {
                problem(file, "no counts for irq " + Bytes.latin1(b, irqFrom, irqTo));
                continue;
            }
            good++;
            // the line at the same position last tick, if it is the same irq and device (the usual case)
            Line line = li < byLine.length ? byLine[li] : null;
            if (line == null || !Bytes.equalsLatin1(b, irqFrom, irqTo, line.key.label("irq"))
                    || !Bytes.joinedEquals(b, starts, ends, i, n, line.key.label("device"))) {
                String irq = Bytes.latin1(b, irqFrom, irqTo);
                line = lines.get(irq);
                if (line == null || !Bytes.joinedEquals(b, starts, ends, i, n, line.key.label("device"))) {
                    if (line == null && lines.size() >= 4096) {
                        continue;
                    }
                    // new irq, or line re-purposed (old counts mean nothing): a new series without a reading
                    String device = Bytes.joined(b, starts, ends, i, n);
                    line = new Line(MetricKey.of("host_irq_per_second", "irq", irq, "device", device));
                    lines.put(irq, line);
                    // the map changed: a remembered line may no longer be what the map gives for its irq
                    java.util.Arrays.fill(byLine, null);
                }
                if (li >= byLine.length) {
                    byLine = java.util.Arrays.copyOf(byLine, Math.max(li + 1, 2 * byLine.length));
                }
                byLine[li] = line;
            }
            sink.record(line.key, rate(line, current, i - 1, ts), ts);
        }
        if (good == 0) {
            problem(file, "no interrupt lines");
        }
    }

    /**
     * The rate of {@code line} from its last reading to {@code cur[0,columns)} read at {@code ts}: the sum of the
     * per-column 32-bit increases per second, or NaN (see the class comment). Updates the line's reading unless
     * {@code ts} is not after it. O(columns); allocates only when the number of columns changes.
     */
    private double rate(Line line, long[] cur, int columns, long ts) {
        if (line.columns != columns) { // first reading, or CPUs went online/offline: a new base
            if (line.counts.length != columns) {
                line.counts = new long[columns];
            }
            System.arraycopy(cur, 0, line.counts, 0, columns);
            line.columns = columns;
            line.timestamp = ts;
            return Double.NaN;
        }
        long dt = ts - line.timestamp;
        if (dt <= 0) {
            return Double.NaN;
        }
        long[] prev = line.counts;
        double sum = 0;
        boolean reset = false;
        for (int j = 0; j < columns; j++) {
            long inc = counters.increase(prev[j], cur[j], 32);
            if (inc < 0) {
                reset = true;
            } else {
                sum += Texts.unsignedToDouble(inc);
            }
            prev[j] = cur[j];
        }
        line.timestamp = ts;
        return reset ? Double.NaN : sum * 1000.0 / dt;
    }

    /** Per-CPU column wraps seen so far (a column's count passed 2^32 and started again near 0). */
    public long wraps() {
        return counters.wraps();
    }

    /** Per-CPU column resets seen so far (a column went back by more than a wrap explains). */
    public long resets() {
        return counters.resets();
    }

    /** Splits {@code b[from,to)} into {@link #starts}/{@link #ends}, growing them to hold every field. */
    private int fields(byte[] b, int from, int to) {
        int n = Bytes.fields(b, from, to, starts, ends);
        if (n > starts.length) {
            starts = new int[n];
            ends = new int[n];
            current = new long[n];
            Bytes.fields(b, from, to, starts, ends);
        }
        return n;
    }
}
