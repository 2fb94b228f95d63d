package dev.helix.nexus.ml.loss;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;

/**
 * Mean squared error {@code L = (1/n) Σ (p - y)²}, gradient {@code 2(p - y)/n}. O(n). Stateless,
 * thread-safe.
 */
public final class MseLoss implements Loss {
    @Override
    public LossResult compute(Tensor prediction, Tensor target) {
        Checks.same("MseLoss", prediction, target);
        float[] p = prediction.data(), y = target.data();
        float[] g = new float[p.length];
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - y[i];
            s += d * d;
            g[i] = (float) (2 * d / p.length);
        }
        return new LossResult(s / p.length, Tensor.fromData(g, prediction.shape()));
    }
}
