package dev.helix.nexus.bench.detect;

import dev.helix.nexus.detect.anomaly.IsolationForestDetector;
import dev.helix.nexus.detect.internal.IsolationForest;
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
 * NEXUS Isolation Forest on SMD machine-1-6 (38 dims; synthetic 38-dim data if SMD is absent, see {@link SmdData}):
 * 100 trees, psi 256, height limit 8, seed 42, fitted on the first {@value #FIT_ROWS} training rows (the detector's
 * default memory).
 *
 * <ul>
 *   <li>{@code score}: one op = scoring one 38-dim test vector ({@value #BATCH} distinct test rows per invocation),
 *       {@link IsolationForest#score} directly;</li>
 *   <li>{@code detectorUpdate}: the same through a frozen {@link IsolationForestDetector#update(double[])} (adds the
 *       finite check and the copy into the feature buffer);</li>
 *   <li>{@code fit}: one op = growing all 100 trees on 256-row subsamples of the {@value #FIT_ROWS} rows; use
 *       {@code -bm avgt -tu ms} for time per fit.</li>
 * </ul>
 * Single thread. {@code NexusVsSmileAuc} (peers profile) prints the AUC.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class IsolationForestBenchmark {
    static final int FIT_ROWS = 2048;
    static final int BATCH = 4096;
    static final int TREES = 100;
    static final int PSI = 256;

    private int dims;
    private double[] fitData;
    private double[] testFlat;
    private double[][] testRows;
    private IsolationForest forest;
    private IsolationForest fitForest;
    private IsolationForestDetector detector;

    @Setup(Level.Trial)
    public void setup() {
        SmdData data = SmdData.load();
        dims = data.dims();
        fitData = SmdData.flatten(data.train, FIT_ROWS);
        int n = Math.min(BATCH, data.test.length);
        testRows = new double[BATCH][];
        for (int i = 0; i < BATCH; i++) {
            testRows[i] = data.test[i % n];
        }
        testFlat = SmdData.flatten(testRows, BATCH);
        forest = new IsolationForest(dims, TREES, PSI, FIT_ROWS, 42L);
        forest.fit(fitData, FIT_ROWS);
        fitForest = new IsolationForest(dims, TREES, PSI, FIT_ROWS, 42L);
        IsolationForestDetector.Config cfg = new IsolationForestDetector.Config(dims, 1, TREES, PSI, FIT_ROWS, PSI,
                0.6, true, 42L);
        detector = new IsolationForestDetector(cfg);
        double[][] fitRows = new double[FIT_ROWS][];
        System.arraycopy(data.train, 0, fitRows, 0, FIT_ROWS);
        detector.fit(fitRows);
        System.out.println("[iforest-bench] data: " + data.source + ", dims " + dims);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double score() {
        double acc = 0;
        for (int i = 0; i < BATCH; i++) {
            acc += forest.score(testFlat, i * dims);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double detectorUpdate() {
        double acc = 0;
        for (double[] r : testRows) {
            acc += detector.update(r);
        }
        return acc;
    }

    @Benchmark
    public IsolationForest fit() {
        fitForest.fit(fitData, FIT_ROWS);
        return fitForest;
    }
}
