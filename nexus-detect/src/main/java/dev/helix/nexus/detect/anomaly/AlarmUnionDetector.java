package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;

import java.util.List;

/**
 * Alarm-level fusion of complementary detectors: a sample is an alarm when <em>any</em> member raises one (each
 * member keeps its own rules, including its own hold-off), and the fused score is built so that the fixed threshold
 * {@link #ALARM_LEVEL} (0.75) means exactly that.
 *
 * <p>Each member i has its own alarm level a_i (the score at which its verdict fires). Its score s is mapped
 * piecewise-linearly so that a_i lands on 0.75: s &lt; a_i → 0.75·s / a_i, s &ge; a_i → 0.75 + 0.25·(s − a_i) /
 * (1 − a_i) (the identity when a_i = 0.75). The map is then clamped by the member's verdict: a member that alarmed
 * reports at least 0.75, one that did not (for instance a member in its hold-off) stays strictly below 0.75. The
 * fused score is the largest mapped score and the verdict is the OR of the members' verdicts. The map is monotone, so
 * a threshold sweep over the fused score still ranks each member's own samples in its own order.
 *
 * <p>Every member sees every sample (so each keeps learning); NaN/±Inf input is forwarded to them (they ignore it).
 * Cost: the sum of the members' costs, plus O(members); allocation-free. Deterministic if the members are. Not
 * thread-safe.
 */
public final class AlarmUnionDetector implements Detector {
    /** The fused score's alarm level: a score at or above it means at least one member raised an alarm. */
    public static final double ALARM_LEVEL = 0.75;

    /**
     * One member and the score at which its own verdict fires.
     *
     * @param detector   the member
     * @param alarmLevel its alarm level, in (0, 1]
     */
    public record Member(Detector detector, double alarmLevel) {
        public Member {
            if (detector == null) {
                throw new IllegalArgumentException("member detector must not be null");
            }
            if (!(alarmLevel > 0 && alarmLevel <= 1)) {
                throw new IllegalArgumentException("alarm level of member '" + detector.name() + "' must be in (0, 1], got "
                        + alarmLevel);
            }
        }
    }

    private final String name;
    private final Member[] members;
    private boolean anomalous;

    /**
     * @param name    detector name
     * @param members at least one member, all univariate
     */
    public AlarmUnionDetector(String name, List<Member> members) {
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("union '" + name + "' needs at least one member");
        }
        for (Member m : members) {
            if (m.detector().dimensions() != 1) {
                throw new IllegalArgumentException("union '" + name + "': member '" + m.detector().name()
                        + "' has " + m.detector().dimensions() + " dimensions; only univariate members are supported");
            }
        }
        this.name = name;
        this.members = members.toArray(new Member[0]);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double update(double value) {
        double fused = 0.0;
        boolean any = false;
        for (Member m : members) {
            double s = m.detector().update(value);
            boolean alarm = m.detector().isAnomalous();
            fused = Math.max(fused, map(Double.isFinite(s) ? s : 0.0, m.alarmLevel(), alarm));
            any |= alarm;
        }
        anomalous = any;
        return fused;
    }

    /** The member score s with alarm level a mapped onto the fused scale (see the class comment). */
    static double map(double s, double a, boolean alarm) {
        double c = Math.max(0.0, Math.min(1.0, s));
        double m;
        if (a == ALARM_LEVEL) {
            m = c; // exactly the identity, not a rounded one
        } else if (c < a) {
            m = ALARM_LEVEL * c / a;
        } else {
            m = a >= 1.0 ? 1.0 : ALARM_LEVEL + (1.0 - ALARM_LEVEL) * (c - a) / (1.0 - a);
        }
        return alarm ? Math.max(ALARM_LEVEL, m) : Math.min(Math.nextDown(ALARM_LEVEL), m);
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    /** True while every member is still warming up. */
    @Override
    public boolean isWarmingUp() {
        for (Member m : members) {
            if (!m.detector().isWarmingUp()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void reset() {
        for (Member m : members) {
            m.detector().reset();
        }
        anomalous = false;
    }
}
