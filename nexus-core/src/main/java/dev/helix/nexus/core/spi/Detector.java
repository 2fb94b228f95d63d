package dev.helix.nexus.core.spi;

/**
 * A streaming anomaly detector over one series (univariate) or one vector of series (multivariate).
 *
 * <p>Protocol: call {@link #update(double)} (or {@link #update(double[])} for a multivariate detector) once per
 * sample in time order; it returns an anomaly score in [0, 1]; {@link #isAnomalous()} then tells the detector's
 * own fixed-threshold verdict for that sample. While {@link #isWarmingUp()} the score is 0 and the verdict false.
 * NaN or infinite input is ignored (score 0, state unchanged) unless the implementation documents otherwise.
 *
 * <p>Implementations should be O(1) or O(log n) per sample and allocation-free after warm-up. Detectors are
 * single-threaded: one writer, no concurrent calls.
 */
public interface Detector {

    /** A short stable name, e.g. {@code zscore}. */
    String name();

    /** Number of values per sample: 1 for a univariate detector. */
    default int dimensions() {
        return 1;
    }

    /** Feeds one univariate sample and returns its anomaly score in [0, 1]. */
    double update(double value);

    /**
     * Feeds one multivariate sample of {@link #dimensions()} values and returns its anomaly score in [0, 1].
     * Univariate detectors accept a one-element vector.
     */
    default double update(double[] values) {
        if (values.length != 1) {
            throw new IllegalArgumentException(name() + " is univariate and takes 1 value per sample, got " + values.length);
        }
        return update(values[0]);
    }

    /** The detector's own decision for the last sample, at its configured fixed threshold. */
    boolean isAnomalous();

    /** True while the detector is still learning what normal looks like. */
    boolean isWarmingUp();

    /** Forgets everything learned. */
    void reset();
}
