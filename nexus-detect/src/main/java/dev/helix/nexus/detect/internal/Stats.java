package dev.helix.nexus.detect.internal;

/** Numerical helpers: Gaussian tail, harmonic numbers, isolation-tree normaliser. Stateless and thread-safe. */
public final class Stats {
    private Stats() {
    }

    /**
     * Complementary error function, Chebyshev fit of Numerical Recipes (3rd ed., §6.2, {@code erfcc}); fractional
     * error below 1.2e-7 everywhere.
     */
    public static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2.0 - ans;
    }

    /** Upper tail of the standard normal, Q(z) = P(Z &gt; z). */
    public static double normalTail(double z) {
        return 0.5 * erfc(z / Math.sqrt(2.0));
    }

    /** Two-sided Gaussian confidence of a deviation of |z| sigmas: P(|Z| &lt; |z|) = erf(|z|/sqrt 2), in [0,1). */
    public static double twoSidedConfidence(double z) {
        double v = 1.0 - erfc(Math.abs(z) / Math.sqrt(2.0));
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }

    /**
     * Average path length of an unsuccessful BST search over n points, c(n) = 2H(n-1) - 2(n-1)/n with
     * H(i) = ln i + 0.5772156649 (Liu, Ting &amp; Zhou 2008, eq. 1); c(1) = 0, c(2) = 1.
     */
    public static double averagePathLength(int n) {
        if (n <= 1) {
            return 0.0;
        }
        if (n == 2) {
            return 1.0;
        }
        return 2.0 * (Math.log(n - 1.0) + 0.5772156649015329) - 2.0 * (n - 1.0) / n;
    }

    public static double clamp01(double v) {
        if (!(v > 0)) {
            return 0.0;
        }
        return v > 1 ? 1.0 : v;
    }
}
