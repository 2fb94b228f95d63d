package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.ml.layers.Activation;
import dev.helix.nexus.ml.layers.Dense;
import dev.helix.nexus.ml.layers.Lstm;
import dev.helix.nexus.ml.layers.Sequential;
import dev.helix.nexus.ml.loss.LossResult;
import dev.helix.nexus.ml.loss.MseLoss;
import dev.helix.nexus.ml.optim.Adam;
import dev.helix.nexus.ml.optim.GradientClipping;
import dev.helix.nexus.ml.optim.Sgd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** End-to-end learning: all seeded, so results are reproducible. */
class LearningTest {
    private final MseLoss mse = new MseLoss();

    private double trainStep(Sequential net, dev.helix.nexus.ml.optim.Optimizer opt, Tensor x, Tensor y, double clip) {
        net.zeroGrad();
        LossResult r = mse.compute(net.forward(x), y);
        net.backward(r.gradient());
        if (clip > 0) {
            GradientClipping.clipByGlobalNorm(net.parameters(), clip);
        }
        opt.step();
        return r.value();
    }

    @Test
    void denseNetworkLearnsXor() {
        Tensor x = Tensor.of(new double[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new double[] {0, 1, 1, 0}, 4, 1);
        Sequential net = new Sequential(new Dense(2, 8, 1), new Activation(Activation.Kind.TANH), new Dense(8, 1, 2));
        Sgd opt = new Sgd(net.parameters(), 0.2, 0.9, false, 0);
        double first = mse.compute(net.forward(x), y).value();
        double loss = first;
        for (int i = 0; i < 1500; i++) {
            loss = trainStep(net, opt, x, y, 0);
        }
        assertThat(first).isGreaterThan(0.1);
        assertThat(loss).isLessThan(1e-3);
        Tensor out = net.eval().forward(x);
        assertThat(out.data()[0]).isLessThan(0.1f);
        assertThat(out.data()[1]).isGreaterThan(0.9f);
        assertThat(out.data()[2]).isGreaterThan(0.9f);
        assertThat(out.data()[3]).isLessThan(0.1f);
    }

    @Test
    void lstmLearnsNoisySineNextStep() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 64, steps = 20;
        float[] xs = new float[n * steps];
        float[] ys = new float[n];
        for (int i = 0; i < n; i++) {
            double phase = rng.nextDouble() * 2 * Math.PI;
            for (int t = 0; t <= steps; t++) {
                double v = Math.sin(phase + 0.3 * t) + 0.05 * (rng.nextDouble() * 2 - 1);
                if (t < steps) {
                    xs[i * steps + t] = (float) v;
                } else {
                    ys[i] = (float) Math.sin(phase + 0.3 * t); // clean target
                }
            }
        }
        Tensor x = Tensor.fromData(xs, n, steps, 1);
        Tensor y = Tensor.fromData(ys, n, 1);
        Sequential net = new Sequential(new Lstm(1, 12, false, 3), new Dense(12, 1, 4));
        Adam opt = new Adam(net.parameters(), 0.02);
        double loss = Double.NaN;
        for (int i = 0; i < 250; i++) {
            loss = trainStep(net, opt, x, y, 5);
        }
        // variance of the target is ~0.5; a good next-step predictor is far below that
        assertThat(loss).isLessThan(0.01);
    }

    /**
     * Adding problem (Hochreiter &amp; Schmidhuber 1997, experiment 4 as popularised by Le et al. 2015):
     * input (value ~ U[0,1], marker) pairs; target is the sum of the two marked values.
     */
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

    @Test
    void lstmSolvesAddingProblemAtT50() {
        int steps = 50;
        System.out.println("adding problem, matmul backend " + ComputeBackend.getDefault());
        SplittableRandom rng = new SplittableRandom(2024);
        Tensor[] test = addingProblem(new SplittableRandom(99), 500, steps);
        Sequential net = new Sequential(new Lstm(2, 16, false, 5), new Dense(16, 1, 6));
        Adam opt = new Adam(net.parameters(), 0.01);
        double constant = mse.compute(Tensor.full(test[1].mean(), 500, 1), test[1]).value();
        assertThat(constant).isBetween(0.12, 0.22); // ≈ 1/6 for a constant predictor
        double testMse = Double.NaN;
        int iter = 0;
        for (; iter < 3000; iter++) {
            Tensor[] batch = addingProblem(rng, 32, steps);
            trainStep(net, opt, batch[0], batch[1], 1.0);
            if (iter % 100 == 99) {
                testMse = mse.compute(net.eval().forward(test[0]), test[1]).value();
                net.train();
                System.out.printf("adding T=%d iter %d test MSE %.5f%n", steps, iter + 1, testMse);
                if (testMse < 0.01) {
                    break;
                }
            }
        }
        assertThat(testMse).as("test MSE after %d iterations", iter + 1).isLessThan(0.01);
    }

    /**
     * Whole-stack integration: Conv1d → BatchNorm → ReLU → Dropout → Flatten → Dense trained with
     * softmax cross-entropy, AdamW and a cosine schedule to tell apart sequences that contain an
     * up-step from those that contain a down-step at a random position (plus noise).
     */
    @Test
    void convNetClassifiesStepDirection() {
        int len = 16;
        SplittableRandom rng = new SplittableRandom(5);
        java.util.function.IntFunction<Tensor[]> data = n -> {
            float[] x = new float[n * len];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                int cls = rng.nextInt(2);
                int at = 3 + rng.nextInt(len - 6);
                for (int t = 0; t < len; t++) {
                    float level = t < at ? 0f : (cls == 1 ? 1f : -1f);
                    x[i * len + t] = level + (float) (0.3 * (rng.nextDouble() * 2 - 1));
                }
                y[i] = cls;
            }
            return new Tensor[] {Tensor.fromData(x, n, 1, len), Tensor.fromData(y, n)};
        };
        Sequential net = new Sequential(new dev.helix.nexus.ml.layers.Conv1d(1, 4, 3, 1, 1, 1, 1),
                new dev.helix.nexus.ml.layers.BatchNorm(4), new Activation(Activation.Kind.RELU),
                new dev.helix.nexus.ml.layers.Dropout(0.1f, 2), new dev.helix.nexus.ml.layers.Flatten(),
                new Dense(4 * len, 2, 3));
        var ce = new dev.helix.nexus.ml.loss.CrossEntropyLoss();
        Adam opt = Adam.adamW(net.parameters(), 0.01, 1e-3);
        var schedule = new dev.helix.nexus.ml.optim.CosineAnnealing(0.01, 0.001, 200);
        for (int it = 0; it < 200; it++) {
            Tensor[] b = data.apply(32);
            schedule.apply(opt, it);
            net.train().zeroGrad();
            LossResult r = ce.compute(net.forward(b[0]), b[1]);
            net.backward(r.gradient());
            opt.step();
        }
        Tensor[] test = data.apply(400);
        Tensor pred = net.eval().forward(test[0]).argmax(1);
        int correct = 0;
        for (int i = 0; i < 400; i++) {
            if (pred.data()[i] == test[1].data()[i]) {
                correct++;
            }
        }
        assertThat(correct / 400.0).isGreaterThan(0.95);
    }
}
