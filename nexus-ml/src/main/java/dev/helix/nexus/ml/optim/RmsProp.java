package dev.helix.nexus.ml.optim;

import dev.helix.nexus.ml.layers.Parameter;
import java.util.List;

/**
 * RMSProp (Tieleman &amp; Hinton 2012, Lecture 6.5): {@code E = ρE + (1-ρ)g²;
 * θ -= η g / (sqrt(E) + ε)} with {@code E} starting at 0. O(#params) per step. Not thread-safe.
 */
public final class RmsProp implements Optimizer {
    private final List<Parameter> params;
    private final double rho;
    private final double eps;
    private final float[][] meanSq;
    private double lr;

    /** RMSProp with ρ = 0.99, ε = 1e-8. */
    public RmsProp(List<Parameter> params, double lr) {
        this(params, lr, 0.99, 1e-8);
    }

    /** RMSProp with explicit decay ρ and ε. */
    public RmsProp(List<Parameter> params, double lr, double rho, double eps) {
        if (lr <= 0 || rho < 0 || rho >= 1 || eps <= 0) {
            throw new IllegalArgumentException("invalid RMSProp config lr=" + lr + " rho=" + rho + " eps=" + eps);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.rho = rho;
        this.eps = eps;
        meanSq = new float[this.params.size()][];
        for (int i = 0; i < meanSq.length; i++) {
            meanSq[i] = new float[this.params.get(i).value().size()];
        }
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

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = lr;
    }
}
