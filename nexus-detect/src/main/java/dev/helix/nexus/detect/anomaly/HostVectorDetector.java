package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.RowRing;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The part of a live host-vector detector ({@link HostVectorForest}, {@link HostVectorPca}) that does not depend on
 * its model: the tick vector ({@link #set}, {@link #add}, {@link #max}), skipping sparse ticks, the robust per-dimension
 * median and scale, the ring of recent normal raw vectors with the admission rule, the verdict with hysteresis, the
 * periodic refit and the ranking of the top-k evidence dimensions. A subclass supplies the model: how the stored
 * vectors are transformed for fitting, the first fit (with its cross-fitted calibration), the refit, the score of a
 * tick and its tail probability, and the evidence key of each dimension.
 *
 * <p><b>Tick.</b> A dimension not reported in a tick (or reported only NaN/±Inf) is missing. {@link #endTick()}: a tick
 * with fewer than half of the dimensions present is skipped (no score, no change of state, nothing learned). Before
 * the first fit the raw vector is stored (missing values stay NaN and are left out of the medians); after
 * {@code learning} stored vectors the scaling is estimated ({@link #scaleMemory()}) and the subclass fits
 * ({@link #firstFit()}). Afterwards each tick is judged ({@link #judge()} gives its tail probability p): the verdict
 * turns on when p ≤ {@code alpha} and stays on while p ≤ {@code holdAlpha}; the evidence is ranked
 * ({@link #rankEvidence()}); the tick is learned ({@link #learnScore()}, and its raw vector, missing values imputed at
 * the median, stored) unless the verdict is on and has been on for at most {@code admitAfter} ticks in a row; every
 * {@code refitEvery} scored ticks the scaling is re-estimated and the subclass refits ({@link #refit()}).
 *
 * <p><b>Scaling.</b> Per dimension, over the stored non-missing values: median m and scale s = IQR/1.349, else
 * 1.2533 × the mean absolute deviation from m; the subclass decides what to do when that is still 0 or no value is
 * present ({@link #finalScale}). Medians by an in-place heapsort of a scratch column (O(memory·log memory) per
 * dimension, allocation-free).
 *
 * <p>Complexity of the shared part per tick: O(d) for the vector and the admission, O(d·topK) for the ranking; the
 * scaling O(d·memory·log memory) per fit. Memory O(memory·d) doubles. Allocation-free after construction. Not
 * thread-safe: one thread reports values and ends ticks.
 */
abstract class HostVectorDetector {

    private final String[] names;
    /** Number of dimensions. */
    protected final int d;
    private final int learning;
    private final int refitEvery;
    private final double alpha;
    private final double holdAlpha;
    private final int admitAfter;

    /** This tick's raw values (NaN = missing); after {@link #endTick()}'s judging, still this tick's. */
    protected final double[] current;
    /** Whether dimension i is present in this tick (set by {@link #endTick()} before judging). */
    protected final boolean[] present;
    /** The robust z of each dimension in the last judged tick (written by the subclass's {@link #judge()}). */
    protected final double[] z;
    /** Median of each dimension as of the last fit. */
    protected final double[] median;
    /** Scale of each dimension as of the last fit. */
    protected final double[] scale;
    /** Raw stored vectors, a ring of {@code memory} rows. */
    private final RowRing memory;
    /** The stored rows transformed by {@link #fitCoordinate} (ring order from row 0), for the subclass's fits. */
    protected final double[] fitRows;
    private final double[] column;
    /** Evidence dimensions of the last judged tick, largest key first. */
    private final int[] top;
    /** The evidence keys of {@link #top}, for a subclass that reports them. */
    protected final double[] topKey;
    /** Scratch: this tick's evidence key per dimension. */
    private final double[] key;
    private int topCount;

    private long ticks;
    private long scoredTicks;
    private int sinceRefit;
    private int onRun;
    private int refits;
    /** The tail probability of the last judged tick (1 before the first). */
    protected double p = 1;
    private boolean fitted;
    private boolean anomalous;
    private boolean changed;

    HostVectorDetector(List<String> names, int learning, int memory, int refitEvery, double alpha, double holdAlpha,
                       int admitAfter, int topK) {
        Objects.requireNonNull(names, "names");
        if (names.size() < 2) {
            throw new IllegalArgumentException("a host vector needs at least 2 dimensions, got " + names.size());
        }
        this.names = names.toArray(String[]::new);
        this.d = this.names.length;
        this.learning = learning;
        this.refitEvery = refitEvery;
        this.alpha = alpha;
        this.holdAlpha = holdAlpha;
        this.admitAfter = admitAfter;
        current = new double[d];
        Arrays.fill(current, Double.NaN);
        present = new boolean[d];
        z = new double[d];
        median = new double[d];
        scale = new double[d];
        this.memory = new RowRing(memory, d);
        fitRows = new double[memory * d];
        column = new double[memory];
        top = new int[topK];
        topKey = new double[topK];
        key = new double[d];
    }

    /**
     * Checks the parameters both detectors' configurations share; the messages name the parameter and its value.
     *
     * @throws IllegalArgumentException naming the first parameter out of range
     */
    static void checkCommon(int learning, int memory, int refitEvery, int calibration, double alpha,
                            double holdAlpha, double shapeMargin, int admitAfter, int topK) {
        if (learning < 20) {
            throw new IllegalArgumentException("learning must be >= 20 ticks, got " + learning);
        }
        if (memory < learning || memory > 4096) {
            throw new IllegalArgumentException("memory must be in [learning=" + learning + ", 4096], got " + memory);
        }
        if (refitEvery < 1) {
            throw new IllegalArgumentException("refitEvery must be >= 1 tick, got " + refitEvery);
        }
        if (calibration < 20) {
            throw new IllegalArgumentException("calibration must be >= 20 scores, got " + calibration);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        if (!(holdAlpha >= alpha && holdAlpha < 1)) {
            throw new IllegalArgumentException("holdAlpha must be in [alpha, 1), got " + holdAlpha);
        }
        if (!(shapeMargin >= 0)) {
            throw new IllegalArgumentException("shapeMargin must be >= 0, got " + shapeMargin);
        }
        if (admitAfter < 1) {
            throw new IllegalArgumentException("admitAfter must be >= 1 tick, got " + admitAfter);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
    }

    // ---- the model, supplied by the subclass ----

    /**
     * The value a stored raw value {@code v} (NaN = missing) of dimension {@code j} has in {@link #fitRows}, with the
     * current {@link #median} and {@link #scale}.
     */
    abstract double fitCoordinate(double v, int j);

    /**
     * The scale of a dimension from {@code s}, its IQR/1.349 or, when that is 0, 1.2533 × its mean absolute deviation
     * (so s ≤ 0 only for a dimension constant in the stored vectors); {@code sorted[0, n)} holds its {@code n} stored
     * values ascending ({@code n == 0}: none, s = 0) and {@code m} is their median (0 when n is 0).
     */
    abstract double finalScale(double s, double[] sorted, int n, double m);

    /** The first fit on the {@link #stored()} learning rows of {@link #fitRows}, with its cross-fitted calibration. */
    abstract void firstFit();

    /** A refit on the {@link #stored()} rows of {@link #fitRows}. */
    abstract void refit();

    /**
     * Scores this tick ({@link #current}, {@link #present}), writes {@link #z} and returns the tail probability.
     */
    abstract double judge();

    /** Fills {@code key} (length d) with each dimension's evidence key (larger = more unusual) for this tick. */
    abstract void evidenceKeys(double[] key);

    /** Adds this tick's out-of-sample score(s) to the calibration (called only for a learned tick). */
    abstract void learnScore();

    // ---- the shared protocol ----

    /** Number of dimensions. */
    public int dimensions() {
        return d;
    }

    /** The name of dimension {@code dim}. */
    public String name(int dim) {
        checkDim(dim);
        return names[dim];
    }

    /** Sets dimension {@code dim} for this tick; NaN/±Inf leaves it as it was. */
    public void set(int dim, double value) {
        checkDim(dim);
        if (Double.isFinite(value)) {
            current[dim] = value;
        }
    }

    /** Adds {@code value} to dimension {@code dim} for this tick (the first finite value sets it); NaN/±Inf ignored. */
    public void add(int dim, double value) {
        checkDim(dim);
        if (Double.isFinite(value)) {
            current[dim] = Double.isNaN(current[dim]) ? value : current[dim] + value;
        }
    }

    /** Raises dimension {@code dim} to at least {@code value} for this tick; NaN/±Inf ignored. */
    public void max(int dim, double value) {
        checkDim(dim);
        if (Double.isFinite(value)) {
            current[dim] = Double.isNaN(current[dim]) ? value : Math.max(current[dim], value);
        }
    }

    final void checkDim(int dim) {
        if (dim < 0 || dim >= d) {
            throw new IndexOutOfBoundsException("dimension " + dim + " of a " + d + "-dimensional host vector");
        }
    }

    /**
     * Judges the values reported since the last call, updates the verdict, learns (see the class comment) and starts
     * the next tick.
     *
     * @return the verdict after this tick
     */
    public boolean endTick() {
        ticks++;
        changed = false;
        int n = 0;
        for (int i = 0; i < d; i++) {
            present[i] = !Double.isNaN(current[i]);
            n += present[i] ? 1 : 0;
        }
        if (2 * n < d) {
            Arrays.fill(current, Double.NaN);
            return anomalous;
        }
        scoredTicks++;
        if (!fitted) {
            memory.add(current); // missing stays NaN and is left out of the medians
            if (memory.size() >= learning) {
                scaleMemory();
                firstFit();
                fitted = true;
                sinceRefit = 0;
                refits++;
            }
            Arrays.fill(current, Double.NaN);
            return false;
        }
        p = judge();
        boolean before = anomalous;
        anomalous = anomalous ? p <= holdAlpha : p <= alpha;
        changed = before != anomalous;
        rankTop();
        onRun = anomalous ? onRun + 1 : 0;
        if (!anomalous || onRun > admitAfter) {
            for (int i = 0; i < d; i++) {
                if (!present[i]) {
                    current[i] = median[i];
                }
            }
            memory.add(current);
            learnScore();
        }
        if (++sinceRefit >= refitEvery) {
            scaleMemory();
            refit();
            sinceRefit = 0;
            refits++;
        }
        Arrays.fill(current, Double.NaN);
        return anomalous;
    }

    /** Medians and scales of the stored rows, then the rows through {@link #fitCoordinate} into {@link #fitRows}. */
    private void scaleMemory() {
        for (int j = 0; j < d; j++) {
            int n = 0;
            for (int r = 0; r < memory.size(); r++) {
                double v = memory.flat()[memory.offset(r) + j];
                if (!Double.isNaN(v)) {
                    column[n++] = v;
                }
            }
            if (n == 0) {
                median[j] = 0;
                scale[j] = finalScale(0, column, 0, 0);
                continue;
            }
            heapSort(column, n);
            double m = quantile(column, n, 0.5);
            double s = (quantile(column, n, 0.75) - quantile(column, n, 0.25)) / 1.349;
            if (!(s > 0)) {
                double mad = 0;
                for (int r = 0; r < n; r++) {
                    mad += Math.abs(column[r] - m);
                }
                s = 1.2533 * mad / n;
            }
            median[j] = m;
            scale[j] = finalScale(s, column, n, m);
        }
        double[] stored = memory.flat();
        for (int r = 0; r < memory.size(); r++) {
            int src = memory.offset(r);
            for (int j = 0; j < d; j++) {
                fitRows[r * d + j] = fitCoordinate(stored[src + j], j);
            }
        }
    }

    /** The topK present dimensions by their evidence key, by insertion (ties: lower dimension first). */
    private void rankTop() {
        evidenceKeys(key);
        topCount = 0;
        for (int j = 0; j < d; j++) {
            if (!present[j]) {
                continue;
            }
            double c = key[j];
            int pos = topCount;
            while (pos > 0 && c > topKey[pos - 1]) {
                pos--;
            }
            if (pos >= top.length) {
                continue;
            }
            int end = Math.min(topCount, top.length - 1);
            for (int i = end; i > pos; i--) {
                top[i] = top[i - 1];
                topKey[i] = topKey[i - 1];
            }
            top[pos] = j;
            topKey[pos] = c;
            if (topCount < top.length) {
                topCount++;
            }
        }
    }

    /** Sorts a[0, n) ascending in place: heapsort, O(n log n), allocation-free (NaN-free input). */
    static void heapSort(double[] a, int n) {
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(a, i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            double tmp = a[0];
            a[0] = a[end];
            a[end] = tmp;
            siftDown(a, 0, end);
        }
    }

    private static void siftDown(double[] a, int i, int n) {
        double v = a[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && a[c + 1] > a[c]) {
                c++;
            }
            if (a[c] <= v) {
                break;
            }
            a[i] = a[c];
            i = c;
        }
        a[i] = v;
    }

    /** Type-7 quantile of the first n sorted values. */
    static double quantile(double[] sorted, int n, double q) {
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(n - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    // ---- state ----

    /** True until the first fit (the first {@code learning} scored ticks). */
    public boolean isWarmingUp() {
        return !fitted;
    }

    /** The verdict after the last tick. */
    public boolean isAnomalous() {
        return anomalous;
    }

    /** True when the last {@link #endTick()} turned the verdict on or off. */
    public boolean changed() {
        return changed;
    }

    /** The host-vector tail probability of the last judged tick (1 before the first; class comment of the detector). */
    public double tailProbability() {
        return p;
    }

    /** {@link #tailProbability()} on the likelihood scale of {@link HostConsensus} (0.5 = 1e-5). */
    public double likelihoodScore() {
        return HostConsensus.scoreOf(p);
    }

    /** Number of evidence dimensions of the last judged tick (≤ topK, ≤ dimensions present). */
    public int topCount() {
        return topCount;
    }

    /** The i-th most unusual present dimension of the last judged tick (largest evidence key first). */
    public int topDimension(int i) {
        checkTop(i);
        return top[i];
    }

    /**
     * The robust z of {@link #topDimension(int) topDimension(i)} in the last judged tick (signed; 0 for a dimension
     * {@link HostVectorPca} holds inactive).
     */
    public double topZ(int i) {
        checkTop(i);
        return z[top[i]];
    }

    final void checkTop(int i) {
        if (i < 0 || i >= topCount) {
            throw new IndexOutOfBoundsException("evidence " + i + " of " + topCount);
        }
    }

    /** The median dimension {@code dim} is scaled around (as of the last fit). */
    public double median(int dim) {
        checkDim(dim);
        return median[dim];
    }

    /** The robust scale of dimension {@code dim} (as of the last fit; {@link HostVectorPca}: 0 = inactive). */
    public double scale(int dim) {
        checkDim(dim);
        return scale[dim];
    }

    /** Ticks ended so far (scored or skipped). */
    public long ticks() {
        return ticks;
    }

    /** Ticks with enough dimensions present to be learned or judged. */
    public long scoredTicks() {
        return scoredTicks;
    }

    /** Fits so far (the first fit included). */
    public int refits() {
        return refits;
    }

    /** Stored raw vectors (≤ memory). */
    public int stored() {
        return memory.size();
    }

    /** Whether stored vector {@code r} (0 = oldest) has, in dimension {@code dim}, a value above {@code v}. */
    public boolean storedAbove(int r, int dim, double v) {
        checkDim(dim);
        if (r < 0 || r >= memory.size()) {
            throw new IndexOutOfBoundsException("stored vector " + r + " of " + memory.size());
        }
        return memory.flat()[memory.offset(r) + dim] > v;
    }
}
