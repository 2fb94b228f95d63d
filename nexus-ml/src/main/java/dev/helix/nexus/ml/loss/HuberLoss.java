package dev.helix.nexus.ml.loss;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;

/**
 * Huber loss (Huber 1964), mean over elements: {@code ½d²} for {@code |d| ≤ δ}, else
 * {@code δ(|d| - ½δ)} with {@code d = p - y}; gradient {@code clamp(d, -δ, δ)/n}. O(n). Stateless,
 * thread-safe.
 */
public final class HuberLoss implements Loss {
    private final double delta;

    /** Creates a Huber loss with threshold {@code delta > 0}. */
    public HuberLoss(double delta) {
        if (!(delta > 0)) {
            throw new IllegalArgumentException("Huber delta must be positive, got " + delta);
        }
        this.delta = delta;
    }

    @Override
    public LossResult compute(Tensor prediction, Tensor target) {
        Checks.same("HuberLoss", prediction, target);
        float[] p = prediction.data(), y = target.data();
        float[] g = new float[p.length];
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - y[i];
            double ad = Math.abs(d);
            s += ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
            g[i] = (float) (Math.max(-delta, Math.min(delta, d)) / p.length);
        }
        return new LossResult(s / p.length, Tensor.fromData(g, prediction.shape()));
    }
}
