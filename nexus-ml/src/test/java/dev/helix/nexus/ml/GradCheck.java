package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.ml.layers.Layer;
import dev.helix.nexus.ml.layers.Parameter;
import dev.helix.nexus.ml.loss.Loss;

/**
 * Central finite-difference gradient checker. The scalar objective is {@code Σ out ⊙ R} for a
 * fixed random {@code R}, accumulated in double; each checked coordinate must satisfy
 * {@code |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)}.
 */
final class GradCheck {
    static final double EPS = 1e-2;
    static final double ATOL = 2e-3;
    static final double RTOL = 2e-2;

    private GradCheck() {
    }

    private static double objective(Layer layer, Tensor input, Tensor r, boolean training) {
        Tensor out = layer.forward(input, training);
        double s = 0;
        float[] o = out.data(), rd = r.data();
        for (int i = 0; i < o.length; i++) {
            s += (double) o[i] * rd[i];
        }
        return s;
    }

    /** Checks input and all parameter gradients of {@code layer}; returns number of coordinates checked. */
    static int check(Layer layer, Tensor input, boolean training, long seed) {
        Tensor out = layer.forward(input, training);
        Tensor r = Tensor.random(seed, out.shape());
        for (Parameter p : layer.parameters()) {
            p.zeroGrad();
        }
        layer.forward(input, training);
        Tensor dx = layer.backward(r);
        assertThat(dx.shape()).isEqualTo(input.shape());
        int checked = 0;
        checked += compare("input", input.data(), dx.data(), () -> objective(layer, input, r, training));
        for (Parameter p : layer.parameters()) {
            checked += compare(p.name(), p.value().data(), p.grad().data().clone(),
                    () -> objective(layer, input, r, training));
        }
        return checked;
    }

    /** Checks a loss gradient with respect to the prediction. */
    static void checkLoss(Loss loss, Tensor pred, Tensor target) {
        Tensor g = loss.compute(pred, target).gradient();
        compare("prediction", pred.data(), g.data(), () -> loss.compute(pred, target).value());
    }

    private static int compare(String what, float[] x, float[] analytic, java.util.function.DoubleSupplier f) {
        int stride = Math.max(1, x.length / 60);
        int n = 0;
        for (int i = 0; i < x.length; i += stride) {
            float orig = x[i];
            x[i] = (float) (orig + EPS);
            double up = f.getAsDouble();
            x[i] = (float) (orig - EPS);
            double down = f.getAsDouble();
            x[i] = orig;
            double num = (up - down) / (2 * EPS);
            double a = analytic[i];
            double tol = ATOL + RTOL * Math.max(Math.abs(a), Math.abs(num));
            assertThat(Math.abs(a - num))
                    .as("%s[%d]: analytic %.6f vs numeric %.6f", what, i, a, num)
                    .isLessThanOrEqualTo(tol);
            n++;
        }
        return n;
    }
}
