package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.SortedWindow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Multivariate detector that fuses several PCA statistics without choosing among them: each member's
 * statistic is turned into a tail probability on that member's own out-of-sample training statistics, the
 * probabilities are combined by a fixed rule, and a single alarm threshold is set on the fused training statistic.
 * Built for metric vectors on a common scale (e.g. SMD's min-max scaled server metrics); the design and its reasons
 * are in {@code docs/benchmarks/smd-ensemble.md}.
 *
 * <p>Members. Member m has a kept-variance share v_m, a smoothing length W_m and a per-row statistic R_m, either
 * the PCA residual Q_v (mean squared reconstruction error outside the kept subspace, {@link Statistic#RESIDUAL}) or
 * Hotelling's T²_v (squared scores on the kept components, each divided by its eigenvalue: deviation inside the
 * subspace, {@link Statistic#HOTELLING}) of a {@link PcaDetector} keeping v of the variance, rows as given. Its
 * statistic for row t is, as in {@link PcaPotDetector},
 * <pre>  a_t = s_t - median(s_{t-D}, …, s_{t-1}),   s_t = mean(R_m(x_{t-W+1}), …, R_m(x_t)),</pre>
 * with D the trailing-median length shared by all members (0 disables the median). Members with the same v share one
 * PCA model (both statistics come from one projection).
 *
 * <p>Per-member calibration (training rows only). The N finite training rows are cut into {@code folds} contiguous
 * blocks; each block's Q_v and T²_v come from a PCA fitted on the other blocks, and smoothing and the trailing
 * median (window min(D, N/2), filled from the first rows) turn these into the member's calibration statistics
 * c_1..c_n. The member's
 * tail probability of a value a is the conformal p-value (1 + #{i : c_i ≥ a})/(n + 1) up to u, the {@code level}
 * quantile of the c_i, and above it (1 + N_u)/(n + 1)·S(a - u), where S is the survival function of the generalised
 * Pareto tail fitted by {@link PotThreshold} to the N_u excesses over u (conformal throughout when no tail is
 * fitted). A fitted shape γ &lt; 0 (a bounded tail) is replaced by the exponential tail with the same mean excess
 * σ/(1 - γ): a bounded tail would give every value beyond its end point the same p = 0, so the score would stop
 * ordering exactly the rows furthest from the training data. p is handled as ln p, so values far beyond the data keep
 * their order; each member's -ln p is capped at 1e300 only to keep F finite.
 *
 * <p>Fusion and threshold. The fused statistic is F = (1/M)·Σ_m -log p_m (mean evidence; a row scores high in
 * proportion to how many members find it rare and how rare, so one member's noise is averaged down rather than
 * deciding the row). For the training rows, F is computed with p-values that did not see the row: the calibration
 * series is cut into {@code folds} contiguous blocks and block b's p-values come from each member's calibration values
 * outside b. The alarm threshold z is the {@link PotThreshold} of these fused training statistics at {@code level}
 * and {@code risk} (floored at 1e-12). The test stream uses p-maps from all calibration values; each member's
 * smoothing and trailing windows start filled with the end of its calibration run. No test data or labels touch the
 * models, the p-maps or z; the trailing medians follow the unlabelled stream itself.
 *
 * <p>Score F/(F + z): in [0, 1], 0.5 exactly at the threshold, strictly increasing in F (it rounds to 1 for F far
 * above z). {@link #isAnomalous()} is F &gt; z.
 *
 * <p>Bad input: rows of the wrong width are rejected with their index; non-finite training rows are skipped (at least
 * {@code 4·folds} finite rows are required); a non-finite sample is ignored (score 0, no alarm, state unchanged); a
 * finite sample whose Q or T² overflows is clamped to {@code 1e150} before smoothing (and so alarms).
 *
 * <p>Complexity: fit O(P·folds·(N·d² + d³) + M·folds·n log n + M·N·D) for P distinct variances; update O(P·d·k)
 * for k kept components plus, per member, O(log n) for the p-value search and O(log D) search with one O(D) memmove
 * in the trailing window ({@link SortedWindow}); allocation-free after {@link #fit}. Not thread-safe.
 */
public final class CalibratedEnsembleDetector implements Detector {

    /** Name under which the SMD evaluation runs {@link Config#smdDefaults(int)}. */
    public static final String NAME = "pca-ens";

    /** Name under which the SMD evaluation runs {@link Config#smdWithHotelling(int)}. */
    public static final String NAME_HOTELLING = "pca-ens2";

    /** The per-row PCA statistic a member smooths and calibrates. */
    public enum Statistic {
        /** Q: mean squared reconstruction error, deviation outside the kept subspace. */
        RESIDUAL,
        /** Hotelling's T²: Σ_c (score on component c)² / λ_c over the kept components, deviation inside it. */
        HOTELLING
    }

    /**
     * One member.
     *
     * @param varianceKept share of variance its PCA keeps, in (0, 1]
     * @param smoothing    W, rows in the trailing mean of the statistic (≥ 1)
     * @param statistic    the per-row statistic (not null)
     */
    public record Member(double varianceKept, int smoothing, Statistic statistic) {
        public Member {
            if (!(varianceKept > 0 && varianceKept <= 1)) {
                throw new IllegalArgumentException("member varianceKept must be in (0, 1], got " + varianceKept);
            }
            if (smoothing < 1) {
                throw new IllegalArgumentException("member smoothing must be >= 1, got " + smoothing);
            }
            if (statistic == null) {
                throw new IllegalArgumentException("member statistic must not be null");
            }
        }

        /** A residual (Q) member. */
        public Member(double varianceKept, int smoothing) {
            this(varianceKept, smoothing, Statistic.RESIDUAL);
        }
    }

    /**
     * Settings.
     *
     * @param dims     values per sample (≥ 1)
     * @param members  the members (at least one; copied)
     * @param baseline D, rows in each member's trailing median (0 disables it)
     * @param folds    contiguous blocks for out-of-sample calibration (≥ 2)
     * @param level    POT initial-threshold quantile, used for the member tails and the fused threshold
     * @param risk     target exceedance probability q of the fused threshold, in (0, 1 - level)
     */
    public record Config(int dims, List<Member> members, int baseline, int folds, double level, double risk) {
        public Config {
            if (dims < 1) {
                throw new IllegalArgumentException("dims must be >= 1, got " + dims);
            }
            if (members == null || members.isEmpty()) {
                throw new IllegalArgumentException("an ensemble needs at least one member");
            }
            members = List.copyOf(members);
            if (baseline < 0 || folds < 2) {
                throw new IllegalArgumentException("baseline >= 0 and folds >= 2 required, got " + baseline + ", "
                        + folds);
            }
            if (!(level > 0 && level < 1) || !(risk > 0 && risk < 1 - level)) {
                throw new IllegalArgumentException("POT needs level in (0, 1) and risk in (0, 1 - level), got "
                        + level + ", " + risk);
            }
        }

        /**
         * The SMD configuration fixed before scoring (docs/benchmarks/smd-ensemble.md §1): members (0.90, 5),
         * (0.90, 15), (0.99, 5), (0.99, 15); one-week trailing median (10,080 rows); 5 folds; level 0.98; risk 1e-2.
         */
        public static Config smdDefaults(int dims) {
            return new Config(dims, List.of(new Member(0.90, 5), new Member(0.90, 15), new Member(0.99, 5),
                    new Member(0.99, 15)), 10_080, 5, 0.98, 1e-2);
        }

        /**
         * {@link #smdDefaults(int)} plus two Hotelling T² members inside the 90 % subspace, (0.90, 5, T²) and
         * (0.90, 15, T²); everything else unchanged (docs/benchmarks/smd-ensemble.md §5, fixed before scoring).
         */
        public static Config smdWithHotelling(int dims) {
            return new Config(dims, List.of(new Member(0.90, 5), new Member(0.90, 15), new Member(0.99, 5),
                    new Member(0.99, 15), new Member(0.90, 5, Statistic.HOTELLING),
                    new Member(0.90, 15, Statistic.HOTELLING)), 10_080, 5, 0.98, 1e-2);
        }
    }

    /**
     * Tail probability of a value under a calibration sample: conformal below the POT initial threshold, generalised
     * Pareto above it, exponential when the fitted tail is bounded (see the class comment). Immutable and
     * thread-safe; {@link #logP} and {@link #p} are O(log n).
     */
    public static final class TailProbability {
        private final double[] sorted;
        private final double u;
        private final double shape;
        private final double scale;
        private final double logTailMass;

        private TailProbability(double[] sorted, PotThreshold pot) {
            this.sorted = sorted;
            this.u = pot.initial();
            if (pot.scale() > 0 && pot.shape() < 0) {
                // bounded fitted tail: use the exponential tail with the same mean excess σ/(1 - γ) instead
                this.shape = 0;
                this.scale = pot.scale() / (1 - pot.shape());
            } else {
                this.shape = pot.shape();
                this.scale = pot.scale();
            }
            this.logTailMass = Math.log((1.0 + pot.peaks()) / (sorted.length + 1.0));
        }

        /**
         * Builds the map from calibration values (non-finite values ignored; the array is not modified).
         *
         * @param level quantile used as the start of the modelled tail, in (0, 1)
         * @throws IllegalArgumentException with fewer than 2 finite values
         */
        public static TailProbability of(double[] calibration, double level) {
            double[] s = Arrays.stream(calibration).filter(Double::isFinite).sorted().toArray();
            PotThreshold pot = PotThreshold.fit(s, level, (1 - level) / 2);
            return new TailProbability(s, pot);
        }

        /**
         * ln P(C ≥ a) as in the class comment, in [-∞, 0]: conformal in the bulk, the (unbounded) tail model above u,
         * where it is strictly decreasing in a. Computed in log space so that values far beyond the calibration data
         * keep their order instead of underflowing to one probability 0.
         */
        public double logP(double a) {
            if (scale > 0 && a > u) {
                double y = a - u;
                double logSurv = shape < 1e-9 ? -y / scale : -Math.log1p(shape * y / scale) / shape;
                return logTailMass + logSurv;
            }
            int n = sorted.length;
            return Math.log((1.0 + n - lowerBound(sorted, a)) / (n + 1.0));
        }

        /** P(C ≥ a) = exp({@link #logP}), in [0, 1] (0 only by underflow, far beyond the data). */
        public double p(double a) {
            return Math.exp(logP(a));
        }

        /** Index of the first element ≥ v in an ascending array. */
        private static int lowerBound(double[] a, double v) {
            int lo = 0;
            int hi = a.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (a[mid] < v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /** Largest -ln p a member contributes (keeps F and F + z finite). */
    static final double MAX_EVIDENCE = 1e300;

    /** Largest residual fed to the trailing means (finite rows far enough out overflow Q to infinity). */
    static final double MAX_RESIDUAL = 1e150;

    private final String name;
    private final Config cfg;
    private final double[] variances;
    private final int[] modelOf;
    private final double[] one = new double[1];
    private final double[] lastQ;
    private final double[] lastT2;
    private final double[] lastP;
    private final double[][] rings;
    private final int[] ringPos;
    private final int[] ringCount;
    private final double[] ringSum;
    private final SortedWindow[] bases;
    private final boolean[] hotelling;
    private PcaDetector[] models;
    private TailProbability[] maps;
    private double[][] calibrationP;
    private PotThreshold pot;
    private double threshold = Double.NaN;
    private double lastFused;
    private boolean anomalous;

    /**
     * @param name the detector's name (non-blank)
     * @param cfg  the settings
     */
    public CalibratedEnsembleDetector(String name, Config cfg) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("detector name must not be blank");
        }
        this.name = name;
        this.cfg = cfg;
        int m = cfg.members().size();
        double[] distinct = cfg.members().stream().mapToDouble(Member::varianceKept).distinct().toArray();
        this.variances = distinct;
        this.modelOf = new int[m];
        for (int i = 0; i < m; i++) {
            double v = cfg.members().get(i).varianceKept();
            for (int k = 0; k < distinct.length; k++) {
                if (distinct[k] == v) {
                    modelOf[i] = k;
                }
            }
        }
        this.lastQ = new double[distinct.length];
        this.lastT2 = new double[distinct.length];
        this.lastP = new double[m];
        this.rings = new double[m][];
        for (int i = 0; i < m; i++) {
            rings[i] = new double[cfg.members().get(i).smoothing()];
        }
        this.ringPos = new int[m];
        this.ringCount = new int[m];
        this.ringSum = new double[m];
        this.bases = new SortedWindow[m];
        this.hotelling = new boolean[m];
        for (int i = 0; i < m; i++) {
            hotelling[i] = cfg.members().get(i).statistic() == Statistic.HOTELLING;
        }
    }

    /** Detector named {@link #NAME} with the given settings. */
    public CalibratedEnsembleDetector(Config cfg) {
        this(NAME, cfg);
    }

    /** Detector {@link #NAME} with {@link Config#smdDefaults(int)}. */
    public CalibratedEnsembleDetector(int dims) {
        this(Config.smdDefaults(dims));
    }

    /** Detector {@link #NAME_HOTELLING} with {@link Config#smdWithHotelling(int)}. */
    public static CalibratedEnsembleDetector smdWithHotelling(int dims) {
        return new CalibratedEnsembleDetector(NAME_HOTELLING, Config.smdWithHotelling(dims));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimensions() {
        return cfg.dims();
    }

    /** The settings. */
    public Config config() {
        return cfg;
    }

    /** z, the alarm threshold on the fused statistic F (NaN before {@link #fit}). */
    public double threshold() {
        return threshold;
    }

    /** The POT model of the fused training statistics (null before {@link #fit}). */
    public PotThreshold pot() {
        return pot;
    }

    /** F of the last finite sample (0 before any). */
    public double lastFused() {
        return lastFused;
    }

    /** Member {@code m}'s tail probability p_m of the last finite sample (0 before any). */
    public double lastMemberP(int m) {
        return lastP[m];
    }

    /**
     * Member {@code m}'s tail probabilities of its own calibration statistics, each computed by the p-map built
     * without the row's calibration block (the values the fused training statistic is made of); a copy, in
     * calibration order. For data like the training data they should be close to uniform on (0, 1].
     *
     * @throws IllegalStateException before {@link #fit}
     */
    public double[] calibrationPValues(int m) {
        if (calibrationP == null) {
            throw new IllegalStateException(name + " is not fitted");
        }
        return calibrationP[m].clone();
    }

    /**
     * Fits every member's PCA, its p-map and the fused threshold from training rows only (see the class comment).
     * Allocates; calling again refits from scratch.
     *
     * @throws IllegalArgumentException if a row has the wrong width or fewer than {@code 4·folds} rows are finite
     */
    public void fit(double[][] rows) {
        List<double[]> ok = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cfg.dims()) {
                throw new IllegalArgumentException(name + ": training row " + i + " has " + rows[i].length
                        + " values, expected " + cfg.dims());
            }
            if (finite(rows[i])) {
                ok.add(rows[i]);
            }
        }
        int n = ok.size();
        int folds = cfg.folds();
        if (n < 4 * folds) {
            throw new IllegalArgumentException(name + " needs at least " + 4 * folds + " finite training rows, got "
                    + n);
        }
        double[][] train = ok.toArray(new double[0][]);
        // out-of-sample Q and T² per distinct variance, and the final models on all rows
        double[][] rawQ = new double[variances.length][n];
        double[][] rawT2 = new double[variances.length][n];
        PcaDetector[] fitted = new PcaDetector[variances.length];
        for (int k = 0; k < variances.length; k++) {
            crossFit(train, variances[k], folds, rawQ[k], rawT2[k]);
            fitted[k] = newPca(variances[k]);
            fitted[k].fit(train);
        }
        int members = cfg.members().size();
        double[][] raw = new double[members][];
        for (int m = 0; m < members; m++) {
            raw[m] = cfg.members().get(m).statistic() == Statistic.HOTELLING ? rawT2[modelOf[m]] : rawQ[modelOf[m]];
        }
        int window = Math.min(cfg.baseline(), n / 2);
        double[][] smooth = new double[members][];
        double[][] calib = new double[members][];
        for (int m = 0; m < members; m++) {
            smooth[m] = trailingMean(raw[m], cfg.members().get(m).smoothing());
            calib[m] = minusTrailingMedian(smooth[m], window);
        }
        int len = calib[0].length;
        // fused training statistic from p-maps that did not see the row's block
        double[] fused = new double[len];
        double[][] heldOutP = new double[members][len];
        for (int b = 0; b < folds; b++) {
            int from = (int) ((long) len * b / folds);
            int to = (int) ((long) len * (b + 1) / folds);
            for (int m = 0; m < members; m++) {
                double[] rest = new double[len - (to - from)];
                System.arraycopy(calib[m], 0, rest, 0, from);
                System.arraycopy(calib[m], to, rest, from, len - to);
                TailProbability map = TailProbability.of(rest, cfg.level());
                for (int i = from; i < to; i++) {
                    double logP = map.logP(calib[m][i]);
                    heldOutP[m][i] = Math.exp(logP);
                    fused[i] += Math.min(-logP, MAX_EVIDENCE) / members;
                }
            }
        }
        TailProbability[] full = new TailProbability[members];
        for (int m = 0; m < members; m++) {
            full[m] = TailProbability.of(calib[m], cfg.level());
        }
        pot = PotThreshold.fit(fused, cfg.level(), cfg.risk());
        threshold = Math.max(pot.threshold(), 1e-12);
        models = fitted;
        maps = full;
        calibrationP = heldOutP;
        // streaming state: each member continues from the end of its calibration run
        for (int m = 0; m < members; m++) {
            Arrays.fill(rings[m], 0);
            ringPos[m] = 0;
            ringCount[m] = 0;
            ringSum[m] = 0;
            double[] r = raw[m];
            for (int i = Math.max(0, n - rings[m].length); i < n; i++) {
                pushSmooth(m, r[i]);
            }
            if (cfg.baseline() == 0) {
                bases[m] = null;
            } else {
                bases[m] = new SortedWindow(cfg.baseline());
                for (int i = Math.max(0, n - cfg.baseline()); i < n; i++) {
                    bases[m].add(smooth[m][i]);
                }
            }
        }
        Arrays.fill(lastP, 0);
        lastFused = 0;
        anomalous = false;
    }

    /** Out-of-sample Q and T² of every training row: block f scored by a PCA fitted on the other blocks. */
    private void crossFit(double[][] train, double variance, int folds, double[] q, double[] t2) {
        int n = train.length;
        for (int f = 0; f < folds; f++) {
            int from = (int) ((long) n * f / folds);
            int to = (int) ((long) n * (f + 1) / folds);
            double[][] rest = new double[n - (to - from)][];
            System.arraycopy(train, 0, rest, 0, from);
            System.arraycopy(train, to, rest, from, n - to);
            PcaDetector foldModel = newPca(variance);
            foldModel.fit(rest);
            for (int i = from; i < to; i++) {
                foldModel.update(train[i]);
                q[i] = foldModel.lastError();
                t2[i] = foldModel.lastHotelling();
            }
        }
    }

    private PcaDetector newPca(double variance) {
        return new PcaDetector(cfg.dims(), variance, 0.995, false, false);
    }

    private static double[] trailingMean(double[] x, int w) {
        double[] out = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += clamp(x[i]);
            if (i >= w) {
                sum -= clamp(x[i - w]);
            }
            if (i % w == w - 1) {
                // exact re-sum once per window, as in pushSmooth
                sum = 0;
                for (int j = i - w + 1; j <= i; j++) {
                    sum += clamp(x[j]);
                }
            }
            out[i] = sum / Math.min(i + 1, w);
        }
        return out;
    }

    /** x[i] minus the median of the preceding {@code window} values, for i ≥ window; x itself when window is 0. */
    private static double[] minusTrailingMedian(double[] x, int window) {
        if (window == 0) {
            return x.clone();
        }
        double[] out = new double[x.length - window];
        SortedWindow w = new SortedWindow(window);
        for (int i = 0; i < window; i++) {
            w.add(x[i]);
        }
        for (int i = window; i < x.length; i++) {
            out[i - window] = x[i] - w.median();
            w.add(x[i]);
        }
        return out;
    }

    /**
     * Adds a residual to member m's trailing mean. Residuals are clamped to {@link #MAX_RESIDUAL} so that the sum of a
     * window stays finite, and the running sum is recomputed exactly each time the ring wraps, so a huge value does
     * not leave rounding residue behind it once it has left the window (O(1) amortised).
     */
    private double pushSmooth(int m, double q) {
        double v = clamp(q);
        double[] ring = rings[m];
        if (ringCount[m] == ring.length) {
            ringSum[m] -= ring[ringPos[m]];
        } else {
            ringCount[m]++;
        }
        ring[ringPos[m]] = v;
        ringSum[m] += v;
        ringPos[m] = (ringPos[m] + 1) % ring.length;
        if (ringPos[m] == 0) {
            double sum = 0;
            for (int i = 0; i < ringCount[m]; i++) {
                sum += ring[i];
            }
            ringSum[m] = sum;
        }
        return ringSum[m] / ringCount[m];
    }

    /** q, or {@link #MAX_RESIDUAL} when q is larger or NaN (an overflow inside the PCA projection). */
    private static double clamp(double q) {
        return q < MAX_RESIDUAL ? q : MAX_RESIDUAL;
    }

    private static boolean finite(double[] r) {
        for (double v : r) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public double update(double value) {
        if (cfg.dims() != 1) {
            throw new IllegalArgumentException(name + " has " + cfg.dims() + " dimensions; use update(double[])");
        }
        one[0] = value;
        return update(one);
    }

    @Override
    public double update(double[] values) {
        if (values.length != cfg.dims()) {
            throw new IllegalArgumentException(name + " expects " + cfg.dims() + " values, got " + values.length);
        }
        anomalous = false;
        if (models == null || !finite(values)) {
            return 0.0;
        }
        for (int k = 0; k < models.length; k++) {
            models[k].update(values);
            lastQ[k] = models[k].lastError();
            lastT2[k] = models[k].lastHotelling();
        }
        int members = rings.length;
        double f = 0;
        for (int m = 0; m < members; m++) {
            double s = pushSmooth(m, hotelling[m] ? lastT2[modelOf[m]] : lastQ[modelOf[m]]);
            double a = s;
            if (bases[m] != null) {
                a = s - bases[m].median();
                bases[m].add(s);
            }
            double logP = maps[m].logP(a);
            lastP[m] = Math.exp(logP);
            f += Math.min(-logP, MAX_EVIDENCE);
        }
        f /= members;
        lastFused = f;
        anomalous = f > threshold;
        return f / (f + threshold);
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return models == null;
    }

    @Override
    public void reset() {
        models = null;
        maps = null;
        calibrationP = null;
        pot = null;
        threshold = Double.NaN;
        for (int m = 0; m < rings.length; m++) {
            Arrays.fill(rings[m], 0);
            ringPos[m] = 0;
            ringCount[m] = 0;
            ringSum[m] = 0;
            bases[m] = null;
        }
        Arrays.fill(lastP, 0);
        lastFused = 0;
        anomalous = false;
    }
}
