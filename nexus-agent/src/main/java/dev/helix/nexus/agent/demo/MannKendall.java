package dev.helix.nexus.agent.demo;

import java.util.Arrays;

/**
 * The Mann-Kendall trend test: is a series monotonically rising (or falling), without assuming a shape or a
 * distribution? {@code S} sums the signs of every later-minus-earlier pair; under "no trend" S is approximately
 * normal with the tie-corrected variance below, which gives {@code Z} and a two-sided p-value.
 *
 * @param n      samples
 * @param s      the Mann-Kendall statistic
 * @param z      the continuity-corrected normal score
 * @param pValue two-sided p-value of "no trend"
 */
public record MannKendall(int n, long s, double z, double pValue) {

    /** Runs the test on {@code x} (at least 3 values; fewer gives no trend, p = 1). */
    public static MannKendall test(double[] x) {
        int n = x.length;
        if (n < 3) {
            return new MannKendall(n, 0, 0, 1);
        }
        long s = 0;
        for (int i = 0; i < n - 1; i++) {
            for (int j = i + 1; j < n; j++) {
                s += Double.compare(x[j], x[i]) > 0 ? 1 : Double.compare(x[j], x[i]) < 0 ? -1 : 0;
            }
        }
        double[] sorted = x.clone();
        Arrays.sort(sorted);
        double ties = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            long t = j - i;
            ties += t * (t - 1) * (2 * t + 5);
            i = j;
        }
        double var = ((double) n * (n - 1) * (2 * n + 5) - ties) / 18.0;
        double z = var <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(var) : s < 0 ? (s + 1) / Math.sqrt(var) : 0;
        double p = Math.min(1, 2 * (1 - phi(Math.abs(z))));
        return new MannKendall(n, s, z, p);
    }

    /** True for a rising trend significant at {@code alpha}. */
    public boolean increasing(double alpha) {
        return s > 0 && pValue < alpha;
    }

    /** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, absolute error below 1.5e-7). */
    static double phi(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                + 0.254829592) * t * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    @Override
    public String toString() {
        return String.format("Mann-Kendall S=%d Z=%.2f p=%.1e (n=%d)", s, z, pValue, n);
    }
}
