package dev.helix.nexus.ml.optim;

/**
 * Maps a 0-based step index to a learning rate. Implementations are immutable and thread-safe.
 */
public interface LearningRateSchedule {
    /** Learning rate for {@code step >= 0}. */
    double rate(int step);

    /** Sets {@code optimizer}'s learning rate for {@code step}. */
    default void apply(Optimizer optimizer, int step) {
        optimizer.setLearningRate(rate(step));
    }
}
