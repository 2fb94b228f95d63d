package dev.helix.nexus.detect.anomaly;


/**
 * Tukey fences over an exact rolling interquartile range: Q1, Q3 are the type-7 quartiles of the last
 * {@code window} finite samples (exact order statistics from a {@link SortedWindow}); a sample is anomalous when it
 * lies more than k·IQR outside [Q1, Q3] (default k = 1.5, Tukey 1977).
 *
 * <p>Score: with d = distance beyond the nearer fence base in IQR units (0 inside [Q1, Q3]), score = d / (d + k),
 * continuous in [0, 1) and equal to 0.5 exactly at the Tukey fence. Zero IQR (e.g. a constant window) is floored at
 * 1e-12·max(1, |median|): a sample inside [Q1, Q3] scores 0, one outside scores ≈ 1. NaN/±Inf are ignored (score
 * 0, state unchanged). Scored out-of-sample.
 *
 * <p>Complexity O(window) per sample worst case (array shift), O(1) quartiles, allocation-free. Not thread-safe.
 */
public final class IqrDetector extends SortedWindowDetector {

    /** Window 512, k = 1.5, warm-up 30 samples. */
    public IqrDetector() {
        this(512, 1.5, 30);
    }

    public IqrDetector(int window, double k, int minSamples) {
        super(window, k, minSamples, 4);
    }

    @Override
    public String name() {
        return "iqr";
    }

    @Override
    protected double score(double x) {
        double q1 = win.quantile(0.25);
        double q3 = win.quantile(0.75);
        double iqr = q3 - q1;
        // floor 1e-12·max(1, |median|); since q1 <= median <= q3, |median| <= max(|q1|, |q3|), so an IQR at or
        // above 1e-12·max(1, |q1|, |q3|) is already at or above the floor and the median need not be computed
        if (!(iqr >= 1e-12 * Math.max(1.0, Math.max(Math.abs(q1), Math.abs(q3))))) {
            iqr = Math.max(iqr, 1e-12 * Math.max(1.0, Math.abs(win.median())));
        }
        double d = x > q3 ? (x - q3) / iqr : (x < q1 ? (q1 - x) / iqr : 0.0);
        if (d > 1e12) {
            d = 1e12;
        }
        flag(d > k);
        return d / (d + k);
    }
}
