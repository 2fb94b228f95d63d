package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.SortedWindow;

/**
 * The last {@code capacity} calibration scores of a live detector (a {@link SortedWindow}: sorted, oldest dropped
 * first), with the upper tail probability of a new score: with n scores and k = max(minPeaks, ⌈tailFraction·n⌉) (by
 * default 10 and 0.02), the threshold u is the (k+1)-th largest score; for s ≤ u the conformal
 * p = (#{h ≥ s} + 1)/(n + 1); for s &gt; u a generalised Pareto tail fitted to the peaks' excesses by
 * probability-weighted moments, p = (N_u + 1)/(n + 1)·(1 + γ(s − u)/σ)^(−1/γ), with the shape estimate clamped at
 * ≥ 0 and widened by {@code shapeMargin} standard errors (computed at min(γ, 0.4)), capped at 0.95 (σ chosen to keep
 * the peaks' mean excess a0 = σ/(1 − γ)); with fewer than minPeaks peaks or no spread above u, conformal p-values
 * only. The tail model of {@link LiveSeriesDetector}, {@link HostVectorForest} and {@link HostVectorPca}. The fit is
 * cached until the scores change (adding a score bitwise equal to the one it evicts is no change), and its shape and
 * scale are computed only when a score beyond the threshold needs them.
 *
 * <p>Complexity: {@link #add} O(capacity) (a memmove of the sorted array), {@link #tailProbability} O(log capacity)
 * plus, after a change, an O(log capacity) threshold refit and, for a score beyond the threshold, an O(k) tail refit. Allocation-free after construction. Not thread-safe.
 */
final class ScoreTail {

    private static final int MIN_PEAKS = 10;
    private static final double TAIL_FRACTION = 0.02;

    private final SortedWindow values;
    private final int minPeaks;
    private final double tailFraction;
    private final double shapeMargin;
    /** Threshold {@link #u} and {@link #peaks} are those of the held scores. */
    private boolean fitValid;
    /** {@link #shape} and {@link #sigma} are those of the held scores (implies fitValid). */
    private boolean gpdValid;
    private double u;
    private int peaks;
    private double shape;
    private double sigma;

    /** With at least 10 peaks and a tail share of 2 %. */
    ScoreTail(int capacity, double shapeMargin) {
        this(capacity, MIN_PEAKS, TAIL_FRACTION, shapeMargin);
    }

    ScoreTail(int capacity, int minPeaks, double tailFraction, double shapeMargin) {
        this.values = new SortedWindow(capacity);
        this.minPeaks = minPeaks;
        this.tailFraction = tailFraction;
        this.shapeMargin = shapeMargin;
    }

    /** Number of scores held. */
    int size() {
        return values.size();
    }

    /** Forgets every score. */
    void clear() {
        values.clear();
        fitValid = false;
        gpdValid = false;
    }

    /**
     * Adds a finite score, dropping the oldest when full. When the dropped score is bitwise the added one the held
     * multiset, and so the cached fit, is unchanged (a series whose deviation stays 0 refits nothing).
     */
    void add(double s) {
        if (Double.doubleToRawLongBits(values.oldest()) != Double.doubleToRawLongBits(s)) {
            fitValid = false;
            gpdValid = false;
        }
        values.add(s);
    }

    /** The upper tail probability of {@code s} against the held scores (class comment); 1 when none are held. */
    double tailProbability(double s) {
        int n = values.size();
        if (n == 0) {
            return 1;
        }
        if (!fitValid) {
            fitThreshold();
        }
        if (s > u && peaks >= minPeaks && !gpdValid) {
            fitTail();
        }
        if (s <= u || peaks < minPeaks) {
            return (n - firstAtLeast(s) + 1.0) / (n + 1.0);
        }
        double y = s - u;
        double tail = shape < 1e-9 ? Math.exp(-y / sigma) : Math.exp(-Math.log1p(shape * y / sigma) / shape);
        return (peaks + 1.0) / (n + 1.0) * tail;
    }

    /**
     * Tail threshold and peaks (O(log n)); the shape and scale follow in {@link #fitTail()} only when a score beyond
     * the threshold asks for them, which most scores (at most the threshold) never do.
     */
    private void fitThreshold() {
        fitValid = true;
        gpdValid = false;
        int n = values.size();
        int k = Math.min(n - 1, Math.max(minPeaks, (int) Math.ceil(tailFraction * n)));
        double t = values.get(n - 1 - k);
        int first = firstAbove(t);
        if (n - first < minPeaks) {
            int below = firstAtLeast(t) - 1;
            if (below >= 0) {
                t = values.get(below);
                first = firstAbove(t);
            }
        }
        u = t;
        peaks = n - first;
        shape = 0;
        sigma = 0;
    }

    /**
     * The widened probability-weighted-moment GPD fit of the peaks' excesses over the threshold {@link #u}, O(peaks);
     * with no positive scale the peaks are dropped (conformal p-values only) until the scores change.
     */
    private void fitTail() {
        gpdValid = true;
        int n = values.size();
        int first = n - peaks;
        double t = u;
        double a0 = 0;
        double a1 = 0;
        for (int i = 0; i < peaks; i++) {
            double y = values.get(first + i) - t;
            a0 += y;
            a1 += y * (peaks - 1 - i) / (peaks - 1.0);
        }
        a0 /= peaks;
        a1 /= peaks;
        double den = a0 - 2 * a1;
        double estimate = den > 0 ? Math.max(0, 2 - a0 / den) : 0;
        double g = Math.min(estimate, 0.4);
        double se = Math.sqrt((1 - g) * (2 - g) * (2 - g) * (1 - g + 2 * g * g)
                / ((1 - 2 * g) * (3 - 2 * g) * peaks));
        shape = Math.min(estimate + shapeMargin * se, 0.95);
        sigma = a0 * (1 - shape);
        if (!(sigma > 0)) {
            peaks = 0;
        }
    }

    /** Index of the first held score ≥ v. */
    private int firstAtLeast(double v) {
        int lo = 0;
        int hi = values.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values.get(mid) < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Index of the first held score &gt; v. */
    private int firstAbove(double v) {
        int lo = 0;
        int hi = values.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values.get(mid) <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
