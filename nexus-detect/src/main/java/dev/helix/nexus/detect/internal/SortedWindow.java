package dev.helix.nexus.detect.internal;

import java.util.Arrays;

/**
 * A sliding window of the last {@code capacity} finite doubles kept both in arrival order (ring buffer) and in
 * sorted order, so exact order statistics (median, quartiles, any quantile) are available at any time.
 *
 * <p>Complexity: {@link #add(double)} is O(log w) to locate positions plus O(w) for the {@code System.arraycopy}
 * shift (a memmove, in practice a few ns per 100 elements; once full, a single shift of the elements between the
 * evicted and the new value's positions, and O(1) when the new value is bitwise the evicted one, e.g. a counter that
 * stays 0); order statistics are O(1); {@link #mad(double)} is O(w) by merging the
 * two monotone halves of the absolute deviations. No allocation after construction.
 *
 * <p>For windows of a few thousand values this beats the O(log w) {@link OrderStatisticWindow} (the memmove is
 * cheap and the quantiles are array reads); see docs/benchmarks/sorted-window.md for the measured crossover.
 *
 * <p>Not thread-safe: one writer, no concurrent readers.
 */
public final class SortedWindow implements OrderStatistics {
    private final double[] ring;
    private final double[] sorted;
    private int head;
    private int size;

    public SortedWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        ring = new double[capacity];
        sorted = new double[capacity];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int capacity() {
        return ring.length;
    }

    public boolean isFull() {
        return size == ring.length;
    }

    @Override
    public void clear() {
        head = 0;
        size = 0;
    }

    /** Adds a finite value, evicting the oldest when full. Non-finite values must be filtered by the caller. */
    @Override
    public void add(double x) {
        if (size == ring.length) {
            double old = ring[head];
            ring[head] = x;
            head = head + 1 == ring.length ? 0 : head + 1;
            if (Double.doubleToRawLongBits(old) != Double.doubleToRawLongBits(x)) {
                replace(old, x);
            } // else: the same value leaves and enters, the sorted array stays as it is (no search, no move)
            return;
        }
        ring[(head + size) % ring.length] = x;
        // after the last held value that equals x: the same array as anywhere among the equal ones, with the fewest
        // moved (a series of mostly equal values, e.g. deviations that are 0, moves none of them)
        int pos = upperBound(x);
        System.arraycopy(sorted, pos, sorted, pos + 1, size - pos);
        sorted[pos] = x;
        size++;
    }

    /**
     * Full window: removes one instance of {@code old} from the sorted array and inserts {@code x}, moving only the
     * elements between the two positions (one memmove of |pos(x) - pos(old)| elements instead of two of about w/2
     * each). The result is the same sorted array as a removal followed by an insertion; order is
     * {@link Double#compare}, as in {@link Arrays#binarySearch(double[], int, int, double)}.
     *
     * <p>Both positions come from one pass of two interleaved branch-free lower-bound searches over the whole
     * array (their load chains overlap). In {@link Double#compare} order a +0.0 sorts after every -0.0 and no
     * double lies strictly between +0.0 and {@link Double#MIN_VALUE}, so "first element {@code > +0.0}" is "first
     * element {@code < MIN_VALUE} is false", and a plain {@code <} lower bound serves every value.
     */
    private void replace(double old, double x) {
        double[] a = sorted;
        boolean oldIsPosZero = isPositiveZero(old);
        double probeOld = oldIsPosZero ? Double.MIN_VALUE : old;
        double probeX = isPositiveZero(x) ? Double.MIN_VALUE : x;
        int baseOld = 0;
        int baseX = 0;
        int len = size;
        while (len > 1) {
            int half = len >>> 1;
            baseOld = a[baseOld + half - 1] < probeOld ? baseOld + half : baseOld;
            baseX = a[baseX + half - 1] < probeX ? baseX + half : baseX;
            len -= half;
        }
        int lbOld = a[baseOld] < probeOld ? baseOld + 1 : baseOld;
        int lbX = a[baseX] < probeX ? baseX + 1 : baseX;
        // one instance of old: the first of its run, or for +0.0 the last of the run of zeros (where it sorts)
        int idx = oldIsPosZero ? lbOld - 1 : lbOld;
        int c = Double.compare(x, old);
        if (c > 0) {
            // the insertion point of x within (idx, size]; sorted[idx+1 .. pos) are <= x: shift them left over
            // the removed slot, x goes just before pos
            int pos = Math.max(lbX, idx + 1);
            System.arraycopy(a, idx + 1, a, idx, pos - idx - 1);
            a[pos - 1] = x;
        } else if (c < 0) {
            // the insertion point of x within [0, idx]; sorted[pos .. idx) are >= x: shift them right, x at pos
            int pos = Math.min(lbX, idx);
            System.arraycopy(a, pos, a, pos + 1, idx - pos);
            a[pos] = x;
        }
        // c == 0: x is bitwise the same finite value as old, the sorted array is unchanged
    }

    /** Index of the first held value after {@code x} in {@link Double#compare} order (size when none). */
    private int upperBound(double x) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Double.compare(sorted[mid], x) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static boolean isPositiveZero(double v) {
        return Double.doubleToRawLongBits(v) == 0L;
    }

    /**
     * The value the next {@link #add} evicts when the window is full (the oldest held), else NaN. O(1).
     */
    public double oldest() {
        return size == ring.length ? ring[head] : Double.NaN;
    }

    /** The k-th smallest value, 0-based. */
    @Override
    public double get(int k) {
        if (k < 0 || k >= size) {
            throw new IndexOutOfBoundsException("k=" + k + " size=" + size);
        }
        return sorted[k];
    }

    /**
     * Quantile with linear interpolation between order statistics (Hyndman &amp; Fan type 7, the default of R and
     * NumPy): h = (n-1)q, Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
     */
    @Override
    public double quantile(double q) {
        if (size == 0) {
            return Double.NaN;
        }
        double h = (size - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, size - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    @Override
    public double median() {
        return quantile(0.5);
    }

    /**
     * Median absolute deviation from {@code center} (unscaled), exact, O(w) and allocation-free: the deviations
     * of the sorted values to the left of the centre decrease and those to the right increase, so the k-th
     * smallest deviation is found by a two-way merge.
     */
    @Override
    public double mad(double center) {
        if (size == 0) {
            return Double.NaN;
        }
        int split = Arrays.binarySearch(sorted, 0, size, center);
        if (split < 0) {
            split = -split - 1;
        }
        // left pointer walks down from split-1, right pointer walks up from split
        int l = split - 1;
        int r = split;
        int lowerIdx = (size - 1) / 2;
        int upperIdx = size / 2;
        double lower = 0;
        double upper = 0;
        for (int k = 0; k <= upperIdx; k++) {
            double d;
            if (l < 0) {
                d = sorted[r++] - center;
            } else if (r >= size) {
                d = center - sorted[l--];
            } else {
                double dl = center - sorted[l];
                double dr = sorted[r] - center;
                if (dl <= dr) {
                    d = dl;
                    l--;
                } else {
                    d = dr;
                    r++;
                }
            }
            if (k == lowerIdx) {
                lower = d;
            }
            if (k == upperIdx) {
                upper = d;
            }
        }
        return 0.5 * (lower + upper);
    }

    /** Σ |v - center| over the window in ascending order of v, O(w). */
    @Override
    public double sumAbsDeviation(double center) {
        double s = 0;
        for (int i = 0; i < size; i++) {
            s += Math.abs(sorted[i] - center);
        }
        return s;
    }
}
