package dev.helix.nexus.ml.optim;

import dev.helix.nexus.ml.layers.Parameter;
import java.util.List;

/**
 * Stochastic gradient descent with optional (heavy-ball) momentum, Nesterov momentum (Sutskever
 * et al. 2013 formulation as in PyTorch) and L2 weight decay:
 * {@code g = ∇ + λθ; v = μv + g; θ -= η (nesterov ? g + μv : v)} ({@code v} starts at 0).
 * O(#params) per step. Not thread-safe.
 */
public final class Sgd extends ParameterOptimizer {
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final float[][] velocity;

    /** Plain SGD. */
    public Sgd(List<Parameter> params, double lr) {
        this(params, lr, 0, false, 0);
    }

    /** SGD with momentum, optional Nesterov, and L2 weight decay. */
    public Sgd(List<Parameter> params, double lr, double momentum, boolean nesterov, double weightDecay) {
        super(params, checked(lr, momentum, nesterov, weightDecay));
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.velocity = perParameterState();
    }

    private static double checked(double lr, double momentum, boolean nesterov, double weightDecay) {
        if (lr <= 0 || momentum < 0 || momentum >= 1 || weightDecay < 0) {
            throw new IllegalArgumentException("invalid SGD config lr=" + lr + " momentum=" + momentum + " wd=" + weightDecay);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum requires momentum > 0");
        }
        return lr;
    }

    @Override
    public void step() {
        for (int pi = 0; pi < params.size(); pi++) {
            float[] w = params.get(pi).value().data(), g = params.get(pi).grad().data(), v = velocity[pi];
            for (int i = 0; i < w.length; i++) {
                double gi = g[i] + weightDecay * w[i];
                double upd = gi;
                if (momentum > 0) {
                    v[i] = (float) (momentum * v[i] + gi);
                    upd = nesterov ? gi + momentum * v[i] : v[i];
                }
                w[i] -= (float) (lr * upd);
            }
        }
    }
}
