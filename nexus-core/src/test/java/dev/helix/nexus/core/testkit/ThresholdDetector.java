package dev.helix.nexus.core.testkit;

import dev.helix.nexus.core.spi.Detector;

/** A trivial deterministic {@link Detector}: a sample above the limit is anomalous with score 1. */
public final class ThresholdDetector implements Detector {

    private final double limit;
    private boolean anomalous;

    public ThresholdDetector(double limit) {
        this.limit = limit;
    }

    @Override
    public String name() {
        return "threshold";
    }

    @Override
    public double update(double value) {
        anomalous = value > limit;
        return anomalous ? 1.0 : 0.0;
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return false;
    }

    @Override
    public void reset() {
        anomalous = false;
    }
}
