package dev.helix.nexus.ml.optim;

import dev.helix.nexus.ml.layers.Parameter;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba 2015, Algorithm 1) with bias correction, and AdamW (Loshchilov &amp;
 * Hutter 2019) decoupled weight decay:
 * {@code m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²; m̂ = m/(1-β1^t); v̂ = v/(1-β2^t);
 * θ -= η m̂/(sqrt(v̂)+ε)}. With {@code decoupled=false} weight decay is L2 ({@code g += λθ});
 * with {@code decoupled=true} it is applied as {@code θ -= ηλθ} before the Adam step. O(#params)
 * per step. Not thread-safe.
 */
public final class Adam extends ParameterOptimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final float[][] m;
    private final float[][] v;
    private int t;

    /** Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8, no weight decay. */
    public Adam(List<Parameter> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** Fully configured Adam / AdamW. */
    public Adam(List<Parameter> params, double lr, double beta1, double beta2, double eps,
                double weightDecay, boolean decoupled) {
        super(params, checked(lr, beta1, beta2, eps, weightDecay));
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        m = perParameterState();
        v = perParameterState();
    }

    private static double checked(double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (lr <= 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0 || weightDecay < 0) {
            throw new IllegalArgumentException("invalid Adam config lr=" + lr + " b1=" + beta1 + " b2=" + beta2
                    + " eps=" + eps + " wd=" + weightDecay);
        }
        return lr;
    }

    /** AdamW with default betas and ε. */
    public static Adam adamW(List<Parameter> params, double lr, double weightDecay) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    /** Number of steps taken. */
    public int stepCount() {
        return t;
    }

    @Override
    public void step() {
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (int pi = 0; pi < params.size(); pi++) {
            float[] w = params.get(pi).value().data(), g = params.get(pi).grad().data();
            float[] mi = m[pi], vi = v[pi];
            for (int i = 0; i < w.length; i++) {
                double gi = g[i];
                double wi = w[i];
                if (weightDecay > 0) {
                    if (decoupled) {
                        wi -= lr * weightDecay * wi;
                    } else {
                        gi += weightDecay * wi;
                    }
                }
                mi[i] = (float) (beta1 * mi[i] + (1 - beta1) * gi);
                vi[i] = (float) (beta2 * vi[i] + (1 - beta2) * gi * gi);
                double mh = mi[i] / bc1, vh = vi[i] / bc2;
                w[i] = (float) (wi - lr * mh / (Math.sqrt(vh) + eps));
            }
        }
    }
}
