package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.SortedWindow;

/**
 * Robust rolling Z-score: the modified z-score of Iglewicz &amp; Hoaglin (1993), z = (x - median) / (1.4826·MAD), over
 * the exact median and MAD of the last {@code window} finite samples. Default threshold 3.5 (Iglewicz &amp; Hoaglin's
 * recommended cut-off for the modified z-score). Scored out-of-sample, like {@link RollingZScoreDetector}.
 *
 * <p>Degenerate windows: when MAD = 0 (more than half the window identical) the scale falls back to
 * 1.2533·(mean absolute deviation from the median) (the Gaussian-consistent MeanAD, also from Iglewicz &amp;
 * Hoaglin), and if that is 0 too (constant window) to 1e-12·max(1, |median|): a sample equal to the median scores
 * 0, any other scores 1. NaN/±Inf are ignored (score 0, state unchanged).
 *
 * <p>Score: |z|/(|z| + k) ∈ [0, 1), 0.5 at the threshold (see {@link RollingZScoreDetector#ratio}). Complexity O(window) per sample worst case (sorted-array shift plus an O(w) MAD
 * merge, see {@link SortedWindow}), allocation-free. Not thread-safe.
 */
public final class RobustZScoreDetector implements Detector {
    private final SortedWindow win;
    private final double k;
    private final int minSamples;
    private boolean anomalous;

    /** Window 512, k = 3.5, warm-up 30 samples. */
    public RobustZScoreDetector() {
        this(512, 3.5, 30);
    }

    public RobustZScoreDetector(int window, double k, int minSamples) {
        if (window < 3) {
            throw new IllegalArgumentException("window must be >= 3, got " + window);
        }
        if (!(k > 0)) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        if (minSamples < 3 || minSamples > window) {
            throw new IllegalArgumentException("minSamples must be in [3, window], got " + minSamples);
        }
        this.win = new SortedWindow(window);
        this.k = k;
        this.minSamples = minSamples;
    }

    @Override
    public String name() {
        return "robust-zscore";
    }

    @Override
    public double update(double x) {
        anomalous = false;
        if (!Double.isFinite(x)) {
            return 0.0;
        }
        double score = 0.0;
        if (win.size() >= minSamples) {
            double med = win.median();
            double scale = 1.4826 * win.mad(med);
            if (!(scale > 0)) {
                double s = 0;
                for (int i = 0; i < win.size(); i++) {
                    s += Math.abs(win.get(i) - med);
                }
                scale = 1.2533 * s / win.size();
            }
            scale = Math.max(scale, 1e-12 * Math.max(1.0, Math.abs(med)));
            double z = (x - med) / scale;
            score = RollingZScoreDetector.ratio(z, k);
            anomalous = Math.abs(z) >= k;
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
