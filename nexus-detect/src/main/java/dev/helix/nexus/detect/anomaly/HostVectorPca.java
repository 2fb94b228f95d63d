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
 * ticks give the same scores. Not thread-safe: one thread reports values and ends ticks. The tick protocol, scaling,
 * memory, verdict and evidence ranking are those of the package's host-vector base (shared with
 * {@link HostVectorForest}); this class holds the PCA, the two calibrations and the contribution evidence.
 */
public final class HostVectorPca extends HostVectorDetector {

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
            checkCommon(learning, memory, refitEvery, calibration, alpha, holdAlpha, shapeMargin, admitAfter, topK);
            if (!(varianceKept > 0 && varianceKept < 1)) {
                throw new IllegalArgumentException("varianceKept must be in (0, 1), got " + varianceKept);
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
    private final double[] u;
    private final double[] lastRaw;
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

    /** The last {@code smooth} statistics (T², Q), a ring, and their sums. */
    private final double[] ringT2;
    private final double[] ringQ;
    private int ringPos;
    private int ringN;
    private double sumT2;
    private double sumQ;
    private final ScoreTail tailT2;
    private final ScoreTail tailQ;
    private double t2;
    private double q;
    /** The smoothed T² and Q of the last judged tick (what its tail probabilities are of). */
    private double smoothT2;
    private double smoothQ;
    private double pT2 = 1;
    private double pQ = 1;
    private Statistic evidenceOf = Statistic.Q;

    /**
     * @param names the dimensions' names, in order (used for evidence and errors); at least 2
     * @param cfg   the configuration
     */
    public HostVectorPca(List<String> names, Config cfg) {
        super(names, Objects.requireNonNull(cfg, "cfg").learning(), cfg.memory(), cfg.refitEvery(), cfg.alpha(),
                cfg.holdAlpha(), cfg.admitAfter(), cfg.topK());
        this.cfg = cfg;
        u = new double[d];
        lastRaw = new double[d];
        halfT2 = new double[cfg.learning()];
        halfQ = new double[cfg.learning()];
        mean = new double[d];
        lambda = new double[d];
        vectors = new double[d * d];
        cov = new double[d * d];
        rawValues = new double[d];
        t = new double[d];
        resid = new double[d];
        ringT2 = new double[cfg.smooth()];
        ringQ = new double[cfg.smooth()];
        tailT2 = new ScoreTail(cfg.calibration(), cfg.shapeMargin());
        tailQ = new ScoreTail(cfg.calibration(), cfg.shapeMargin());
    }

    /** With {@link Config#defaults()}. */
    public HostVectorPca(List<String> names) {
        this(names, Config.defaults());
    }

    @Override
    double judge() {
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
        smoothT2 = sumT2 / ringN;
        smoothQ = sumQ / ringN;
        pT2 = tailT2.tailProbability(smoothT2);
        pQ = tailQ.tailProbability(smoothQ);
        return Math.min(1, 2 * Math.min(pT2, pQ));
    }

    @Override
    void learnScore() {
        tailT2.add(smoothT2);
        tailQ.add(smoothQ);
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

    /** Missing or inactive: 0; else the transform of the robust z. */
    @Override
    double fitCoordinate(double v, int j) {
        return Double.isNaN(v) || scale[j] == 0 ? 0 : transform((v - median[j]) / scale[j]);
    }

    /** Constant in IQR and mean absolute deviation: the standard deviation; then 0 (inactive) unless finite &gt; 0. */
    @Override
    double finalScale(double s, double[] sorted, int n, double m) {
        if (!(s > 0) && n > 1) {
            double mu = 0;
            for (int r = 0; r < n; r++) {
                mu += sorted[r];
            }
            mu /= n;
            double ss = 0;
            for (int r = 0; r < n; r++) {
                ss += (sorted[r] - mu) * (sorted[r] - mu);
            }
            s = Math.sqrt(ss / (n - 1));
        }
        return s > 0 && Double.isFinite(s) ? s : 0;
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
    @Override
    void firstFit() {
        int n = stored();
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
    }

    @Override
    void refit() {
        fitPca(0, stored());
    }

    /**
     * Each dimension's contribution to the statistic with the smaller p: r_j² for Q, the partial contribution for T²
     * (class comment).
     */
    @Override
    void evidenceKeys(double[] contrib) {
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

    /** Retained components of the PCA in use (0 before the first fit). */
    public int components() {
        return k;
    }

    /** Which statistic the evidence of the last judged tick explains (the one with the smaller p). */
    public Statistic evidenceStatistic() {
        return evidenceOf;
    }

    /** The share of {@link #evidenceStatistic()} contributed by {@link #topDimension(int) topDimension(i)}. */
    public double topShare(int i) {
        checkTop(i);
        double total = evidenceOf == Statistic.Q ? q : t2;
        return total > 0 ? topKey[i] / total : 0;
    }

    /** The raw value of {@link #topDimension(int) topDimension(i)} in the last judged tick. */
    public double topValue(int i) {
        return lastRaw[topDimension(i)];
    }

    /** The configuration. */
    public Config config() {
        return cfg;
    }
}
