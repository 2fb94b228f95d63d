package dev.helix.nexus.detect.behavior;

import dev.helix.nexus.detect.internal.Stats;

/**
 * Mann-Kendall monotonic trend test (Mann 1945; Kendall 1975) with the tie-corrected variance and Sen's slope
 * (Sen 1968). S = Σ_{i&lt;j} sign(x_j - x_i); Var(S) = [n(n-1)(2n+5) - Σ_t t(t-1)(2t+5)]/18 over tie groups t;
 * Z = (S - sign(S))/√Var(S) (continuity correction); two-sided p = 2·Q(|Z|). O(n²) time, O(n) extra space for the
 * tie groups; meant for short histories (tens to a few hundred points). Non-finite values are skipped.
 * Stateless and thread-safe.
 */
public final class MannKendall {

    /**
     * Test result.
     *
     * @param n     finite points used
     * @param s     the S statistic
     * @param z     normal score
     * @param p     two-sided p-value
     * @param slope Sen's slope (median of pairwise slopes per index step)
     */
    public record Result(int n, long s, double z, double p, double slope) {
        /** True when the series increases at significance {@code alpha}. */
        public boolean increasing(double alpha) {
            return s > 0 && p < alpha;
        }
    }

    private MannKendall() {
    }

    public static Result test(double[] xs) {
        double[] x = java.util.Arrays.stream(xs).filter(Double::isFinite).toArray();
        int n = x.length;
        if (n < 3) {
            return new Result(n, 0, 0, 1, 0);
        }
        long s = 0;
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n - 1; i++) {
            for (int j = i + 1; j < n; j++) {
                s += Double.compare(x[j], x[i]) > 0 ? 1 : (x[j] == x[i] ? 0 : -1);
                slopes[k++] = (x[j] - x[i]) / (j - i);
            }
        }
        double[] sorted = x.clone();
        java.util.Arrays.sort(sorted);
        double ties = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            double t = j - i;
            ties += t * (t - 1) * (2 * t + 5);
            i = j;
        }
        double var = (n * (n - 1.0) * (2 * n + 5.0) - ties) / 18.0;
        double z = var <= 0 ? 0 : (s - Math.signum(s)) / Math.sqrt(var);
        double p = Math.min(1.0, 2 * Stats.normalTail(Math.abs(z)));
        java.util.Arrays.sort(slopes);
        int m = slopes.length;
        double slope = m % 2 == 1 ? slopes[m / 2] : 0.5 * (slopes[m / 2 - 1] + slopes[m / 2]);
        return new Result(n, s, z, p, slope);
    }
}
