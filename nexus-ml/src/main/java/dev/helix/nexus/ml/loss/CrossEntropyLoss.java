package dev.helix.nexus.ml.loss;

import dev.helix.nexus.ml.ShapeMismatchException;
import dev.helix.nexus.ml.Tensor;

/**
 * Softmax cross-entropy on logits {@code [N, C]} with integer class targets {@code [N]} (stored as
 * floats): {@code L = -(1/N) Σ_n log softmax(z_n)[y_n]}, gradient {@code (softmax(z) - onehot(y))/N}.
 * Uses log-sum-exp for stability. O(N*C). Stateless, thread-safe.
 */
public final class CrossEntropyLoss implements Loss {
    @Override
    public LossResult compute(Tensor logits, Tensor target) {
        if (logits.rank() != 2 || target.rank() != 1 || target.dim(0) != logits.dim(0)) {
            throw new ShapeMismatchException("CrossEntropyLoss", logits.shape(), target.shape(),
                    "expected logits [N, C] and class indices [N]");
        }
        int n = logits.dim(0), c = logits.dim(1);
        Tensor ls = logits.logSoftmax(1);
        float[] l = ls.data(), y = target.data();
        float[] g = new float[l.length];
        double s = 0;
        for (int i = 0; i < n; i++) {
            int cls = (int) y[i];
            if (cls != y[i] || cls < 0 || cls >= c) {
                throw new IllegalArgumentException("target " + y[i] + " at row " + i + " is not a class index in [0, " + c + ")");
            }
            s -= l[i * c + cls];
            for (int j = 0; j < c; j++) {
                g[i * c + j] = (float) ((Math.exp(l[i * c + j]) - (j == cls ? 1 : 0)) / n);
            }
        }
        return new LossResult(s / n, Tensor.fromData(g, logits.shape()));
    }
}
