package dev.helix.nexus.bench.ml;

import dev.helix.nexus.ml.ComputeBackend;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-threaded square SGEMM {@code C = A*B} ({@code n x n}, row-major float32) through
 * {@link ComputeBackend#gemm}. Reports average time per multiplication; GFLOP/s =
 * {@code 2 n^3 / time}. Output buffer is preallocated so only the kernel (including its B-panel
 * packing) is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
public class MatMulBenchmark {
    @Param({"256", "512"})
    public int n;

    @Param({"VECTOR", "SCALAR"})
    public ComputeBackend backend;

    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setup() {
        SplittableRandom rng = new SplittableRandom(42);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextDouble(-1, 1);
            b[i] = (float) rng.nextDouble(-1, 1);
        }
    }

    @Benchmark
    public float[] gemm() {
        backend.gemm(a, 0, b, 0, c, 0, n, n, n, false);
        return c;
    }
}
