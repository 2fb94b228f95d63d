package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.OrderStatisticWindow;
import dev.helix.nexus.detect.internal.SortedWindow;

/**
 * Tukey fences over an exact rolling interquartile range: Q1, Q3 are the type-7 quartiles of the last
 * {@code window} finite samples (exact order statistics of the window); a sample is anomalous when it
 * lies more than k·IQR outside [Q1, Q3] (default k = 1.5, Tukey 1977).
 *
 * <p>Score: with d = distance beyond the nearer fence base in IQR units (0 inside [Q1, Q3]), score = d / (d + k),
 * continuous in [0, 1) and equal to 0.5 exactly at the Tukey fence. Zero IQR (e.g. a constant window) is floored at
 * 1e-12·max(1, |median|): a sample inside [Q1, Q3] scores 0, one outside scores ≈ 1. NaN/±Inf are ignored (score
 * 0, state unchanged). Scored out-of-sample.
 *
 * <p>Complexity per sample, worst case: for windows above {@value #TREE_ABOVE}, O(log w): one eviction and one
 * insertion in a counted B+-tree ({@link OrderStatisticWindow}) and two descents for the quartiles; for windows up
 * to {@value #TREE_ABOVE} (the default 512 included), a sorted array ({@link SortedWindow}): binary search plus a
 * memmove of at most w ≤ {@value #TREE_ABOVE} doubles, O(1) quartiles, which measured faster than the tree there
 * (docs/benchmarks/sorted-window.md). Both give the same bits. No allocation after construction. Not thread-safe.
 */
public final class IqrDetector extends SortedWindowDetector {

    /**
     * Windows longer than this use the O(log w) tree, shorter ones the sorted array. Measured crossover of the
     * per-sample IQR work (thread CPU time, docs/benchmarks/sorted-window.md): the array is 2.1× faster at 512,
     * 1.5× at 2,048 and 1.1× at 4,096; the tree is 1.5× faster at 8,192 and 4.3× at 32,768.
     */
    public static final int TREE_ABOVE = 4096;

    /** Window 512, k = 1.5, warm-up 30 samples. */
    public IqrDetector() {
        this(512, 1.5, 30);
    }

    /**
     * @param window     the number of most recent finite samples the quartiles are taken over, at least 4
     * @param k          the fence multiplier f (Tukey's 1.5), &gt; 0
     * @param minSamples warm-up: samples held before the first non-zero score, in [4, window]
     * @throws IllegalArgumentException if a parameter is out of range
     */
    public IqrDetector(int window, double k, int minSamples) {
        this(window, k, minSamples, window > TREE_ABOVE);
    }

    /** As the public constructor, with the window implementation forced (tests compare both at any size). */
    IqrDetector(int window, double k, int minSamples, boolean tree) {
        super(window, k, minSamples, 4, tree);
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
