package dev.helix.nexus.detect.eval;

/** NAB's three scoring profiles ({@code config/profiles.json}): weights of a true positive, false positive, miss. */
public enum NabProfile {
    STANDARD("standard", 1.0, 0.11, 1.0),
    REWARD_LOW_FP_RATE("reward_low_FP_rate", 1.0, 0.22, 1.0),
    REWARD_LOW_FN_RATE("reward_low_FN_rate", 1.0, 0.11, 2.0);

    private final String id;
    private final double tp;
    private final double fp;
    private final double fn;

    NabProfile(String id, double tp, double fp, double fn) {
        this.id = id;
        this.tp = tp;
        this.fp = fp;
        this.fn = fn;
    }

    /** NAB's name for the profile, e.g. {@code reward_low_FP_rate}. */
    public String id() {
        return id;
    }

    public double tp() {
        return tp;
    }

    public double fp() {
        return fp;
    }

    public double fn() {
        return fn;
    }
}
