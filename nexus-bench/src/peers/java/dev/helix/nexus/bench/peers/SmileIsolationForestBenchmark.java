package dev.helix.nexus.bench.peers;

import dev.helix.nexus.bench.detect.SmdData;
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
import smile.anomaly.IsolationForest;

/**
 * Peer (GPL-3.0, peers profile only): Smile 4.4.2 {@code smile.anomaly.IsolationForest} on exactly the data and
 * shape of {@code dev.helix.nexus.bench.detect.IsolationForestBenchmark}: 100 trees, max depth 8, subsample
 * 256/2048 of the first 2048 SMD machine-1-6 training rows, extension level 0 (the original axis-parallel
 * algorithm), scoring the same 4096 test rows. Note: Smile grows its trees in a parallel stream on the common
 * ForkJoin pool (both cores here) while NEXUS fits on one thread; for a one-core figure run JMH with
 * {@code -jvmArgsAppend -Djava.util.concurrent.ForkJoinPool.common.parallelism=1} (docs/benchmarks/detect.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class SmileIsolationForestBenchmark {
    static final int FIT_ROWS = 2048;
    static final int BATCH = 4096;

    private double[][] fitRows;
    private double[][] testRows;
    private IsolationForest forest;
    private IsolationForest.Options options;

    @Setup(Level.Trial)
    public void setup() {
        SmdData data = SmdData.load();
        fitRows = new double[FIT_ROWS][];
        System.arraycopy(data.train, 0, fitRows, 0, FIT_ROWS);
        int n = Math.min(BATCH, data.test.length);
        testRows = new double[BATCH][];
        for (int i = 0; i < BATCH; i++) {
            testRows[i] = data.test[i % n];
        }
        options = new IsolationForest.Options(100, 8, 256.0 / FIT_ROWS, 0);
        forest = IsolationForest.fit(fitRows, options);
        System.out.println("[smile-bench] data: " + data.source + ", dims " + data.dims());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double score() {
        double acc = 0;
        for (double[] r : testRows) {
            acc += forest.score(r);
        }
        return acc;
    }

    @Benchmark
    public IsolationForest fit() {
        return IsolationForest.fit(fitRows, options);
    }
}
