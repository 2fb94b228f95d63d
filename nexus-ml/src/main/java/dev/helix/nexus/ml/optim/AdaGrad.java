package dev.helix.nexus.ml.optim;

import dev.helix.nexus.ml.layers.Parameter;
import java.util.List;

/**
 * AdaGrad (Duchi, Hazan &amp; Singer 2011): {@code G += g²; θ -= η g / (sqrt(G) + ε)}.
 * O(#params) per step. Not thread-safe.
 */
public final class AdaGrad extends ParameterOptimizer {
    private final double eps;
    private final float[][] sumSq;

    /** AdaGrad with ε = 1e-10. */
    public AdaGrad(List<Parameter> params, double lr) {
        this(params, lr, 1e-10);
    }

    /** AdaGrad with explicit ε. */
    public AdaGrad(List<Parameter> params, double lr, double eps) {
        super(params, checked(lr, eps));
        this.eps = eps;
        sumSq = perParameterState();
    }

    private static double checked(double lr, double eps) {
        if (lr <= 0 || eps <= 0) {
            throw new IllegalArgumentException("invalid AdaGrad config lr=" + lr + " eps=" + eps);
        }
        return lr;
    }

    @Override
    public void step() {
        for (int pi = 0; pi < params.size(); pi++) {
            float[] w = params.get(pi).value().data(), g = params.get(pi).grad().data(), s = sumSq[pi];
            for (int i = 0; i < w.length; i++) {
                s[i] += g[i] * g[i];
                w[i] -= (float) (lr * g[i] / (Math.sqrt(s[i]) + eps));
            }
        }
    }
}
