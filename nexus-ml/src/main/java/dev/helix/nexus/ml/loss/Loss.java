package dev.helix.nexus.ml.loss;

import dev.helix.nexus.ml.Tensor;

/**
 * A differentiable objective: maps (prediction, target) to a scalar and dLoss/dPrediction.
 * Implementations are stateless and thread-safe.
 */
public interface Loss {
    /** Computes value and gradient. */
    LossResult compute(Tensor prediction, Tensor target);
}
