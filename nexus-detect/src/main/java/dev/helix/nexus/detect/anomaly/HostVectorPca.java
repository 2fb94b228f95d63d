package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.Jacobi;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A multivariate live host detector whose statistics grow without bound as a vector leaves the learned range: once per
 * tick, a fixed-order vector of host metrics is robustly standardised, projected on a principal component analysis
 * (PCA) of this host's own recent normal vectors, and judged by two classical statistics of multivariate process
 * monitoring (Jackson &amp; Mudholkar 1979; MacGregor &amp; Kourti 1995):
 * <ul>
 *   <li>Hotelling's T² on the k retained components, T² = Σ_{i&lt;k} t_i²/λ_i (how far the vector lies from the mean
 *       <em>along</em> the host's usual directions of variation, in units of their spread), and</li>
 *   <li>the residual Q (squared prediction error), Q = ‖u − μ − V_k t‖² (how far it lies <em>off</em> them: a
 *       combination of metrics the host does not usually show).</li>
 * </ul>
 * Each statistic's tail probability is calibrated on its own out-of-sample scores (conformal, with a POT tail beyond
 * the 2 % tail as {@link LiveSeriesDetector}); the host-vector p is 2·min(p_T², p_Q) (Bonferroni over the two), so the
 * verdict "p ≤ alpha" (default 1e-5 per tick) means the same as the per-series detectors' and {@link HostConsensus}'s.
 * Unlike {@link HostVectorForest}, whose isolation score saturates at the edge of the fitted data, a metric 100 robust
 * standard deviations out gives a far larger T² or Q than one 6 out.
 *
 * <p><b>Protocol.</b> As {@link HostVectorForest}: dimensions 0 .. d−1, values reported per tick with {@link #set},
 * {@link #add} (sums into one dimension) or {@link #max}, then {@link #endTick()}. A dimension not reported (or only
 * NaN/±Inf) is <em>missing</em>: it is imputed at its mean in the PCA's coordinates, so it adds nothing to T² or Q,
 * and is never named as evidence. A tick with fewer than half of the dimensions present is skipped (no score, no
 * change of state, nothing learned).
 *
 * <p><b>Scaling.</b> z = (x − median)/scale per dimension, with the median and scale of the fitted vectors: scale =
 * IQR/1.349, else 1.2533 × mean absolute deviation from the median (a mostly-constant counter), else the standard
 * deviation; a dimension with none of these above 0 (constant in all fitted vectors) is <em>inactive</em> until a
 * refit sees it vary: its z is 0 (it cannot be judged on a scale it never showed) but it is still reported as evidence
 * context through {@link #topZ}. With {@code compress} (default on) the PCA sees u = asinh(z) instead of z: host
 * metrics are heavy-tailed (disk bytes, page faults), and without it one burst dimension dominates the covariance;
 * asinh is the identity near 0 and logarithmic beyond a few units, so the statistics still grow without bound, but
 * only as the square of the excursion's logarithm (measured cost of that on synthetic data: a single metric needs about
 * 100 robust sd, not 20, to reach 1e-5; {@code docs/benchmarks/live-detection.md} §9).
 *
 * <p><b>PCA.</b> Mean μ and covariance of u over the fitted vectors; eigen-decomposition by cyclic Jacobi rotations;
 * k = the fewest leading components explaining at least {@code varianceKept} (default 0.9) of the variance, at most
 * d − 1 (so Q is defined); eigenvalues are floored at 1e-9 × the trace (plus 1e-12) in T².
 *
 * <p><b>Learning and calibration.</b> The first {@code learning} scored ticks (default 300) are stored. Then, with the
 * scaling of all of them, a PCA fitted on the first half scores the second, one fitted on the second half scores the
 * first (a cross-fit: every calibration score is out-of-sample), and the PCA is fitted on all. T² and Q, each averaged
 * over the last {@code smooth} judged ticks (default 1: not smoothed), are calibrated separately. Afterwards every
 * normal tick's statistics (each from a PCA fitted before it) join the calibrations, which keep the last
 * {@code calibration} (default 4000) values. The tail model is {@link LiveSeriesDetector}'s with a default shape margin
 * of 0.5 standard errors: T² of Gaussian data is chi-square, whose tail is exponential (γ = 0), and a heavier
 * empirical tail raises the estimated γ itself. Measured on synthetic noise, a margin of 0 gave about the nominal
 * 1e-5 onsets per tick, and 0.5 gave none in 100,000 ticks. With the larger calibration (about 80 peaks), a 100-sd
 * single-metric jump still reaches 1e-5 ({@code docs/benchmarks/live-detection.md} §9).
 *
 * <p><b>Verdict and evidence.</b> On when p ≤ {@code alpha}, stays on while p ≤ {@code holdAlpha} (default 1e-2);
 * {@link #changed()} tells whether the last tick switched it. Evidence: the {@code topK} (default 3) present
 * dimensions contributing most to the statistic with the smaller p: for Q the squared residual r_j² (Σ_j r_j² = Q), for
 * T² the partial contribution (u_j − μ_j)·Σ_{i&lt;k} V_ji t_i/λ_i (Σ_j = T²; a term can be negative), each given as
 * a share of the statistic ({@link #topShare}), with the metric's robust z and raw value. Contributions smear: when
 * half of a correlated group moves, the residual also shows on the half that did not, so the evidence names the group
 * rather than exactly the moved metrics (pinned by a test).
 *
 * <p><b>Periodic refit on recent normal data.</b> Every {@code refitEvery} scored ticks (default 300) the scaling and
 * the PCA are re-estimated from the last {@code memory} (default 1024) stored raw vectors. Only normal ticks are
 * stored: while the verdict is on they are left out, unless it has been on for more than {@code admitAfter} ticks in a
 * row (default 300), so a lasting change of the host is learned from then on.
 *
 * <p>Complexity per tick: O(d·k) to project, O(d·k) for the T² evidence, O(d·topK) to rank, O(calibration) for the two
 * sorted calibration inserts; a refit costs O(d·memory·log memory + memory·d² + sweeps·d³) every {@code refitEvery}
 * ticks. Memory O(memory·d + d²) doubles. Allocation-free after construction. Deterministic (no randomness): the same
 * ticks give the same scores. Not thread-safe: one thread reports values and ends ticks.
 */
public final class HostVectorPca {

    /**
     * Configuration; every parameter in ticks is a count of scored ticks.
     *
     * @param learning     ticks stored before the first fit, ≥ 20
     * @param memory       recent normal raw vectors kept for refits, in [learning, 4096]
     * @param refitEvery   ticks between refits, ≥ 1
     * @param calibration  out-of-sample scores kept per statistic for its tail probability, ≥ 20
     * @param varianceKept share of the variance the retained components explain, in (0, 1)
     * @param compress     whether the PCA sees asinh(z) instead of z
     * @param alpha        tail probability at or below which the verdict turns on, in (0, 1)
     * @param holdAlpha    tail probability at or below which an on verdict stays on, in [alpha, 1)
     * @param shapeMargin  standard errors added to each tail's shape estimate, ≥ 0
     * @param admitAfter   ticks in a row with the verdict on after which vectors are learned anyway, ≥ 1
     * @param topK         dimensions named as evidence, ≥ 1
     * @param smooth       judged ticks T² and Q are averaged over before calibration, in [1, learning/4]
     */
    public record Config(int learning, int memory, int refitEvery, int calibration, double varianceKept,
                         boolean compress, double alpha, double holdAlpha, double shapeMargin, int admitAfter,
                         int topK, int smooth) {
        public Config {
            if (learning < 20) {
                throw new IllegalArgumentException("learning must be >= 20 ticks, got " + learning);
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
            if (!(varianceKept > 0 && varianceKept < 1)) {
                throw new IllegalArgumentException("varianceKept must be in (0, 1), got " + varianceKept);
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
            if (smooth < 1 || smooth > learning / 4) {
                throw new IllegalArgumentException("smooth must be in [1, learning/4=" + learning / 4 + "], got "
                        + smooth);
            }
        }

        /**
         * Defaults: learning 300, memory 1024, refit every 300, calibration 4000, 90 % of the variance kept, asinh
         * compression on, alpha 1e-5, hold 1e-2, shape margin 0.5 (class comment), admit after 300, top 3, no
         * smoothing.
         * Chosen on the recordings of {@code docs/benchmarks/live-detection.md} §9, where asinh off gave 11 false
         * verdicts in 2,120 s.
         */
        public static Config defaults() {
            return new Config(300, 1024, 300, 4000, 0.9, true, 1e-5, 1e-2, 0.5, 300, 3, SMOOTH_DEFAULT);
        }

        /** This configuration with another learning length (memory raised to it if needed). */
        public Config withLearning(int l) {
            return new Config(l, Math.max(memory, l), refitEvery, calibration, varianceKept, compress, alpha,
                    holdAlpha, shapeMargin, admitAfter, topK, smooth);
        }

        /** This configuration with other verdict thresholds. */
        public Config withAlpha(double a, double hold) {
            return new Config(learning, memory, refitEvery, calibration, varianceKept, compress, a, hold, shapeMargin,
                    admitAfter, topK, smooth);
        }

        /** This configuration with another refit period and admission delay. */
        public Config withRefit(int every, int admit) {
            return new Config(learning, memory, every, calibration, varianceKept, compress, alpha, holdAlpha,
                    shapeMargin, admit, topK, smooth);
        }

        /** This configuration with another retained variance share and compression. */
        public Config withPca(double kept, boolean asinh) {
            return new Config(learning, memory, refitEvery, calibration, kept, asinh, alpha, holdAlpha, shapeMargin,
                    admitAfter, topK, smooth);
        }

        /** This configuration with another shape margin. */
        public Config withShapeMargin(double m) {
            return new Config(learning, memory, refitEvery, calibration, varianceKept, compress, alpha, holdAlpha, m,
                    admitAfter, topK, smooth);
        }

        /** This configuration averaging T² and Q over {@code w} judged ticks. */
        public Config withSmoothing(int w) {
            return new Config(learning, memory, refitEvery, calibration, varianceKept, compress, alpha, holdAlpha,
                    shapeMargin, admitAfter, topK, w);
        }
    }

    private static final int SMOOTH_DEFAULT = 1;

    /** Which statistic the evidence explains. */
    public enum Statistic {
        /** Hotelling's T² on the retained components. */
        T2,
        /** The residual Q (squared prediction error). */
        Q
    }

    private final Config cfg;
    private final String[] names;
    private final int d;

    private final double[] current;
    private final boolean[] present;
    private final double[] z;
    private final double[] u;
    private final double[] lastRaw;
    private final double[] median;
    private final double[] scale;
    private final double[] memory;
    private int memHead;
    private int memSize;
    /** Transformed rows u of the stored vectors, ring order from row 0. */
    private final double[] fitRows;
    private final double[] column;
    private final double[] halfT2;
    private final double[] halfQ;

    // the PCA in use: mean, eigenvalues (floored), eigenvectors as columns, k retained
    private final double[] mean;
    private final double[] lambda;
    private final double[] vectors;
    private int k;
    private final double[] cov;
    private final double[] rawValues;
    private final double[] t;
    private final double[] resid;
    private final double[] contrib;

    /** The last {@code smooth} statistics (T², Q), a ring, and their sums. */
    private final double[] ringT2;
    private final double[] ringQ;
    private int ringPos;
    private int ringN;
    private double sumT2;
    private double sumQ;
    private final ScoreTail tailT2;
    private final ScoreTail tailQ;
    private final int[] top;
    private final double[] topC;

    private long ticks;
    private long scoredTicks;
    private int sinceRefit;
    private int onRun;
    private int refits;
    private int topCount;
    private double t2;
    private double q;
    private double pT2 = 1;
    private double pQ = 1;
    private double p = 1;
    private Statistic evidenceOf = Statistic.Q;
    private boolean fitted;
    private boolean anomalous;
    private boolean changed;

    /**
     * @param names the dimensions' names, in order (used for evidence and errors); at least 2
     * @param cfg   the configuration
     */
    public HostVectorPca(List<String> names, Config cfg) {
        Objects.requireNonNull(names, "names");
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        if (names.size() < 2) {
            throw new IllegalArgumentException("a host vector needs at least 2 dimensions, got " + names.size());
        }
        this.names = names.toArray(String[]::new);
        this.d = this.names.length;
        current = new double[d];
        Arrays.fill(current, Double.NaN);
        present = new boolean[d];
        z = new double[d];
        u = new double[d];
        lastRaw = new double[d];
        median = new double[d];
        scale = new double[d];
        memory = new double[cfg.memory() * d];
        fitRows = new double[cfg.memory() * d];
        column = new double[cfg.memory()];
        halfT2 = new double[cfg.learning()];
        halfQ = new double[cfg.learning()];
        mean = new double[d];
        lambda = new double[d];
        vectors = new double[d * d];
        cov = new double[d * d];
        rawValues = new double[d];
        t = new double[d];
        resid = new double[d];
        contrib = new double[d];
        ringT2 = new double[cfg.smooth()];
        ringQ = new double[cfg.smooth()];
        tailT2 = new ScoreTail(cfg.calibration(), cfg.shapeMargin());
        tailQ = new ScoreTail(cfg.calibration(), cfg.shapeMargin());
        top = new int[cfg.topK()];
        topC = new double[cfg.topK()];
    }

    /** With {@link Config#defaults()}. */
    public HostVectorPca(List<String> names) {
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
     * Judges the values reported since the last call, updates the verdict, learns (class comment) and starts the next
     * tick.
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
            store(current); // missing stays NaN and is left out of the medians
            if (memSize >= cfg.learning()) {
                firstFit();
            }
            Arrays.fill(current, Double.NaN);
            return false;
        }
        for (int i = 0; i < d; i++) {
            if (present[i]) {
                z[i] = scale[i] > 0 ? (current[i] - median[i]) / scale[i] : 0;
                u[i] = transform(z[i]);
            } else {
                z[i] = 0;
                u[i] = mean[i];
            }
        }
        System.arraycopy(current, 0, lastRaw, 0, d);
        project(u, 0);
        push(t2, q);
        double sT2 = sumT2 / ringN;
        double sQ = sumQ / ringN;
        pT2 = tailT2.tailProbability(sT2);
        pQ = tailQ.tailProbability(sQ);
        p = Math.min(1, 2 * Math.min(pT2, pQ));
        boolean before = anomalous;
        anomalous = anomalous ? p <= cfg.holdAlpha() : p <= cfg.alpha();
        changed = before != anomalous;
        rankEvidence();
        onRun = anomalous ? onRun + 1 : 0;
        if (!anomalous || onRun > cfg.admitAfter()) {
            for (int i = 0; i < d; i++) {
                if (!present[i]) {
                    current[i] = median[i];
                }
            }
            store(current);
            tailT2.add(sT2);
            tailQ.add(sQ);
        }
        if (++sinceRefit >= cfg.refitEvery()) {
            refit();
        }
        Arrays.fill(current, Double.NaN);
        return anomalous;
    }

    /** Pushes one tick's T² and Q into the smoothing ring (O(1); the sums are recomputed when it wraps). */
    private void push(double lt2, double lq) {
        int w = ringT2.length;
        if (ringN == w) {
            sumT2 -= ringT2[ringPos];
            sumQ -= ringQ[ringPos];
        } else {
            ringN++;
        }
        ringT2[ringPos] = lt2;
        ringQ[ringPos] = lq;
        sumT2 += lt2;
        sumQ += lq;
        ringPos = (ringPos + 1) % w;
        if (ringPos == 0) { // no drift of the running sums
            sumT2 = 0;
            sumQ = 0;
            for (int i = 0; i < ringN; i++) {
                sumT2 += ringT2[i];
                sumQ += ringQ[i];
            }
        }
    }

    private void resetRing() {
        ringPos = 0;
        ringN = 0;
        sumT2 = 0;
        sumQ = 0;
    }

    /** Adds the smoothed cross-fit scores of rows [from, to) (in order) to the calibrations. */
    private void calibrate(int from, int to) {
        resetRing();
        for (int r = from; r < to; r++) {
            push(halfT2[r], halfQ[r]);
            tailT2.add(sumT2 / ringN);
            tailQ.add(sumQ / ringN);
        }
    }

    private double transform(double x) {
        if (!cfg.compress()) {
            return x;
        }
        double a = Math.abs(x);
        return Math.copySign(Math.log(a + Math.sqrt(a * a + 1)), x);
    }

    /** T² into {@link #t2}, Q into {@link #q}, scores into {@link #t} and residuals into {@link #resid}. */
    private void project(double[] rows, int off) {
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += (rows[off + j] - mean[j]) * vectors[j * d + i];
            }
            t[i] = s;
        }
        double sumT2 = 0;
        for (int i = 0; i < k; i++) {
            sumT2 += t[i] * t[i] / lambda[i];
        }
        double sumQ = 0;
        for (int j = 0; j < d; j++) {
            double r = rows[off + j] - mean[j];
            for (int i = 0; i < k; i++) {
                r -= vectors[j * d + i] * t[i];
            }
            resid[j] = r;
            sumQ += r * r;
        }
        t2 = sumT2;
        q = sumQ;
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

    /** Medians and scales of the stored rows, then their transforms u into {@link #fitRows} (ring order). */
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
                scale[j] = 0;
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
            if (!(s > 0) && n > 1) {
                double mu = 0;
                for (int r = 0; r < n; r++) {
                    mu += column[r];
                }
                mu /= n;
                double ss = 0;
                for (int r = 0; r < n; r++) {
                    ss += (column[r] - mu) * (column[r] - mu);
                }
                s = Math.sqrt(ss / (n - 1));
            }
            median[j] = m;
            scale[j] = s > 0 && Double.isFinite(s) ? s : 0;
        }
        for (int r = 0; r < memSize; r++) {
            int src = ((memHead + r) % cfg.memory()) * d;
            for (int j = 0; j < d; j++) {
                double v = memory[src + j];
                fitRows[r * d + j] = Double.isNaN(v) || scale[j] == 0 ? 0 : transform((v - median[j]) / scale[j]);
            }
        }
    }

    /** The PCA of fitRows[from, to) (rows): mean, covariance, eigen-decomposition, k, floored eigenvalues. */
    private void fitPca(int from, int to) {
        int n = to - from;
        Arrays.fill(mean, 0);
        for (int r = from; r < to; r++) {
            for (int j = 0; j < d; j++) {
                mean[j] += fitRows[r * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        Arrays.fill(cov, 0);
        for (int r = from; r < to; r++) {
            int o = r * d;
            for (int a = 0; a < d; a++) {
                double xa = fitRows[o + a] - mean[a];
                if (xa == 0) {
                    continue;
                }
                for (int b = a; b < d; b++) {
                    cov[a * d + b] += xa * (fitRows[o + b] - mean[b]);
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                double c = cov[a * d + b] / Math.max(1, n - 1);
                cov[a * d + b] = c;
                cov[b * d + a] = c;
            }
        }
        Jacobi.decompose(cov, d, rawValues, vectors);
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += Math.max(0, rawValues[i]);
        }
        double cum = 0;
        k = d - 1;
        for (int i = 0; i < d - 1; i++) {
            cum += Math.max(0, rawValues[i]);
            if (cum >= cfg.varianceKept() * trace) {
                k = i + 1;
                break;
            }
        }
        double floor = 1e-9 * trace + 1e-12;
        for (int i = 0; i < d; i++) {
            lambda[i] = Math.max(rawValues[i], floor);
        }

    }

    /** Cross-fit calibration on the learning vectors, then the first fit on all of them. */
    private void firstFit() {
        scaleMemory();
        int n = memSize;
        int half = n / 2;
        fitPca(0, half);
        for (int r = half; r < n; r++) {
            project(fitRows, r * d);
            halfT2[r] = t2;
            halfQ[r] = q;
        }
        fitPca(half, n);
        for (int r = 0; r < half; r++) {
            project(fitRows, r * d);
            halfT2[r] = t2;
            halfQ[r] = q;
        }
        calibrate(half, n);
        calibrate(0, half);
        resetRing(); // the live ring starts with the last rows' out-of-sample scores
        for (int r = Math.max(half, n - ringT2.length + 1); r < n; r++) {
            push(halfT2[r], halfQ[r]);
        }
        fitPca(0, n);
        t2 = 0;
        q = 0;
        fitted = true;
        sinceRefit = 0;
        refits++;
    }

    private void refit() {
        scaleMemory();
        fitPca(0, memSize);
        sinceRefit = 0;
        refits++;
    }

    /** The topK present dimensions by their contribution to the statistic with the smaller p. */
    private void rankEvidence() {
        evidenceOf = pQ <= pT2 ? Statistic.Q : Statistic.T2;
        if (evidenceOf == Statistic.Q) {
            for (int j = 0; j < d; j++) {
                contrib[j] = resid[j] * resid[j];
            }
        } else {
            for (int j = 0; j < d; j++) {
                double w = 0;
                for (int i = 0; i < k; i++) {
                    w += vectors[j * d + i] * t[i] / lambda[i];
                }
                contrib[j] = (u[j] - mean[j]) * w;
            }
        }
        topCount = 0;
        for (int j = 0; j < d; j++) {
            if (!present[j]) {
                continue;
            }
            double c = contrib[j];
            int pos = topCount;
            while (pos > 0 && c > topC[pos - 1]) {
                pos--;
            }
            if (pos >= top.length) {
                continue;
            }
            int end = Math.min(topCount, top.length - 1);
            for (int i = end; i > pos; i--) {
                top[i] = top[i - 1];
                topC[i] = topC[i - 1];
            }
            top[pos] = j;
            topC[pos] = c;
            if (topCount < top.length) {
                topCount++;
            }
        }
    }

    /** Sorts a[0, n) ascending in place: heapsort, O(n log n), allocation-free (NaN-free input). */
    private static void heapSort(double[] a, int n) {
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
    private static double quantile(double[] sorted, int n, double qq) {
        double h = (n - 1) * qq;
        int lo = (int) Math.floor(h);
        int hi = Math.min(n - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
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

    /** Hotelling's T² of the last judged tick (0 before the first). */
    public double t2() {
        return t2;
    }

    /** The residual Q of the last judged tick (0 before the first). */
    public double q() {
        return q;
    }

    /** The tail probability of the last judged tick's T² (1 before the first). */
    public double t2TailProbability() {
        return pT2;
    }

    /** The tail probability of the last judged tick's Q (1 before the first). */
    public double qTailProbability() {
        return pQ;
    }

    /** The host-vector tail probability of the last judged tick, 2·min(p_T², p_Q) capped at 1 (1 before the first). */
    public double tailProbability() {
        return p;
    }

    /** {@link #tailProbability()} on the likelihood scale of {@link HostConsensus} (0.5 = 1e-5). */
    public double likelihoodScore() {
        return HostConsensus.scoreOf(p);
    }

    /** Retained components of the PCA in use (0 before the first fit). */
    public int components() {
        return k;
    }

    /** Which statistic the evidence of the last judged tick explains (the one with the smaller p). */
    public Statistic evidenceStatistic() {
        return evidenceOf;
    }

    /** Number of evidence dimensions of the last judged tick (≤ topK, ≤ dimensions present). */
    public int topCount() {
        return topCount;
    }

    /** The i-th largest contributor (present dimension) of the last judged tick. */
    public int topDimension(int i) {
        checkTop(i);
        return top[i];
    }

    /** The share of {@link #evidenceStatistic()} contributed by {@link #topDimension(int) topDimension(i)}. */
    public double topShare(int i) {
        checkTop(i);
        double total = evidenceOf == Statistic.Q ? q : t2;
        return total > 0 ? topC[i] / total : 0;
    }

    /** The robust z of {@link #topDimension(int) topDimension(i)} in the last judged tick (0 when it is inactive). */
    public double topZ(int i) {
        checkTop(i);
        return z[top[i]];
    }

    /** The raw value of {@link #topDimension(int) topDimension(i)} in the last judged tick. */
    public double topValue(int i) {
        checkTop(i);
        return lastRaw[top[i]];
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

    /** The robust scale of dimension {@code dim} (as of the last fit; 0 = inactive). */
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
