package dev.helix.nexus.detect.anomaly;


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
public final class RobustZScoreDetector extends SortedWindowDetector {

    /** Window 512, k = 3.5, warm-up 30 samples. */
    public RobustZScoreDetector() {
        this(512, 3.5, 30);
    }

    public RobustZScoreDetector(int window, double k, int minSamples) {
        super(window, k, minSamples, 3);
    }

    @Override
    public String name() {
        return "robust-zscore";
    }

    @Override
    protected double score(double x) {
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
        flag(Math.abs(z) >= k);
        return RollingZScoreDetector.ratio(z, k);
    }
}
