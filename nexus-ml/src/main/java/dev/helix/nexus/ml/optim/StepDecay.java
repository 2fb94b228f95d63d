package dev.helix.nexus.ml.optim;

/**
 * Step decay: {@code η_t = η0 * γ^{floor(t / stepSize)}}. O(1); immutable, thread-safe.
 */
public record StepDecay(double base, int stepSize, double gamma) implements LearningRateSchedule {
    /** Validates the configuration. */
    public StepDecay {
        if (base <= 0 || stepSize <= 0 || gamma <= 0) {
            throw new IllegalArgumentException("invalid StepDecay base=" + base + " stepSize=" + stepSize + " gamma=" + gamma);
        }
    }

    @Override
    public double rate(int step) {
        return base * Math.pow(gamma, Math.floorDiv(step, stepSize));
    }
}
