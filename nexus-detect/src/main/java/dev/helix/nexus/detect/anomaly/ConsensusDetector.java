package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;

import java.util.List;

/**
 * Consensus of several detectors over the same stream.
 *
 * <p>Fusion: the score is the arithmetic mean of the member scores (all in [0, 1], so the mean is too, and it stays
 * continuous for threshold sweeps); the verdict is a vote: the sample is anomalous when at least {@code quorum}
 * members say so at their own fixed thresholds (default: a strict majority). Averaging scores damps one member's
 * false alarms; voting on verdicts keeps each member's own calibrated threshold rather than imposing one global cut
 * on scores of different shapes. The consensus is warming up while any member is, and then
 * scores 0 with verdict false (the {@link Detector} contract); all members are still fed, so they all learn.
 *
 * <p>Cost: the sum of the members' costs; allocation-free if they are. Not thread-safe.
 */
public final class ConsensusDetector implements Detector {
    private final Detector[] members;
    private final int quorum;
    private boolean anomalous;

    public ConsensusDetector(List<? extends Detector> members, int quorum) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("consensus needs at least one member");
        }
        int d = members.get(0).dimensions();
        for (Detector m : members) {
            if (m.dimensions() != d) {
                throw new IllegalArgumentException("all members must have the same dimensions: " + m.name()
                        + " has " + m.dimensions() + ", expected " + d);
            }
        }
        if (quorum < 1 || quorum > members.size()) {
            throw new IllegalArgumentException("quorum must be in [1, " + members.size() + "], got " + quorum);
        }
        this.members = members.toArray(new Detector[0]);
        this.quorum = quorum;
    }

    /** Strict majority quorum. */
    public ConsensusDetector(List<? extends Detector> members) {
        this(members, members.size() / 2 + 1);
    }

    /** Z-score, robust Z-score, IQR and a univariate shingled Isolation Forest, all with their defaults. */
    public static ConsensusDetector defaultUnivariate() {
        return new ConsensusDetector(List.of(new RollingZScoreDetector(), new RobustZScoreDetector(),
                new IqrDetector(), new IsolationForestDetector(IsolationForestDetector.Config.defaults(1).withShingle(4))));
    }

    @Override
    public String name() {
        return "consensus";
    }

    @Override
    public int dimensions() {
        return members[0].dimensions();
    }

    @Override
    public double update(double value) {
        double sum = 0;
        int votes = 0;
        boolean warming = false;
        for (Detector m : members) {
            sum += m.update(value);
            warming |= m.isWarmingUp();
            if (m.isAnomalous()) {
                votes++;
            }
        }
        return finish(sum, votes, warming);
    }

    @Override
    public double update(double[] values) {
        double sum = 0;
        int votes = 0;
        boolean warming = false;
        for (Detector m : members) {
            sum += m.update(values);
            warming |= m.isWarmingUp();
            if (m.isAnomalous()) {
                votes++;
            }
        }
        return finish(sum, votes, warming);
    }

    private double finish(double sum, int votes, boolean warming) {
        if (warming) {
            anomalous = false;
            return 0.0;
        }
        anomalous = votes >= quorum;
        return sum / members.length;
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        for (Detector m : members) {
            if (m.isWarmingUp()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void reset() {
        for (Detector m : members) {
            m.reset();
        }
        anomalous = false;
    }
}
