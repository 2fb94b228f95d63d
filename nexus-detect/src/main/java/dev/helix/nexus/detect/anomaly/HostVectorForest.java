package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.IsolationForest;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A multivariate live host detector: once per tick, a fixed-order vector of host metrics is judged by an Isolation
 * Forest (Liu, Ting &amp; Zhou, ICDM 2008) fitted on this host's own recent normal vectors, and its score is turned
 * into a tail probability calibrated on the forest's own out-of-sample scores, so that the verdict ("p ≤ alpha",
 * default 1e-5 per tick) means the same thing as the per-series detectors' and {@link HostConsensus}'s.
 *
 * <p><b>Protocol.</b> Dimensions are numbered 0 .. d−1 (the caller maps metrics to dimensions and names them). Each
 * tick, report values with {@link #set}, {@link #add} (sums several series into one dimension, e.g. bytes written over
 * all disks) or {@link #max}, then call {@link #endTick()}. A dimension not reported in a tick (or reported only NaN/±Inf)
 * is <em>missing</em>: it is imputed at its median (robust z = 0, "typical"), so it neither raises nor lowers the
 * score and is never named as evidence. A tick with fewer than half of the dimensions present is skipped (no score, no
 * change of state, nothing learned), e.g. the first tick of rate metrics.
 *
 * <p><b>Scaling.</b> Each dimension is robustly standardised with the median and scale of the vectors the forest is
 * fitted on: z = (x − median)/scale, scale = IQR/1.349, or 1.2533 × mean absolute deviation from the median when the
 * IQR is 0 (a mostly-constant counter), or 1e-9·max(1, |median|) when both are 0 (constant so far). The forest itself
 * is invariant to a per-dimension affine map (a split value is drawn uniformly between the node's min and max), so
 * the scaling does not change its scores; it makes the evidence comparable across units (bytes/s vs fractions) and
 * defines the imputation. A dimension that was constant in the fitted vectors is never split on, so the forest cannot
 * see it move until a refit sees it vary (e.g. major faults that were always 0); it can still be named as evidence.
 *
 * <p><b>Learning.</b> The first {@code learning} scored ticks (default 300) are stored. Then: the forest is fitted on
 * the first half and scores the second half, fitted on the second half and scores the first (a cross-fit, so each of
 * those {@code learning} calibration scores is out-of-sample; the half forests are smaller, so their scores are
 * slightly more spread, which errs towards fewer alarms), and finally fitted on all of them. From tick
 * {@code learning + 1} on every tick is scored and judged ({@link #isWarmingUp()} is false).
 *
 * <p><b>Score and tail probability.</b> score s = 2^(−E[h(x)]/c(ψ)) from {@code trees} trees (default 100) on
 * subsamples of ψ = min({@code psi}, n) vectors (default 256). Its tail probability p is estimated from the last
 * {@code calibration} (default 1000) out-of-sample scores of normal ticks (each live score comes from a forest
 * fitted before that tick): with k = max(10, ⌈0.02 n⌉) the tail threshold u is the (k+1)-th largest score and the
 * scores above it are the peaks; for s ≤ u the conformal p = (#{h ≥ s} + 1)/(n + 1); for s &gt; u a generalised
 * Pareto tail of the peaks' excesses, p = (N_u + 1)/(n + 1)·(1 + γ(s − u)/σ)^(−1/γ), with the probability-weighted
 * moment shape clamped at γ ≥ 0 and widened by {@code shapeMargin} standard errors: the tail model of
 * {@link LiveSeriesDetector}, but with a default margin of 0, because an isolation score is bounded above (a point
 * isolated at depth 1 in every tree scores 2^(−1/c(ψ)), and no point does better than the corner of the fitted data,
 * below), so its true tail is light (γ &lt; 0) and the exponential (γ = 0) is already conservative.
 * {@link #likelihoodScore()} puts p on the log scale of {@link HostConsensus} (0.5 = 1e-5).
 *
 * <p><b>Known limit (measured, {@code docs/benchmarks/live-detection.md}).</b> Split values are drawn within the
 * fitted data's range, so a value beyond it follows the most extreme fitted points and scores like them however far
 * out it is: on 12-dimensional Gaussian test data one metric 100 standard deviations off scores like a normal vector,
 * and every metric far off (the corner) reaches only p ≈ 1e-4 against 1000 calibration scores. At the default 1e-5
 * budget the forest therefore judges only vectors more isolated than anything in its calibration by a wide margin;
 * on the recordings of this host it gave no verdict at all (no false one, and none for the injected faults).
 *
 * <p><b>Verdict.</b> The host-vector verdict turns on when p ≤ {@code alpha} (default 1e-5) and stays on while
 * p ≤ {@code holdAlpha} (default 1e-2), so a fault whose score wavers does not flap; {@link #changed()} tells whether
 * the last tick turned it on or off. Evidence: the {@code topK} (default 3) present dimensions with the largest |z|
 * in the tick's vector ({@link #topDimension}, {@link #topZ}, {@link #topValue}).
 *
 * <p><b>Periodic refit on recent normal data.</b> Every {@code refitEvery} scored ticks (default 300) the medians and
 * scales are re-estimated and the forest refitted on the last {@code memory} (default 1024) stored raw vectors.
 * Only normal ticks are stored (vector for the refit, score for the calibration): while the verdict is on they are
 * left out, so an incident is not learned as normal, <em>unless</em> it has been on for more than {@code admitAfter}
 * ticks in a row (default 300): a lasting change of the host (a new workload) is then learned from that point on.
 *
 * <p>Complexity per tick: O(d) for the vector, O(d + trees·log ψ) to score, O(d·k) for the evidence, O(calibration)
 * for the sorted calibration insert (a memmove) and a tail fit O(k) when the calibration changed; a refit,
 * O(d·memory·log memory + trees·ψ·d·log ψ), every {@code refitEvery} ticks. Memory: O(memory·d + trees·ψ) doubles.
 * Allocation-free after construction (the medians are taken by an in-place heapsort of a scratch column).
 * Seeded: the same ticks and seed give the same scores. Not thread-safe: one thread reports values and ends ticks.
 */
public final class HostVectorForest {

    /**
     * Configuration; every parameter in ticks is a count of scored ticks.
     *
     * @param learning    ticks stored before the first fit, ≥ 20
     * @param trees       trees per forest (paper: 100)
     * @param psi         subsample size per tree (paper: 256)
     * @param memory      recent normal raw vectors kept for refits, in [learning, 4096]
     * @param refitEvery  ticks between refits, ≥ 1
     * @param calibration out-of-sample scores kept for the tail probability, ≥ 20
     * @param alpha       tail probability at or below which the verdict turns on, in (0, 1)
     * @param holdAlpha   tail probability at or below which an on verdict stays on, in [alpha, 1)
     * @param shapeMargin standard errors added to the tail's shape estimate, ≥ 0
     * @param admitAfter  ticks in a row with the verdict on after which vectors are learned anyway, ≥ 1
     * @param topK        dimensions named as evidence, ≥ 1
     * @param seed        random seed of the forest
     */
    public record Config(int learning, int trees, int psi, int memory, int refitEvery, int calibration, double alpha,
                         double holdAlpha, double shapeMargin, int admitAfter, int topK, long seed) {
        public Config {
            if (learning < 20) {
                throw new IllegalArgumentException("learning must be >= 20 ticks, got " + learning);
            }
            if (trees < 1) {
                throw new IllegalArgumentException("trees must be >= 1, got " + trees);
            }
            if (psi < 2) {
                throw new IllegalArgumentException("psi must be >= 2, got " + psi);
            }
            if (memory < learning || memory > 4096) {
                throw new IllegalArgumentException("memory must be in [learning=" + learning + ", 4096], got "
                        + memory);
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

        /**
         * Defaults: learning 300, 100 trees, ψ 256, memory 1024, refit every 300, calibration 1000, alpha 1e-5,
         * hold 1e-2, shape margin 0 (class comment), admit after 300, top 3, seed 42.
         */
        public static Config defaults() {
            return new Config(300, 100, 256, 1024, 300, 1000, 1e-5, 1e-2, 0.0, 300, 3, 42L);
        }

        /** This configuration with another learning length (memory raised to it if needed). */
        public Config withLearning(int l) {
            return new Config(l, trees, psi, Math.max(memory, l), refitEvery, calibration, alpha, holdAlpha,
                    shapeMargin, admitAfter, topK, seed);
        }

        /** This configuration with another shape margin. */
        public Config withShapeMargin(double m) {
            return new Config(learning, trees, psi, memory, refitEvery, calibration, alpha, holdAlpha, m, admitAfter,
                    topK, seed);
        }

        /** This configuration with other verdict thresholds. */
        public Config withAlpha(double a, double hold) {
            return new Config(learning, trees, psi, memory, refitEvery, calibration, a, hold, shapeMargin, admitAfter,
                    topK, seed);
        }

        /** This configuration with another refit period and admission delay. */
        public Config withRefit(int every, int admit) {
            return new Config(learning, trees, psi, memory, every, calibration, alpha, holdAlpha, shapeMargin, admit,
                    topK, seed);
        }
    }

    private final Config cfg;
    private final String[] names;
    private final int d;
    private final IsolationForest forest;

    private final double[] current;
    private final double[] z;
    private final double[] median;
    private final double[] scale;
    /** Raw stored vectors, row-major ring of {@code memory} rows. */
    private final double[] memory;
    private int memHead;
    private int memSize;
    /** Scaled rows for fitting (and the cross-fit's second half). */
    private final double[] fitRows;
    private final double[] column;
    private final double[] halfScores;
    private final ScoreTail calibration;
    private final int[] top;
    private final double[] topAbsZ;

    private long ticks;
    private long scoredTicks;
    private int sinceRefit;
    private int onRun;
    private int refits;
    private int topCount;
    private double score;
    private double p = 1;
    private boolean fitted;
    private boolean anomalous;
    private boolean changed;

    /**
     * @param names the dimensions' names, in order (used for evidence and errors); at least 2
     * @param cfg   the configuration
     */
    public HostVectorForest(List<String> names, Config cfg) {
        Objects.requireNonNull(names, "names");
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        if (names.size() < 2) {
            throw new IllegalArgumentException("a host vector needs at least 2 dimensions, got " + names.size());
        }
        this.names = names.toArray(String[]::new);
        this.d = this.names.length;
        this.forest = new IsolationForest(d, cfg.trees(), cfg.psi(), cfg.memory(), cfg.seed());
        current = new double[d];
        Arrays.fill(current, Double.NaN);
        z = new double[d];
        median = new double[d];
        scale = new double[d];
        memory = new double[cfg.memory() * d];
        fitRows = new double[cfg.memory() * d];
        column = new double[cfg.memory()];
        halfScores = new double[cfg.learning()];
        calibration = new ScoreTail(cfg.calibration(), cfg.shapeMargin());
        top = new int[cfg.topK()];
        topAbsZ = new double[cfg.topK()];
    }

    /** With {@link Config#defaults()}. */
    public HostVectorForest(List<String> names) {
        this(names, Config.defaults());
    }

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

    private void checkDim(int dim) {
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
        int present = 0;
        for (int i = 0; i < d; i++) {
            present += Double.isNaN(current[i]) ? 0 : 1;
        }
        if (2 * present < d) {
            Arrays.fill(current, Double.NaN);
            return anomalous;
        }
        scoredTicks++;
        if (!fitted) {
            for (int i = 0; i < d; i++) { // no medians yet: a missing value is stored as NaN and imputed at the fit
                z[i] = current[i];
            }
            store(z);
            if (memSize >= cfg.learning()) {
                firstFit();
            }
            Arrays.fill(current, Double.NaN);
            return false;
        }
        for (int i = 0; i < d; i++) {
            double x = current[i];
            z[i] = Double.isNaN(x) ? 0 : (x - median[i]) / scale[i];
        }
        score = forest.score(z, 0);
        p = calibration.tailProbability(score);
        boolean before = anomalous;
        anomalous = anomalous ? p <= cfg.holdAlpha() : p <= cfg.alpha();
        changed = before != anomalous;
        offerTop();
        onRun = anomalous ? onRun + 1 : 0;
        if (!anomalous || onRun > cfg.admitAfter()) {
            for (int i = 0; i < d; i++) {
                double x = current[i];
                current[i] = Double.isNaN(x) ? median[i] : x;
            }
            store(current);
            calibration.add(score);
        }
        if (++sinceRefit >= cfg.refitEvery()) {
            refit();
        }
        Arrays.fill(current, Double.NaN);
        return anomalous;
    }

    private void store(double[] row) {
        int slot;
        if (memSize < cfg.memory()) {
            slot = (memHead + memSize) % cfg.memory();
            memSize++;
        } else {
            slot = memHead;
            memHead = (memHead + 1) % cfg.memory();
        }
        System.arraycopy(row, 0, memory, slot * d, d);
    }

    /** Medians and scales of the stored rows, then the stored rows scaled into {@link #fitRows} (ring order). */
    private void scaleMemory() {
        for (int j = 0; j < d; j++) {
            int n = 0;
            for (int r = 0; r < memSize; r++) {
                double v = memory[((memHead + r) % cfg.memory()) * d + j];
                if (!Double.isNaN(v)) {
                    column[n++] = v;
                }
            }
            if (n == 0) {
                median[j] = 0;
                scale[j] = 1;
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
            if (!(s > 0)) {
                s = 1e-9 * Math.max(1, Math.abs(m));
            }
            median[j] = m;
            scale[j] = s;
        }
        for (int r = 0; r < memSize; r++) {
            int src = ((memHead + r) % cfg.memory()) * d;
            for (int j = 0; j < d; j++) {
                double v = memory[src + j];
                fitRows[r * d + j] = Double.isNaN(v) ? 0 : (v - median[j]) / scale[j];
            }
        }
    }

    /** Sorts a[0, n) ascending in place: heapsort, O(n log n), allocation-free (NaN-free input). */
    private static void heapSort(double[] a, int n) {
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(a, i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            double t = a[0];
            a[0] = a[end];
            a[end] = t;
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
    private static double quantile(double[] sorted, int n, double q) {
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(n - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Cross-fit calibration on the learning vectors, then the first fit on all of them. */
    private void firstFit() {
        scaleMemory();
        int n = memSize;
        int half = n / 2;
        forest.fit(fitRows, half); // first half, scores the second
        for (int r = half; r < n; r++) {
            halfScores[r] = forest.score(fitRows, r * d);
        }
        rotate(fitRows, 0, n * d, half * d); // the second half to the front (row order does not matter to a fit)
        forest.fit(fitRows, n - half);
        rotate(fitRows, 0, n * d, (n - half) * d); // and back, so that rows [0, half) are the first half again
        for (int r = 0; r < half; r++) {
            halfScores[r] = forest.score(fitRows, r * d);
        }
        for (int r = 0; r < n; r++) {
            calibration.add(halfScores[r]);
        }
        forest.fit(fitRows, n);
        fitted = true;
        sinceRefit = 0;
        refits++;
    }

    /** Rotates a[from, to) left by k positions (three reversals; allocation-free). */
    private static void rotate(double[] a, int from, int to, int k) {
        reverse(a, from, from + k);
        reverse(a, from + k, to);
        reverse(a, from, to);
    }

    private static void reverse(double[] a, int from, int to) {
        for (int i = from, j = to - 1; i < j; i++, j--) {
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private void refit() {
        scaleMemory();
        forest.fit(fitRows, memSize);
        sinceRefit = 0;
        refits++;
    }

    /** The topK present dimensions by |z|, by insertion (ties: lower dimension first). */
    private void offerTop() {
        topCount = 0;
        for (int i = 0; i < d; i++) {
            if (Double.isNaN(current[i])) {
                continue;
            }
            double a = Math.abs(z[i]);
            int pos = topCount;
            while (pos > 0 && a > topAbsZ[pos - 1]) {
                pos--;
            }
            if (pos >= top.length) {
                continue;
            }
            int end = Math.min(topCount, top.length - 1);
            for (int j = end; j > pos; j--) {
                top[j] = top[j - 1];
                topAbsZ[j] = topAbsZ[j - 1];
            }
            top[pos] = i;
            topAbsZ[pos] = a;
            if (topCount < top.length) {
                topCount++;
            }
        }
    }

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

    /** The forest's isolation score of the last judged tick, in (0, 1] (0 before the first). */
    public double score() {
        return score;
    }

    /** The tail probability of the last judged tick's score (1 before the first). */
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

    /** The i-th most unusual present dimension of the last judged tick (largest |z| first). */
    public int topDimension(int i) {
        checkTop(i);
        return top[i];
    }

    /** The robust z of {@link #topDimension(int) topDimension(i)} in the last judged tick (signed). */
    public double topZ(int i) {
        checkTop(i);
        return z[top[i]];
    }

    /** The value of {@link #topDimension(int) topDimension(i)} in the last judged tick. */
    public double topValue(int i) {
        checkTop(i);
        return median[top[i]] + z[top[i]] * scale[top[i]];
    }

    private void checkTop(int i) {
        if (i < 0 || i >= topCount) {
            throw new IndexOutOfBoundsException("evidence " + i + " of " + topCount);
        }
    }

    /** The median dimension {@code dim} is scaled around (as of the last fit). */
    public double median(int dim) {
        checkDim(dim);
        return median[dim];
    }

    /** The robust scale of dimension {@code dim} (as of the last fit). */
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
        return memSize;
    }

    /** Whether stored vector {@code r} (0 = oldest) has, in dimension {@code dim}, a value above {@code v}. */
    public boolean storedAbove(int r, int dim, double v) {
        checkDim(dim);
        if (r < 0 || r >= memSize) {
            throw new IndexOutOfBoundsException("stored vector " + r + " of " + memSize);
        }
        return memory[((memHead + r) % cfg.memory()) * d + dim] > v;
    }

    /** The configuration. */
    public Config config() {
        return cfg;
    }
}
