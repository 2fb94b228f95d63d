package dev.helix.nexus.bench.ml;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.layers.Lstm;
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
 * LSTM cost: one time step forward ({@code T = 1}) and a full BPTT training pass (forward +
 * backward over {@code T = 50}) for batch 32, input 64, hidden {@code h}. Single-threaded.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
public class LstmStepBenchmark {
    @Param({"128"})
    public int hidden;

    private Lstm lstm;
    private Tensor step;
    private Tensor seq;
    private Tensor grad;

    @Setup
    public void setup() {
        lstm = new Lstm(64, hidden, true, 1);
        step = Tensor.random(2, 32, 1, 64);
        seq = Tensor.random(3, 32, 50, 64);
        grad = Tensor.random(4, 32, 50, hidden);
    }

    @Benchmark
    public Tensor forwardOneStep() {
        return lstm.forward(step, false);
    }

    @Benchmark
    public Tensor trainT50() {
        lstm.forward(seq, true);
        return lstm.backward(grad);
    }
}
