package dev.helix.nexus.bench.ml;

import dev.helix.nexus.ml.ComputeBackend;
import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.layers.Dense;
import dev.helix.nexus.ml.layers.Lstm;
import dev.helix.nexus.ml.layers.Sequential;
import dev.helix.nexus.ml.loss.LossResult;
import dev.helix.nexus.ml.loss.MseLoss;
import dev.helix.nexus.ml.optim.Adam;
import dev.helix.nexus.ml.optim.GradientClipping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Adding problem (Hochreiter &amp; Schmidhuber 1997; Le et al. 2015) at several sequence lengths:
 * trains until the test MSE drops below a threshold (or a step cap) and reports the number of
 * training steps (minibatches) needed. Not a JMH benchmark: a seeded, runnable {@code main}.
 *
 * <p>Same model family, data generator, seeds and hyper-parameters as
 * {@code LearningTest.lstmSolvesAddingProblemAtT50} in {@code nexus-ml}: {@code Lstm(2, 16,
 * returnSequences=false, seed 5)} → {@code Dense(16, 1, seed 6)}, MSE, {@code Adam(lr 0.01)},
 * global-norm clipping at 1.0, batch 32 (training stream seeded 2024), a fixed test set of 500
 * sequences (seeded 99), test MSE evaluated every {@code every} steps (the test uses 100). A
 * constant predictor scores ≈ 1/6 ≈ 0.167.
 *
 * <p>Usage: {@code java -cp benchmarks.jar --add-modules jdk.incubator.vector
 * dev.helix.nexus.bench.ml.AddingProblemRun [T,T,...] [stepCap] [every] [threshold]}; defaults
 * {@code 100,50 30000 100 0.01}.
 */
public final class AddingProblemRun {
    private static final MseLoss MSE = new MseLoss();

    private AddingProblemRun() {
    }

    /** Same generator as {@code LearningTest.addingProblem}: (value ~ U[0,1], marker) pairs. */
    static Tensor[] addingProblem(SplittableRandom rng, int n, int steps) {
        float[] x = new float[n * steps * 2];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int a = rng.nextInt(steps / 2);
            int b = steps / 2 + rng.nextInt(steps / 2);
            for (int t = 0; t < steps; t++) {
                x[(i * steps + t) * 2] = (float) rng.nextDouble();
            }
            x[(i * steps + a) * 2 + 1] = 1;
            x[(i * steps + b) * 2 + 1] = 1;
            y[i] = x[(i * steps + a) * 2] + x[(i * steps + b) * 2];
        }
        return new Tensor[] {Tensor.fromData(x, n, steps, 2), Tensor.fromData(y, n, 1)};
    }

    /** Outcome of one run. */
    record Result(int seqLen, int steps, boolean solved, double testMse, double seconds) {
    }

    static Result run(int seqLen, int cap, int every, double threshold) {
        SplittableRandom rng = new SplittableRandom(2024);
        Tensor[] test = addingProblem(new SplittableRandom(99), 500, seqLen);
        Sequential net = new Sequential(new Lstm(2, 16, false, 5), new Dense(16, 1, 6));
        Adam opt = new Adam(net.parameters(), 0.01);
        double constant = MSE.compute(Tensor.full(test[1].mean(), 500, 1), test[1]).value();
        System.out.printf(Locale.ROOT, "T=%d: constant-predictor test MSE %.5f, cap %d steps, eval every %d%n",
                seqLen, constant, cap, every);
        long t0 = System.nanoTime();
        double testMse = Double.NaN;
        double lossSum = 0;
        int step = 0;
        while (step < cap) {
            Tensor[] batch = addingProblem(rng, 32, seqLen);
            net.zeroGrad();
            LossResult r = MSE.compute(net.forward(batch[0]), batch[1]);
            net.backward(r.gradient());
            GradientClipping.clipByGlobalNorm(net.parameters(), 1.0);
            opt.step();
            lossSum += r.value();
            step++;
            if (step % every == 0) {
                testMse = MSE.compute(net.eval().forward(test[0]), test[1]).value();
                net.train();
                System.out.printf(Locale.ROOT, "T=%d step %6d  train loss (mean of last %d) %.5f  test MSE %.5f  %.1f s%n",
                        seqLen, step, every, lossSum / every, testMse, (System.nanoTime() - t0) / 1e9);
                lossSum = 0;
                if (testMse < threshold) {
                    break;
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        boolean solved = testMse < threshold;
        System.out.printf(Locale.ROOT, "T=%d %s after %d steps (test MSE %.5f, %.1f s)%n", seqLen,
                solved ? "SOLVED" : "NOT solved (cap reached)", step, testMse, secs);
        return new Result(seqLen, step, solved, testMse, secs);
    }

    public static void main(String[] args) {
        String lens = args.length > 0 ? args[0] : "100,50";
        int cap = args.length > 1 ? Integer.parseInt(args[1]) : 30_000;
        int every = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        double threshold = args.length > 3 ? Double.parseDouble(args[3]) : 0.01;
        System.out.println("adding problem, matmul backend " + ComputeBackend.getDefault()
                + ", JDK " + System.getProperty("java.version"));
        List<Result> results = new ArrayList<>();
        for (String s : lens.split(",")) {
            results.add(run(Integer.parseInt(s.trim()), cap, every, threshold));
        }
        System.out.printf(Locale.ROOT, "%n%-6s %-10s %-8s %-10s %-8s%n", "T", "steps", "solved", "test MSE", "seconds");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-6d %-10d %-8s %-10.5f %-8.1f%n", r.seqLen(), r.steps(), r.solved(),
                    r.testMse(), r.seconds());
        }
    }
}
