package dev.helix.nexus.bench.detect;

import dev.helix.nexus.detect.internal.ExtendedIsolationForest;
import dev.helix.nexus.detect.internal.IsolationForest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Extended Isolation Forest next to the standard one, in one run, on SMD machine-1-6 (38 dims; synthetic 38-dim data
 * if SMD is absent, see {@link SmdData}): 100 trees, psi 256, seed 42, fitted on the first {@value #FIT_ROWS}
 * training rows, as {@link IsolationForestBenchmark}.
 *
 * <ul>
 *   <li>{@code ifScore}, {@code eifScore} (fully extended, extension 37), {@code eifAxisScore} (extension 0): one op =
 *       scoring one test vector ({@value #BATCH} distinct test rows per invocation);</li>
 *   <li>{@code ifFit}, {@code eifFit}, {@code eifAxisFit}: one op = growing all 100 trees on 256-row subsamples of the
 *       {@value #FIT_ROWS} rows (ops/s; 1000 / that = ms per fit).</li>
 * </ul>
 * Single thread. {@link #main} measures the same six workloads in thread CPU time (which time-slicing on a shared box
 * does not inflate), four rounds in one JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class ExtendedIsolationForestBenchmark {
    static final int FIT_ROWS = 2048;
    static final int BATCH = 4096;
    static final int TREES = 100;
    static final int PSI = 256;

    private int dims;
    private double[] fitData;
    private double[] testFlat;
    private IsolationForest standard;
    private ExtendedIsolationForest full;
    private ExtendedIsolationForest axis;
    private IsolationForest standardFit;
    private ExtendedIsolationForest fullFit;
    private ExtendedIsolationForest axisFit;

    @Setup(Level.Trial)
    public void setup() {
        SmdData data = SmdData.load();
        dims = data.dims();
        fitData = SmdData.flatten(data.train, FIT_ROWS);
        int n = Math.min(BATCH, data.test.length);
        double[][] testRows = new double[BATCH][];
        for (int i = 0; i < BATCH; i++) {
            testRows[i] = data.test[i % n];
        }
        testFlat = SmdData.flatten(testRows, BATCH);
        standard = new IsolationForest(dims, TREES, PSI, FIT_ROWS, 42L);
        standard.fit(fitData, FIT_ROWS);
        full = new ExtendedIsolationForest(dims, dims - 1, TREES, PSI, FIT_ROWS, 42L);
        full.fit(fitData, FIT_ROWS);
        axis = new ExtendedIsolationForest(dims, 0, TREES, PSI, FIT_ROWS, 42L);
        axis.fit(fitData, FIT_ROWS);
        standardFit = new IsolationForest(dims, TREES, PSI, FIT_ROWS, 42L);
        fullFit = new ExtendedIsolationForest(dims, dims - 1, TREES, PSI, FIT_ROWS, 42L);
        axisFit = new ExtendedIsolationForest(dims, 0, TREES, PSI, FIT_ROWS, 42L);
        System.out.println("[eiforest-bench] data: " + data.source + ", dims " + dims);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double ifScore() {
        double acc = 0;
        for (int i = 0; i < BATCH; i++) {
            acc += standard.score(testFlat, i * dims);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double eifScore() {
        double acc = 0;
        for (int i = 0; i < BATCH; i++) {
            acc += full.score(testFlat, i * dims);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double eifAxisScore() {
        double acc = 0;
        for (int i = 0; i < BATCH; i++) {
            acc += axis.score(testFlat, i * dims);
        }
        return acc;
    }

    @Benchmark
    public IsolationForest ifFit() {
        standardFit.fit(fitData, FIT_ROWS);
        return standardFit;
    }

    @Benchmark
    public ExtendedIsolationForest eifFit() {
        fullFit.fit(fitData, FIT_ROWS);
        return fullFit;
    }

    @Benchmark
    public ExtendedIsolationForest eifAxisFit() {
        axisFit.fit(fitData, FIT_ROWS);
        return axisFit;
    }

    /**
     * Thread CPU time of the six workloads on the benchmark's data, four rounds (the first includes JIT warm-up):
     * {@code java -cp benchmarks.jar dev.helix.nexus.bench.detect.ExtendedIsolationForestBenchmark}.
     */
    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ExtendedIsolationForestBenchmark b = new ExtendedIsolationForestBenchmark();
        b.setup();
        double sink = 0;
        for (int round = 0; round < 4; round++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int r = 0; r < 100; r++) {
                sink += b.ifScore();
            }
            long c1 = mx.getCurrentThreadCpuTime();
            for (int r = 0; r < 10; r++) {
                sink += b.eifScore();
            }
            long c2 = mx.getCurrentThreadCpuTime();
            for (int r = 0; r < 30; r++) {
                sink += b.eifAxisScore();
            }
            long c3 = mx.getCurrentThreadCpuTime();
            for (int r = 0; r < 100; r++) {
                b.ifFit();
            }
            long c4 = mx.getCurrentThreadCpuTime();
            for (int r = 0; r < 20; r++) {
                b.eifFit();
            }
            long c5 = mx.getCurrentThreadCpuTime();
            for (int r = 0; r < 100; r++) {
                b.eifAxisFit();
            }
            long c6 = mx.getCurrentThreadCpuTime();
            System.out.printf(Locale.ROOT, "round %d, thread CPU ns per vector: iforest %.0f, eiforest %.0f, "
                            + "extension 0 %.0f | ms per fit: iforest %.2f, eiforest %.2f, extension 0 %.2f%n", round,
                    (c1 - c0) / (100.0 * BATCH), (c2 - c1) / (10.0 * BATCH), (c3 - c2) / (30.0 * BATCH),
                    (c4 - c3) / 100 / 1e6, (c5 - c4) / 20 / 1e6, (c6 - c5) / 100 / 1e6);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
