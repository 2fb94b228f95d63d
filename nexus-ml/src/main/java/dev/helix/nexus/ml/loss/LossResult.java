package dev.helix.nexus.ml.loss;

import dev.helix.nexus.ml.Tensor;

/**
 * The scalar value of a loss and its gradient with respect to the prediction (same shape as the
 * prediction). Immutable record; the gradient tensor itself is mutable and owned by the caller.
 *
 * @param value loss value (mean over elements / samples)
 * @param gradient dLoss/dPrediction
 */
public record LossResult(double value, Tensor gradient) {
}
