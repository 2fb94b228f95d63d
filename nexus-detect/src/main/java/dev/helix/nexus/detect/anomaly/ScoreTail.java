package dev.helix.nexus.detect.anomaly;

/**
 * The last {@code capacity} calibration scores of a live detector, kept sorted (and in arrival order, to drop the
 * oldest), with the upper tail probability of a new score: with n scores and k = max(10, ⌈0.02 n⌉), the threshold u is
 * the (k+1)-th largest score; for s ≤ u the conformal p = (#{h ≥ s} + 1)/(n + 1); for s &gt; u a generalised Pareto
 * tail fitted to the peaks' excesses by probability-weighted moments, p = (N_u + 1)/(n + 1)·(1 + γ(s − u)/σ)^(−1/γ),
 * with the shape estimate clamped at ≥ 0 and widened by {@code shapeMargin} standard errors (computed at
 * min(γ, 0.4)), capped at 0.95.
 * The tail model of {@link HostVectorForest} and {@link HostVectorPca} (and the same model as
 * {@link LiveSeriesDetector}'s). The fit is cached until the scores change.
 *
 * <p>Complexity: {@link #add} O(capacity) (a memmove of the sorted array), {@link #tailProbability} O(log capacity)
 * plus an O(k) refit after a change. Allocation-free after construction. Not thread-safe.
 */
final class ScoreTail {

    private static final int MIN_PEAKS = 10;
    private static final double TAIL_FRACTION = 0.02;

    private final double[] sorted;
    private final double[] ring;
    private final double shapeMargin;
    private int head;
    private int n;
    private boolean fitValid;
    private double u;
    private int peaks;
    private double shape;
    private double sigma;

    ScoreTail(int capacity, double shapeMargin) {
        sorted = new double[capacity];
        ring = new double[capacity];
        this.shapeMargin = shapeMargin;
    }

    /** Number of scores held. */
    int size() {
        return n;
    }

    /** Adds a finite score, dropping the oldest when full. */
    void add(double s) {
        if (n == ring.length) {
            double old = ring[head];
            int at = firstAtLeast(old);
            System.arraycopy(sorted, at + 1, sorted, at, n - at - 1);
            n--;
            ring[head] = s;
            head = (head + 1) % ring.length;
        } else {
            ring[(head + n) % ring.length] = s;
        }
        int at = firstAbove(s);
        System.arraycopy(sorted, at, sorted, at + 1, n - at);
        sorted[at] = s;
        n++;
        fitValid = false;
    }

    /** The upper tail probability of {@code s} against the held scores (class comment); 1 when none are held. */
    double tailProbability(double s) {
        if (n == 0) {
            return 1;
        }
        if (!fitValid) {
            fit();
        }
        if (s <= u || peaks < MIN_PEAKS) {
            return (n - firstAtLeast(s) + 1.0) / (n + 1.0);
        }
        double y = s - u;
        double tail = shape < 1e-9 ? Math.exp(-y / sigma) : Math.exp(-Math.log1p(shape * y / sigma) / shape);
        return (peaks + 1.0) / (n + 1.0) * tail;
    }

    private void fit() {
        fitValid = true;
        int k = Math.min(n - 1, Math.max(MIN_PEAKS, (int) Math.ceil(TAIL_FRACTION * n)));
        double t = sorted[n - 1 - k];
        int first = firstAbove(t);
        if (n - first < MIN_PEAKS) {
            int below = firstAtLeast(t) - 1;
            if (below >= 0) {
                t = sorted[below];
                first = firstAbove(t);
            }
        }
        u = t;
        peaks = n - first;
        shape = 0;
        sigma = 0;
        if (peaks < MIN_PEAKS) {
            return;
        }
        double a0 = 0;
        double a1 = 0;
        for (int i = 0; i < peaks; i++) {
            double y = sorted[first + i] - t;
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

    private int firstAtLeast(double v) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int firstAbove(double v) {
        int lo = 0;
        int hi = n;
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
