package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.OrderStatisticWindow;

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
 * <p>Score: |z|/(|z| + k) ∈ [0, 1), 0.5 at the threshold (see {@link RollingZScoreDetector#ratio}).
 *
 * <p>Complexity per sample: O(log w) to update the window ({@link OrderStatisticWindow}, a counted B+-tree, at
 * every window size: with the MAD it beats the sorted array from w = 32 up) and take the median, O(log² w) for
 * the exact MAD (selection over the two sorted views of the deviations, see {@link OrderStatisticWindow#mad}).
 * The MeanAD fallback, taken only when MAD = 0 (more than half the window equal to the median), sums the
 * deviations in sorted order in O(w): kept exact and in the same order as before so the scores keep their bits
 * (per-subtree sums would make it O(log w) but round differently). No allocation after construction. Not
 * thread-safe.
 */
public final class RobustZScoreDetector extends SortedWindowDetector {

    /** Window 512, k = 3.5, warm-up 30 samples. */
    public RobustZScoreDetector() {
        this(512, 3.5, 30);
    }

    /**
     * @param window     the number of most recent finite samples the median and MAD are taken over, at least 3
     * @param k          the threshold on |modified z| (3.5), &gt; 0
     * @param minSamples warm-up: samples held before the first non-zero score, in [3, window]
     * @throws IllegalArgumentException if a parameter is out of range
     */
    public RobustZScoreDetector(int window, double k, int minSamples) {
        super(window, k, minSamples, 3, true);
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
            scale = 1.2533 * win.sumAbsDeviation(med) / win.size();
        }
        scale = Math.max(scale, 1e-12 * Math.max(1.0, Math.abs(med)));
        double z = (x - med) / scale;
        flag(Math.abs(z) >= k);
        return RollingZScoreDetector.ratio(z, k);
    }
}
