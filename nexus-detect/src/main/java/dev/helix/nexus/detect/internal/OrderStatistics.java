package dev.helix.nexus.detect.internal;

/**
 * A sliding window of the last {@link #capacity()} non-NaN doubles with exact order statistics, in
 * {@link Double#compare} order (-0.0 before +0.0). Two implementations with identical results (bit for bit) and
 * different costs: {@link SortedWindow} (sorted array: O(w) memmove per add, O(1) quantiles, O(w) MAD; fastest for
 * small windows) and {@link OrderStatisticWindow} (counted B+-tree: O(log w) add and quantiles, O(log² w) MAD).
 * Implementations are not thread-safe.
 */
public interface OrderStatistics {

    /** Values held (at most {@link #capacity()}). */
    int size();

    /** The window length. */
    int capacity();

    /** Drops every value. */
    void clear();

    /** Adds a non-NaN value, evicting the oldest when full. */
    void add(double x);

    /** The k-th smallest value, 0-based. */
    double get(int k);

    /** Type-7 quantile (linear interpolation between order statistics); NaN when empty. */
    double quantile(double q);

    /** {@code quantile(0.5)}. */
    double median();

    /**
     * Unscaled median absolute deviation from {@code center}: the mean of the deviations of rank ⌊(n-1)/2⌋ and
     * ⌊n/2⌋; NaN when empty.
     */
    double mad(double center);

    /** Σ |v - center| over the held values, added in ascending order of v. O(w). */
    double sumAbsDeviation(double center);
}
