package dev.helix.nexus.bench.detect;

import dev.helix.nexus.detect.anomaly.IqrDetector;
import dev.helix.nexus.detect.anomaly.RollingZScoreDetector;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Per-sample update cost of the univariate streaming detectors at their catalogue defaults: {@link
 * RollingZScoreDetector} (window 1024, k 3) and {@link IqrDetector} (window 512, Tukey 1.5), alone and together
 * (the "Z-score + IQR update" target: both detectors fed the same sample). One operation = one sample
 * (each invocation feeds {@value #N} samples, {@code @OperationsPerInvocation}), so ops/s = samples/s on one
 * thread. Input: seeded Gaussian noise with a 1 % chance of a 6σ spike, pre-generated; detectors are warm (full
 * windows) before measurement.
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
}
