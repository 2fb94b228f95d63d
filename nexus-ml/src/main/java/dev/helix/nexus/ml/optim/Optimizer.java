package dev.helix.nexus.ml.optim;

import dev.helix.nexus.ml.layers.Parameter;
import java.util.List;

/**
 * A first-order optimizer that updates a fixed list of {@link Parameter}s in place from their
 * accumulated gradients. Per-parameter state (moments, velocities) is kept in the same order as the
 * parameter list. Implementations are not thread-safe.
 */
public interface Optimizer {
    /** Applies one update using the current gradients. */
    void step();

    /** The optimised parameters. */
    List<Parameter> parameters();

    /** Current learning rate. */
    double learningRate();

    /** Sets the learning rate (e.g. from a {@link LearningRateSchedule}). */
    void setLearningRate(double lr);

    /** Zeroes all parameter gradients. */
    default void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }
}
