package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.OrderStatisticWindow;
import dev.helix.nexus.detect.internal.OrderStatistics;
import dev.helix.nexus.detect.internal.SortedWindow;

/**
 * The shared protocol of the detectors that judge a sample against exact order statistics of a rolling window
 * ({@link OrderStatistics}: the counted B+-tree {@link OrderStatisticWindow}, O(log w) per sample, or the sorted
 * array {@link SortedWindow}, O(w) but faster for small windows; the subclass chooses, the results are the same
 * bits): argument checks, NaN/Inf ignored (score 0, window unchanged), warm-up until
 * {@code minSamples} values are held, the sample scored against the window <em>before</em> it is added, reset.
 * Subclasses supply only {@link #score(double)}. Single-threaded, like every {@link Detector}.
 */
abstract class SortedWindowDetector implements Detector {

    /** The last {@code window} finite values, with their order statistics. */
    protected final OrderStatistics win;
    /** The detector's threshold parameter. */
    protected final double k;
    private final int minSamples;
    private boolean anomalous;

    /**
     * @param minWindow the smallest window (and warm-up) the statistic is defined for
     * @param tree      true: keep the window in an {@link OrderStatisticWindow}; false: in a {@link SortedWindow}
     */
    SortedWindowDetector(int window, double k, int minSamples, int minWindow, boolean tree) {
        if (window < minWindow) {
            throw new IllegalArgumentException("window must be >= " + minWindow + ", got " + window);
        }
        if (!(k > 0)) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        if (minSamples < minWindow || minSamples > window) {
            throw new IllegalArgumentException("minSamples must be in [" + minWindow + ", window], got " + minSamples);
        }
        this.win = tree ? new OrderStatisticWindow(window) : new SortedWindow(window);
        this.k = k;
        this.minSamples = minSamples;
    }

    /**
     * Scores a finite {@code x} against the (warmed-up) window, which does not yet hold it, and sets the verdict
     * through {@link #flag(boolean)}.
     *
     * @return the score in [0, 1]
     */
    protected abstract double score(double x);

    /** Sets the fixed-threshold verdict of the sample being scored. */
    protected final void flag(boolean isAnomalous) {
        this.anomalous = isAnomalous;
    }

    @Override
    public final double update(double x) {
        anomalous = false;
        if (!Double.isFinite(x)) {
            return 0.0;
        }
        double score = win.size() >= minSamples ? score(x) : 0.0;
        win.add(x);
        return score;
    }

    @Override
    public final boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public final boolean isWarmingUp() {
        return win.size() < minSamples;
    }

    @Override
    public final void reset() {
        win.clear();
        anomalous = false;
    }
}
