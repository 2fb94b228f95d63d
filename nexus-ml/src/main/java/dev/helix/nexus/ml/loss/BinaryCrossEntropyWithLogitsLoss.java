package dev.helix.nexus.ml.loss;

import dev.helix.nexus.ml.Activations;
import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;

/**
 * Binary cross-entropy on logits, mean over elements, in the stable form
 * {@code max(x,0) - x y + log(1 + e^{-|x|})}; gradient {@code (σ(x) - y)/n}. Targets in [0, 1].
 * O(n). Stateless, thread-safe.
 */
public final class BinaryCrossEntropyWithLogitsLoss implements Loss {
    @Override
    public LossResult compute(Tensor logits, Tensor target) {
        Checks.same("BinaryCrossEntropyWithLogitsLoss", logits, target);
        float[] x = logits.data(), y = target.data();
        float[] g = new float[x.length];
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.max(x[i], 0) - x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
            g[i] = (float) ((Activations.sigmoid(x[i]) - y[i]) / x.length);
        }
        return new LossResult(s / x.length, Tensor.fromData(g, logits.shape()));
    }
}
