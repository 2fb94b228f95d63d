package dev.helix.nexus.ml.optim;

import dev.helix.nexus.ml.layers.Parameter;
import java.util.List;

/**
 * Gradient clipping by global L2 norm (Pascanu, Mikolov &amp; Bengio 2013): if
 * {@code ||g|| = sqrt(Σ_p ||g_p||²) > maxNorm}, every gradient is scaled by {@code maxNorm/||g||}.
 * O(#params). Stateless; not safe against concurrent gradient writers.
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** Global L2 norm of all gradients. */
    public static double globalNorm(List<Parameter> params) {
        double s = 0;
        for (Parameter p : params) {
            for (float g : p.grad().data()) {
                s += (double) g * g;
            }
        }
        return Math.sqrt(s);
    }

    /** Clips in place; returns the norm before clipping. */
    public static double clipByGlobalNorm(List<Parameter> params, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        }
        double norm = globalNorm(params);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-12));
            for (Parameter p : params) {
                p.grad().mulInPlace(scale);
            }
        }
        return norm;
    }
}
