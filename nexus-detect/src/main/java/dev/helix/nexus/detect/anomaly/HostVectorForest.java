package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.IsolationForest;
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
 * The tick protocol, scaling, memory, verdict and evidence ranking are those of the package's host-vector base
 * (shared with {@link HostVectorPca}); this class holds the forest, its calibration and its evidence key |z|.
 */
public final class HostVectorForest extends HostVectorDetector {

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
            checkCommon(learning, memory, refitEvery, calibration, alpha, holdAlpha, shapeMargin, admitAfter, topK);
            if (trees < 1) {
                throw new IllegalArgumentException("trees must be >= 1, got " + trees);
            }
            if (psi < 2) {
                throw new IllegalArgumentException("psi must be >= 2, got " + psi);
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
    private final IsolationForest forest;
    private final double[] halfScores;
    private final ScoreTail calibration;
    private double score;

    /**
     * @param names the dimensions' names, in order (used for evidence and errors); at least 2
     * @param cfg   the configuration
     */
    public HostVectorForest(List<String> names, Config cfg) {
        super(names, Objects.requireNonNull(cfg, "cfg").learning(), cfg.memory(), cfg.refitEvery(), cfg.alpha(),
                cfg.holdAlpha(), cfg.admitAfter(), cfg.topK());
        this.cfg = cfg;
        this.forest = new IsolationForest(d, cfg.trees(), cfg.psi(), cfg.memory(), cfg.seed());
        halfScores = new double[cfg.learning()];
        calibration = new ScoreTail(cfg.calibration(), cfg.shapeMargin());
    }

    /** With {@link Config#defaults()}. */
    public HostVectorForest(List<String> names) {
        this(names, Config.defaults());
    }

    /** Missing: 0 (the median); else the robust z. */
    @Override
    double fitCoordinate(double v, int j) {
        return Double.isNaN(v) ? 0 : (v - median[j]) / scale[j];
    }

    /** No value: 1; constant: 1e-9·max(1, |median|) (class comment). */
    @Override
    double finalScale(double s, double[] sorted, int n, double m) {
        if (n == 0) {
            return 1;
        }
        return s > 0 ? s : 1e-9 * Math.max(1, Math.abs(m));
    }

    @Override
    double judge() {
        for (int i = 0; i < d; i++) {
            z[i] = present[i] ? (current[i] - median[i]) / scale[i] : 0;
        }
        score = forest.score(z, 0);
        return calibration.tailProbability(score);
    }

    /** |z|. */
    @Override
    void evidenceKeys(double[] key) {
        for (int i = 0; i < d; i++) {
            key[i] = Math.abs(z[i]);
        }
    }

    @Override
    void learnScore() {
        calibration.add(score);
    }

    /** Cross-fit calibration on the learning vectors, then the first fit on all of them. */
    @Override
    void firstFit() {
        int n = stored();
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

    @Override
    void refit() {
        forest.fit(fitRows, stored());
    }

    /** The forest's isolation score of the last judged tick, in (0, 1] (0 before the first). */
    public double score() {
        return score;
    }

    /** The value of {@link #topDimension(int) topDimension(i)} in the last judged tick. */
    public double topValue(int i) {
        int dim = topDimension(i);
        return median[dim] + z[dim] * scale[dim];
    }

    /** The configuration. */
    public Config config() {
        return cfg;
    }
}
