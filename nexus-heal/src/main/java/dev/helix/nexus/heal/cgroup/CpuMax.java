package dev.helix.nexus.heal.cgroup;

/**
 * A CFS bandwidth limit: at most {@code quotaMicros} of CPU time per {@code periodMicros}; a quota of {@code -1} means
 * unlimited (v2 {@code "max 100000"}, v1 {@code cpu.cfs_quota_us = -1}).
 *
 * @param quotaMicros  the quota, or -1 for unlimited
 * @param periodMicros the period, 1000 to 1000000 µs
 */
public record CpuMax(long quotaMicros, long periodMicros) {

    /** The default: unlimited with a 100 ms period. */
    public static final CpuMax UNLIMITED = new CpuMax(-1, 100_000);

    public CpuMax {
        if (periodMicros < 1_000 || periodMicros > 1_000_000) {
            throw new IllegalArgumentException("period must be 1000..1000000 µs, got " + periodMicros);
        }
        if (quotaMicros != -1 && quotaMicros < 1_000) {
            throw new IllegalArgumentException("quota must be -1 (unlimited) or at least 1000 µs, got " + quotaMicros);
        }
    }

    /** A limit of {@code fraction} of one CPU (e.g. 0.1 = 10 %) with a 100 ms period. */
    public static CpuMax ofCpus(double fraction) {
        return new CpuMax(Math.max(1_000, Math.round(fraction * 100_000)), 100_000);
    }

    /** True when there is no quota. */
    public boolean unlimited() {
        return quotaMicros == -1;
    }

    /** The limit in CPUs (quota / period), or +infinity when unlimited. */
    public double cpus() {
        return unlimited() ? Double.POSITIVE_INFINITY : (double) quotaMicros / periodMicros;
    }

    /** The v2 {@code cpu.max} text. */
    public String toV2() {
        return (unlimited() ? "max" : Long.toString(quotaMicros)) + " " + periodMicros;
    }

    /** Parses the v2 {@code cpu.max} text ({@code "max 100000"}, {@code "50000 100000"}, optional burst ignored). */
    public static CpuMax parseV2(String text) {
        String[] f = text.trim().split("\\s+");
        if (f.length < 2) {
            throw new IllegalArgumentException("not a cpu.max value: '" + text + "'");
        }
        long quota = f[0].equals("max") ? -1 : Long.parseLong(f[0]);
        return new CpuMax(quota, Long.parseLong(f[1]));
    }
}
