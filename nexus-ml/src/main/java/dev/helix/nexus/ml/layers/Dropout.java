package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;
import java.util.SplittableRandom;

/**
 * Inverted dropout (Srivastava et al. 2014): in training each element is kept with probability
 * {@code 1-p} and scaled by {@code 1/(1-p)}, with a fresh mask drawn on every forward call from a
 * seeded {@link SplittableRandom}; in evaluation it is the identity. O(size) per pass. Not
 * thread-safe.
 */
public final class Dropout implements Layer {
    private final float p;
    private final SplittableRandom rng;
    private float[] mask;

    /** Creates a dropout layer with drop probability {@code p} in {@code [0, 1)}. */
    public Dropout(float p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        float[] xd = input.data();
        mask = new float[xd.length];
        if (!training || p == 0f) {
            java.util.Arrays.fill(mask, 1f);
            return input.copy();
        }
        float scale = 1f / (1f - p);
        float[] y = new float[xd.length];
        for (int i = 0; i < xd.length; i++) {
            mask[i] = rng.nextDouble() >= p ? scale : 0f;
            y[i] = xd[i] * mask[i];
        }
        return Tensor.fromData(y, input.shape());
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Checks.forwarded(mask, "Dropout");
        if (gradOutput.size() != mask.length) {
            throw new IllegalArgumentException("Dropout.backward: gradient size " + gradOutput.size()
                    + " != forward size " + mask.length);
        }
        float[] g = gradOutput.data();
        float[] dx = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            dx[i] = g[i] * mask[i];
        }
        return Tensor.fromData(dx, gradOutput.shape());
    }
}
