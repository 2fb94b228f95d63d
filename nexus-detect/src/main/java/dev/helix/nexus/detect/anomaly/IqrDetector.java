package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.SortedWindow;

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
public final class IqrDetector implements Detector {
    private final SortedWindow win;
    private final double k;
    private final int minSamples;
    private boolean anomalous;

    /** Window 512, k = 1.5, warm-up 30 samples. */
    public IqrDetector() {
        this(512, 1.5, 30);
    }

    public IqrDetector(int window, double k, int minSamples) {
        if (window < 4) {
            throw new IllegalArgumentException("window must be >= 4, got " + window);
        }
        if (!(k > 0)) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        if (minSamples < 4 || minSamples > window) {
            throw new IllegalArgumentException("minSamples must be in [4, window], got " + minSamples);
        }
        this.win = new SortedWindow(window);
        this.k = k;
        this.minSamples = minSamples;
    }

    @Override
    public String name() {
        return "iqr";
    }

    @Override
    public double update(double x) {
        anomalous = false;
        if (!Double.isFinite(x)) {
            return 0.0;
        }
        double score = 0.0;
        if (win.size() >= minSamples) {
            double q1 = win.quantile(0.25);
            double q3 = win.quantile(0.75);
            double iqr = Math.max(q3 - q1, 1e-12 * Math.max(1.0, Math.abs(win.median())));
            double d = x > q3 ? (x - q3) / iqr : (x < q1 ? (q1 - x) / iqr : 0.0);
            if (d > 1e12) {
                d = 1e12;
            }
            score = d / (d + k);
            anomalous = d > k;
        }
        win.add(x);
        return score;
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return win.size() < minSamples;
    }

    @Override
    public void reset() {
        win.clear();
        anomalous = false;
    }
}
