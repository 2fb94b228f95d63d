package dev.helix.nexus.ml.optim;

import dev.helix.nexus.ml.layers.Parameter;
import java.util.List;

/**
 * RMSProp (Tieleman &amp; Hinton 2012, Lecture 6.5): {@code E = ρE + (1-ρ)g²;
 * θ -= η g / (sqrt(E) + ε)} with {@code E} starting at 0. O(#params) per step. Not thread-safe.
 */
public final class RmsProp extends ParameterOptimizer {
    private final double rho;
    private final double eps;
    private final float[][] meanSq;

    /** RMSProp with ρ = 0.99, ε = 1e-8. */
    public RmsProp(List<Parameter> params, double lr) {
        this(params, lr, 0.99, 1e-8);
    }

    /** RMSProp with explicit decay ρ and ε. */
    public RmsProp(List<Parameter> params, double lr, double rho, double eps) {
        super(params, checked(lr, rho, eps));
        this.rho = rho;
        this.eps = eps;
        meanSq = perParameterState();
    }

    private static double checked(double lr, double rho, double eps) {
        if (lr <= 0 || rho < 0 || rho >= 1 || eps <= 0) {
            throw new IllegalArgumentException("invalid RMSProp config lr=" + lr + " rho=" + rho + " eps=" + eps);
        }
        return lr;
    }

    @Override
    public void step() {
        for (int pi = 0; pi < params.size(); pi++) {
            float[] w = params.get(pi).value().data(), g = params.get(pi).grad().data(), e = meanSq[pi];
            for (int i = 0; i < w.length; i++) {
                e[i] = (float) (rho * e[i] + (1 - rho) * g[i] * g[i]);
                w[i] -= (float) (lr * g[i] / (Math.sqrt(e[i]) + eps));
            }
        }
    }
}
