package dev.helix.nexus.bench.detect;

import dev.helix.nexus.detect.anomaly.IqrDetector;
import dev.helix.nexus.detect.anomaly.RobustZScoreDetector;
import dev.helix.nexus.detect.anomaly.RollingZScoreDetector;
import dev.helix.nexus.detect.internal.OrderStatisticWindow;
import dev.helix.nexus.detect.internal.SortedWindow;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-sample update cost of the univariate streaming detectors at their catalogue defaults: {@link
 * RollingZScoreDetector} (window 1024, k 3) and {@link IqrDetector} (window 512, Tukey 1.5), alone and together
 * (the "Z-score + IQR update" target: both detectors fed the same sample). One operation = one sample
 * (each invocation feeds {@value #N} samples, {@code @OperationsPerInvocation}), so ops/s = samples/s on one
 * thread. Input: seeded Gaussian noise with a 1 % chance of a 6σ spike, pre-generated; detectors are warm (full
 * windows) before measurement.
 *
 * <p>The {@link Windows} benchmarks ({@code @Param window} 64, 512, 4096, 32768) put the two exact order-statistic
 * windows side by side on the work each detector does per sample: {@code iqrStep*} = Q1, Q3, then add (the IQR
 * detector's path), {@code robustStep*} = median, exact MAD about it, then add (the robust z-score's path, MAD &gt;
 * 0 on this input); {@code *SortedArray} = {@link SortedWindow} (binary search + memmove, O(w)), {@code *Tree} =
 * {@link OrderStatisticWindow} (counted B+-tree, O(log w), MAD O(log² w)), which the detectors now use. {@code
 * zscorePlusIqrAtWindow} is the shipped Z (window 1024) + IQR (window = the parameter) pair. Their input is 2^17
 * pre-generated samples of the same distribution, read 8,192 per invocation from a rotating offset, so even the
 * largest window evicts a different value than it adds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class StreamingDetectorBenchmark {
    static final int N = 8192;

    private double[] xs;
    private RollingZScoreDetector z;
    private IqrDetector iqr;

    @Setup
    public void setup() {
        SplittableRandom rng = new SplittableRandom(42);
        xs = new double[N];
        for (int i = 0; i < N; i++) {
            double g = gaussian(rng);
            xs[i] = 50 + 5 * g + (rng.nextDouble() < 0.01 ? 30 : 0);
        }
        z = new RollingZScoreDetector();
        iqr = new IqrDetector();
        for (double x : xs) {
            z.update(x);
            iqr.update(x);
        }
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = Math.max(rng.nextDouble(), 1e-300);
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double zscore() {
        double acc = 0;
        for (double x : xs) {
            acc += z.update(x);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iqr() {
        double acc = 0;
        for (double x : xs) {
            acc += iqr.update(x);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double zscorePlusIqr() {
        double acc = 0;
        for (double x : xs) {
            acc += z.update(x) + iqr.update(x);
        }
        return acc;
    }

    /** Window-size-parametrised state: both window implementations and the detectors at {@link #window}. */
    @State(Scope.Thread)
    public static class Windows {
        static final int DATA = 1 << 17;

        @Param({"64", "512", "4096", "32768"})
        public int window;

        double[] data;
        int offset;
        SortedWindow array;
        OrderStatisticWindow tree;
        RollingZScoreDetector z;
        IqrDetector iqr;
        RobustZScoreDetector robust;

        @Setup
        public void setup() {
            SplittableRandom rng = new SplittableRandom(42);
            data = new double[DATA];
            for (int i = 0; i < DATA; i++) {
                data[i] = 50 + 5 * gaussian(rng) + (rng.nextDouble() < 0.01 ? 30 : 0);
            }
            array = new SortedWindow(window);
            tree = new OrderStatisticWindow(window);
            z = new RollingZScoreDetector();
            iqr = new IqrDetector(window, 1.5, 30);
            robust = new RobustZScoreDetector(window, 3.5, 30);
            int warm = (Math.max(window, 2048) + N - 1) / N * N; // full windows; blocks start at multiples of N
            for (int i = 0; i < warm; i++) {
                double x = data[i];
                array.add(x);
                tree.add(x);
                z.update(x);
                iqr.update(x);
                robust.update(x);
            }
            offset = warm % DATA;
        }

        /** The start of the next block of {@value StreamingDetectorBenchmark#N} samples. */
        int next() {
            int o = offset;
            offset = o + N >= DATA ? 0 : o + N;
            return o;
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iqrStepSortedArray(Windows w) {
        SortedWindow win = w.array;
        double[] d = w.data;
        double acc = 0;
        for (int i = w.next(), end = i + N; i < end; i++) {
            acc += win.quantile(0.75) - win.quantile(0.25);
            win.add(d[i]);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iqrStepTree(Windows w) {
        OrderStatisticWindow win = w.tree;
        double[] d = w.data;
        double acc = 0;
        for (int i = w.next(), end = i + N; i < end; i++) {
            acc += win.quantile(0.75) - win.quantile(0.25);
            win.add(d[i]);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double robustStepSortedArray(Windows w) {
        SortedWindow win = w.array;
        double[] d = w.data;
        double acc = 0;
        for (int i = w.next(), end = i + N; i < end; i++) {
            acc += win.mad(win.median());
            win.add(d[i]);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double robustStepTree(Windows w) {
        OrderStatisticWindow win = w.tree;
        double[] d = w.data;
        double acc = 0;
        for (int i = w.next(), end = i + N; i < end; i++) {
            acc += win.mad(win.median());
            win.add(d[i]);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double zscorePlusIqrAtWindow(Windows w) {
        double[] d = w.data;
        double acc = 0;
        for (int i = w.next(), end = i + N; i < end; i++) {
            acc += w.z.update(d[i]) + w.iqr.update(d[i]);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double robustZscoreAtWindow(Windows w) {
        double[] d = w.data;
        double acc = 0;
        for (int i = w.next(), end = i + N; i < end; i++) {
            acc += w.robust.update(d[i]);
        }
        return acc;
    }

    /**
     * Thread-CPU-time comparison of the two windows (time-slicing on a shared box does not inflate it): for each
     * window size, 12 alternating rounds of 200,000 samples per implementation, the first 3 discarded; prints the
     * median (min-max) ns per sample and the array/tree ratio. Usage: {@code java -cp benchmarks.jar
     * dev.helix.nexus.bench.detect.StreamingDetectorBenchmark iqr|robust 64,512,4096}.
     */
    public static void main(String[] args) {
        if (args.length != 2 || !(args[0].equals("iqr") || args[0].equals("robust"))) {
            System.err.println("usage: StreamingDetectorBenchmark iqr|robust WINDOW[,WINDOW...]");
            System.exit(2);
        }
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        boolean iqrWork = args[0].equals("iqr");
        double sink = 0;
        for (String ws : args[1].split(",")) {
            Windows st = new Windows();
            st.window = Integer.parseInt(ws.trim());
            st.setup();
            int rounds = 12;
            int skip = 3;
            int n = 200_000;
            double[] ta = new double[rounds - skip];
            double[] tt = new double[rounds - skip];
            for (int round = 0; round < rounds; round++) {
                int start = st.offset;
                long t0 = mx.getCurrentThreadCpuTime();
                sink += cpuRun(iqrWork, st.array, null, st.data, start, n);
                long t1 = mx.getCurrentThreadCpuTime();
                sink += cpuRun(iqrWork, null, st.tree, st.data, start, n);
                long t2 = mx.getCurrentThreadCpuTime();
                st.offset = (int) ((start + (long) n) % Windows.DATA);
                if (round >= skip) {
                    ta[round - skip] = (t1 - t0) / (double) n;
                    tt[round - skip] = (t2 - t1) / (double) n;
                }
            }
            java.util.Arrays.sort(ta);
            java.util.Arrays.sort(tt);
            int m = ta.length / 2;
            System.out.printf("%s w=%d: sorted array %.1f ns (%.1f-%.1f), tree %.1f ns (%.1f-%.1f), array/tree %.2f%n",
                    args[0], st.window, ta[m], ta[0], ta[ta.length - 1], tt[m], tt[0], tt[tt.length - 1],
                    ta[m] / tt[m]);
        }
        if (sink == 42.4242) {
            System.out.println(sink);
        }
    }

    /** n samples of the IQR (Q1, Q3, add) or robust (median, MAD, add) work on one of the two windows. */
    private static double cpuRun(boolean iqrWork, SortedWindow array, OrderStatisticWindow tree, double[] d,
                                 int start, int n) {
        double acc = 0;
        int i = start;
        for (int c = 0; c < n; c++) {
            double x = d[i];
            i = i + 1 == d.length ? 0 : i + 1;
            if (array != null) {
                acc += iqrWork ? array.quantile(0.75) - array.quantile(0.25) : array.mad(array.median());
                array.add(x);
            } else {
                acc += iqrWork ? tree.quantile(0.75) - tree.quantile(0.25) : tree.mad(tree.median());
                tree.add(x);
            }
        }
        return acc;
    }
}
