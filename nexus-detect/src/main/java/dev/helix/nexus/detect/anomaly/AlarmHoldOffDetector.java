package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;

/**
 * Alert de-duplication: after the base detector raises an alarm, further alarms are suppressed for the next
 * {@code holdOff} samples, so one incident produces one alarm rather than a burst (standard alert-manager practice;
 * it also matches NAB, which rewards only the first detection in a window but charges every detected row outside
 * one). During the hold-off the base score is multiplied by 0.49, which keeps it continuous and ordered but below
 * any threshold of 0.5 or more; the verdict is false. The hold-off counts finite samples only.
 *
 * <p>O(1) plus the base's cost, allocation-free. Not thread-safe.
 */
public final class AlarmHoldOffDetector implements Detector {
    private final Detector base;
    private final String name;
    private final int holdOff;
    private int remaining;
    private boolean anomalous;

    public AlarmHoldOffDetector(String name, Detector base, int holdOff) {
        if (holdOff < 0) {
            throw new IllegalArgumentException("holdOff must be >= 0, got " + holdOff);
        }
        this.base = base;
        this.name = name;
        this.holdOff = holdOff;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimensions() {
        return base.dimensions();
    }

    @Override
    public double update(double value) {
        return post(base.update(value), Double.isFinite(value));
    }

    @Override
    public double update(double[] values) {
        boolean finite = true;
        for (double v : values) {
            finite &= Double.isFinite(v);
        }
        return post(base.update(values), finite);
    }

    private double post(double score, boolean finite) {
        anomalous = false;
        if (!finite) {
            return score;
        }
        if (remaining > 0) {
            remaining--;
            return score * 0.49;
        }
        if (base.isAnomalous()) {
            anomalous = true;
            remaining = holdOff;
        }
        return score;
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return base.isWarmingUp();
    }

    @Override
    public void reset() {
        base.reset();
        remaining = 0;
        anomalous = false;
    }
}
