package dev.helix.nexus.detect.anomaly;

import java.util.Arrays;

/**
 * Peaks-Over-Threshold (POT) estimate of an extreme upper quantile of a score distribution, from calibration scores
 * only (Siffer et al., "Anomaly Detection in Streams with Extreme Value Theory", KDD 2017, the batch step of SPOT).
 *
 * <p>Definition. Given n finite calibration scores, the initial threshold t is their empirical {@code level}
 * quantile; the N_t excesses y = x - t of the scores strictly above t are modelled by a generalised Pareto
 * distribution (GPD) with shape γ and scale σ, P(Y &gt; y) = (1 + γy/σ)^(-1/γ) (exponential tail when γ = 0). The alarm
 * threshold for a target exceedance probability (risk) q is
 * <pre>  z_q = t + (σ/γ)·((q·n/N_t)^(-γ) - 1)      (γ ≠ 0),      z_q = t - σ·ln(q·n/N_t)      (γ = 0),</pre>
 * so that, under the model, a fresh score from the calibration distribution exceeds z_q with probability q.
 *
 * <p>Fit. γ and σ are estimated by probability-weighted moments (Hosking &amp; Wallis, Technometrics 1987): with the
 * excesses sorted ascending, a₀ = mean and a₁ = (1/N)·Σ_i y_(i)·(N - i)/(N - 1) (i = 1..N), the GPD gives
 * a₀ = σ/(1 - γ) and a₁ = σ/(2(2 - γ)), hence γ = 2 - a₀/(a₀ - 2a₁) and σ = 2a₀a₁/(a₀ - 2a₁). PWM is closed-form,
 * needs no iterations or starting values, and is reliable for γ &lt; 1/2 (finite variance), which covers the light and
 * moderately heavy tails of residual scores; a heavier fitted tail is used as estimated (the quantile formula stays
 * valid). Shapes with |γ| &lt; 1e-9 use the exponential formula. When q·n ≥ N_t the requested quantile is not in the
 * modelled tail and the empirical (1 - q) quantile is returned instead; when fewer than {@link #MIN_PEAKS} peaks exist
 * or all excesses are equal, the model is not fitted and the threshold is the largest calibration score.
 *
 * <p>Complexity O(n log n) (one sort). Immutable and thread-safe.
 *
 * @param initial   t, the {@code level} quantile of the calibration scores
 * @param shape     γ (0 when no tail model was fitted)
 * @param scale     σ (0 when no tail model was fitted)
 * @param peaks     N_t, number of calibration scores above t
 * @param n         number of finite calibration scores
 * @param risk      q, the target exceedance probability
 * @param threshold z_q, the alarm threshold
 */
public record PotThreshold(double initial, double shape, double scale, int peaks, int n, double risk,
                           double threshold) {

    /** Fewest peaks for which a tail model is fitted. */
    public static final int MIN_PEAKS = 10;

    /**
     * Estimates z_q from calibration scores (non-finite values are ignored; the array is not modified).
     *
     * @param scores calibration scores, e.g. detector scores on training data the model did not see
     * @param level  quantile of the scores used as the initial threshold t, in (0, 1); 0.98 in Siffer et al.
     * @param risk   target exceedance probability q, in (0, 1 - level)
     * @throws IllegalArgumentException on out-of-range parameters or fewer than 2 finite scores
     */
    public static PotThreshold fit(double[] scores, double level, double risk) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("POT level must be in (0, 1), got " + level);
        }
        if (!(risk > 0 && risk < 1 - level)) {
            throw new IllegalArgumentException("POT risk must be in (0, 1 - level) = (0, " + (1 - level) + "), got "
                    + risk);
        }
        double[] s = Arrays.stream(scores).filter(Double::isFinite).sorted().toArray();
        int n = s.length;
        if (n < 2) {
            throw new IllegalArgumentException("POT needs at least 2 finite calibration scores, got " + n);
        }
        double t = quantile(s, level);
        int first = upperBound(s, t);
        int peaks = n - first;
        if (peaks < MIN_PEAKS || s[n - 1] - t <= 0) {
            return new PotThreshold(t, 0, 0, peaks, n, risk, s[n - 1]);
        }
        double a0 = 0;
        double a1 = 0;
        for (int i = 0; i < peaks; i++) {
            double y = s[first + i] - t;
            a0 += y;
            a1 += y * (peaks - 1 - i) / (peaks - 1.0);
        }
        a0 /= peaks;
        a1 /= peaks;
        double den = a0 - 2 * a1;
        if (!(den > 0)) {
            return new PotThreshold(t, 0, 0, peaks, n, risk, s[n - 1]);
        }
        double gamma = 2 - a0 / den;
        double sigma = 2 * a0 * a1 / den;
        double ratio = risk * n / peaks;
        if (ratio >= 1) {
            return new PotThreshold(t, gamma, sigma, peaks, n, risk, quantile(s, 1 - risk));
        }
        double z = Math.abs(gamma) < 1e-9
                ? t - sigma * Math.log(ratio)
                : t + sigma / gamma * (Math.pow(ratio, -gamma) - 1);
        return new PotThreshold(t, gamma, sigma, peaks, n, risk, z);
    }

    /** Linear-interpolation quantile of an ascending array (type 7 of Hyndman &amp; Fan). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Index of the first element strictly greater than {@code v} in an ascending array. */
    private static int upperBound(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
