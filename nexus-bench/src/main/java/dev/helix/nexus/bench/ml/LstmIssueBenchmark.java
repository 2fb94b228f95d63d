package dev.helix.nexus.bench.ml;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.layers.Dense;
import dev.helix.nexus.ml.layers.Lstm;
import dev.helix.nexus.ml.layers.Sequential;
import dev.helix.nexus.ml.loss.LossResult;
import dev.helix.nexus.ml.loss.MseLoss;
import dev.helix.nexus.ml.optim.Adam;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The issue's LSTM configuration: batch 32, sequence 64, input 16, hidden 64, followed by a
 * per-time-step {@code Dense(64, 1)} head (same model as DL4J's {@code LSTM + RnnOutputLayer(MSE,
 * identity)} in the {@code dl4j} profile), MSE loss, Adam (lr 1e-3). Single-threaded.
 *
 * <ul>
 *   <li>{@code trainStep}: zeroGrad, forward, loss, backward, Adam update.</li>
 *   <li>{@code inferForward}: {@code Lstm.forward(x, false)} of one window (allocating path).</li>
 *   <li>{@code inferSession}: {@link Lstm.InferenceSession#run(Tensor)} on the same window
 *       (preallocated, allocation-free after warm-up).</li>
 * </ul>
 * Run with {@code -prof gc} to get {@code gc.alloc.rate.norm} (bytes allocated per op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
public class LstmIssueBenchmark {
    static final int BATCH = 32;
    static final int STEPS = 64;
    static final int IN = 16;
    static final int HIDDEN = 64;

    private Lstm lstm;
    private Sequential model;
    private Adam adam;
    private final MseLoss mse = new MseLoss();
    private Tensor x;
    private Tensor y;
    private Lstm inferLstm;
    private Lstm.InferenceSession session;

    @Setup
    public void setup() {
        lstm = new Lstm(IN, HIDDEN, true, 1);
        model = new Sequential(lstm, new Dense(HIDDEN, 1, 2));
        adam = new Adam(model.parameters(), 1e-3);
        x = Tensor.random(3, BATCH, STEPS, IN);
        y = Tensor.random(4, BATCH, STEPS, 1);
        inferLstm = new Lstm(IN, HIDDEN, true, 1);
        session = inferLstm.newInferenceSession(BATCH, STEPS);
    }

    @Benchmark
    public double trainStep() {
        adam.zeroGrad();
        Tensor p = model.forward(x, true);
        LossResult r = mse.compute(p, y);
        model.backward(r.gradient());
        adam.step();
        return r.value();
    }

    @Benchmark
    public Tensor inferForward() {
        return inferLstm.forward(x, false);
    }

    @Benchmark
    public Tensor inferSession() {
        return session.run(x);
    }
}
