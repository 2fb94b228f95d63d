package dev.helix.nexus.ml.optim;

/**
 * Cosine annealing without restarts (Loshchilov &amp; Hutter 2017, SGDR):
 * {@code η_t = η_min + ½(η_max - η_min)(1 + cos(π t / T))} for {@code t ≤ T}, then {@code η_min}.
 * O(1); immutable, thread-safe.
 */
public record CosineAnnealing(double max, double min, int totalSteps) implements LearningRateSchedule {
    /** Validates the configuration. */
    public CosineAnnealing {
        if (max <= 0 || min < 0 || min > max || totalSteps <= 0) {
            throw new IllegalArgumentException("invalid CosineAnnealing max=" + max + " min=" + min + " T=" + totalSteps);
        }
    }

    @Override
    public double rate(int step) {
        if (step >= totalSteps) {
            return min;
        }
        return min + 0.5 * (max - min) * (1 + Math.cos(Math.PI * step / totalSteps));
    }
}
