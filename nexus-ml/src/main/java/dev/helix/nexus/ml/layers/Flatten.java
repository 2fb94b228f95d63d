package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;

/**
 * Reshapes {@code [N, d1, d2, ...]} to {@code [N, d1*d2*...]}; backward reshapes the gradient back.
 * O(1) (shares the backing array). Not thread-safe (remembers the last input shape).
 */
public final class Flatten implements Layer {
    private int[] inShape;

    @Override
    public Tensor forward(Tensor input, boolean training) {
        if (input.rank() < 1) {
            throw new IllegalArgumentException("Flatten needs rank >= 1, got a scalar");
        }
        inShape = input.shape();
        return input.reshape(inShape[0], -1);
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Checks.forwarded(inShape, "Flatten");
        return gradOutput.reshape(inShape);
    }
}
