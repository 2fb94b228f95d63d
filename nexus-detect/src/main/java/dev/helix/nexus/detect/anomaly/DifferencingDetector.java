package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;

/**
 * Feeds the first difference x_t - x_{t-1} of a univariate stream to a base detector, so level shifts and spikes
 * are judged by the size of the step rather than the level. The first finite sample only primes the difference
 * (score 0). NaN/±Inf are ignored (score 0; the next finite sample is differenced against the last finite one).
 * O(1) plus the base's cost; allocation-free. Not thread-safe.
 */
public final class DifferencingDetector implements Detector {
    private final Detector base;
    private final String name;
    private double prev = Double.NaN;

    public DifferencingDetector(String name, Detector base) {
        if (base.dimensions() != 1) {
            throw new IllegalArgumentException("differencing needs a univariate base detector");
        }
        this.base = base;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double update(double value) {
        if (!Double.isFinite(value)) {
            return base.update(Double.NaN);
        }
        if (Double.isNaN(prev)) {
            prev = value;
            return base.update(Double.NaN);
        }
        double d = value - prev;
        prev = value;
        return base.update(d);
    }

    @Override
    public boolean isAnomalous() {
        return base.isAnomalous();
    }

    @Override
    public boolean isWarmingUp() {
        return Double.isNaN(prev) || base.isWarmingUp();
    }

    @Override
    public void reset() {
        base.reset();
        prev = Double.NaN;
    }
}
