package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.SortedWindow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Multivariate detector for metric vectors on a common scale (e.g. SMD's min-max scaled server metrics): PCA
 * reconstruction error, smoothed over a few rows, measured against its own trailing level, with a fixed alarm
 * threshold set by Peaks-Over-Threshold on out-of-sample training scores.
 *
 * <p>Definition. Let Q(x) be the PCA residual (Q statistic, mean squared reconstruction error) of {@link PcaDetector}
 * fitted on training rows as given (no re-standardisation; {@code varianceKept} of the variance kept, default 0.9).
 * The detector's statistic for row t is
 * <pre>  a_t = s_t - median(s_{t-D}, …, s_{t-1}),   s_t = mean(Q(x_{t-W+1}), …, Q(x_t)),</pre>
 * i.e. the residual averaged over the last W rows (default 5; anomalies are segments, so averaging cuts isolated
 * noise) minus its median over the preceding D rows (default 10,080 = one week of 1-minute rows, the natural period of
 * server load). The second term makes the alarm respond to the residual's excess over its recent normal level rather
 * than to its absolute level, so a lasting regime change after training (metrics moving to a new level for good)
 * stops alarming once it fills half of the window (about D/2 rows) instead of alarming forever. The median is used
 * because anomalous rows, as long as they are a minority of the window, do not move it: a long anomaly does not
 * raise its own baseline until it lasts D/2 rows (nothing is frozen, so a change that lasts that long is accepted as
 * the new normal). Only the level is removed: after a shift the residual's spread around its new level is larger (Q
 * is a squared residual, so a shifted metric's noise enters Q multiplied by the shift), and that excess spread can
 * still cross the threshold now and then.
 *
 * <p>Threshold (from training data only). The training rows are split into {@code folds} contiguous blocks
 * (default 5); for each block a PCA fitted on the other blocks scores it, giving out-of-sample residuals for every
 * training row (residuals of rows a PCA was fitted on are biased low; a model that did not see the block also exposes
 * the threshold to the variation between periods of the training data, as later data will). The same
 * smoothing and trailing-median correction (window min(D, n/2)) turn them into calibration statistics, and the alarm
 * threshold z_q is their {@link PotThreshold} at {@code level} 0.98 and risk q (default 1e-2: an alarm budget of about
 * one row in a hundred on data like the training data). The trailing window of the test stream starts filled with the
 * last D calibration values. The final PCA is fitted on all training rows. No test data or labels touch the model or
 * the threshold; the trailing median uses the unlabelled stream itself. z_q is floored at 1e-12 (constant training
 * data give a zero tail).
 *
 * <p>Score. With r = a_t / z_q, the score is g(r - 1) with g(u) = (1 + u/(1 + |u|))/2: in [0, 1], strictly
 * increasing in a_t, 0.5 exactly at the threshold. {@link #isAnomalous()} is a_t &gt; z_q.
 *
 * <p>Bad input: non-finite training rows are skipped (at least {@code 2·folds} finite rows are required); a
 * non-finite sample is ignored (score 0, no alarm, state unchanged). Constant columns are harmless (no division by
 * a column scale). Complexity: fit O(folds·n·d² + folds·d³ + n·D); update O(d·k) with k kept components
 * plus O(log D) search and one O(D) memmove in the sorted window (see {@link SortedWindow}), allocation-free. Not
 * thread-safe.
 */
public final class PcaPotDetector implements Detector {

    /**
     * Settings.
     *
     * @param dims         values per sample
     * @param varianceKept share of variance the kept principal components explain, in (0, 1]
     * @param smoothing    W, rows in the trailing mean of the residual (≥ 1)
     * @param baseline     D, rows in the trailing median subtracted from the smoothed residual (0 disables it)
     * @param folds        contiguous blocks for out-of-sample calibration (≥ 2)
     * @param level        POT initial-threshold quantile
     * @param risk         POT target exceedance probability q
     */
    public record Config(int dims, double varianceKept, int smoothing, int baseline, int folds, double level,
                         double risk) {
        public Config {
            if (dims < 1) {
                throw new IllegalArgumentException("dims must be >= 1, got " + dims);
            }
            if (!(varianceKept > 0 && varianceKept <= 1)) {
                throw new IllegalArgumentException("varianceKept must be in (0, 1], got " + varianceKept);
            }
            if (smoothing < 1 || baseline < 0 || folds < 2) {
                throw new IllegalArgumentException("smoothing >= 1, baseline >= 0 and folds >= 2 required, got "
                        + smoothing + ", " + baseline + ", " + folds);
            }
            if (!(level > 0 && level < 1) || !(risk > 0 && risk < 1 - level)) {
                throw new IllegalArgumentException("POT needs level in (0, 1) and risk in (0, 1 - level), got "
                        + level + ", " + risk);
            }
        }

        /** The defaults described in the class comment, for {@code dims} values per sample. */
        public static Config defaults(int dims) {
            return new Config(dims, 0.9, 5, 10_080, 5, 0.98, 1e-2);
        }
    }

    private final Config cfg;
    private final double[] one = new double[1];
    private final double[] smoothRing;
    private SortedWindow base;
    private PcaDetector pca;
    private PotThreshold pot;
    private double threshold = Double.NaN;
    private int smoothPos;
    private int smoothCount;
    private double smoothSum;
    private double lastStatistic;
    private boolean anomalous;

    public PcaPotDetector(Config cfg) {
        this.cfg = cfg;
        this.smoothRing = new double[cfg.smoothing()];
    }

    /** Detector with {@link Config#defaults(int)}. */
    public PcaPotDetector(int dims) {
        this(Config.defaults(dims));
    }

    @Override
    public String name() {
        return "pca-pot";
    }

    @Override
    public int dimensions() {
        return cfg.dims();
    }

    /** The settings. */
    public Config config() {
        return cfg;
    }

    /** The fitted POT model of the calibration statistics (null before {@link #fit}). */
    public PotThreshold pot() {
        return pot;
    }

    /** z_q, the alarm threshold on the statistic a_t (NaN before {@link #fit}). */
    public double threshold() {
        return threshold;
    }

    /** a_t of the last finite sample. */
    public double lastStatistic() {
        return lastStatistic;
    }

    /**
     * Fits the PCA and commits the threshold from training rows only (see the class comment). Allocates; call once
     * (calling again refits from scratch).
     *
     * @throws IllegalArgumentException if a row has the wrong width or fewer than {@code 2·folds} rows are finite
     */
    public void fit(double[][] rows) {
        List<double[]> ok = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cfg.dims()) {
                throw new IllegalArgumentException("training row " + i + " has " + rows[i].length
                        + " values, expected " + cfg.dims());
            }
            if (finite(rows[i])) {
                ok.add(rows[i]);
            }
        }
        int n = ok.size();
        int folds = cfg.folds();
        if (n < 2 * folds) {
            throw new IllegalArgumentException("pca-pot needs at least " + 2 * folds + " finite training rows, got "
                    + n);
        }
        double[][] train = ok.toArray(new double[0][]);
        double[] raw = new double[n];
        for (int f = 0; f < folds; f++) {
            int from = (int) ((long) n * f / folds);
            int to = (int) ((long) n * (f + 1) / folds);
            double[][] rest = new double[n - (to - from)][];
            System.arraycopy(train, 0, rest, 0, from);
            System.arraycopy(train, to, rest, from, n - to);
            PcaDetector foldModel = newPca();
            foldModel.fit(rest);
            for (int i = from; i < to; i++) {
                foldModel.update(train[i]);
                raw[i] = foldModel.lastError();
            }
        }
        double[] smooth = trailingMean(raw, cfg.smoothing());
        int window = Math.min(cfg.baseline(), n / 2);
        double[] calibration;
        if (window == 0) {
            calibration = smooth;
        } else {
            calibration = new double[n - window];
            SortedWindow w = new SortedWindow(window);
            for (int i = 0; i < window; i++) {
                w.add(smooth[i]);
            }
            for (int i = window; i < n; i++) {
                calibration[i - window] = smooth[i] - w.median();
                w.add(smooth[i]);
            }
        }
        pot = PotThreshold.fit(calibration, cfg.level(), cfg.risk());
        threshold = Math.max(pot.threshold(), 1e-12);
        pca = newPca();
        pca.fit(train);
        // streaming state: the smoothing window and the trailing window start from the end of the calibration run
        Arrays.fill(smoothRing, 0);
        smoothSum = 0;
        smoothCount = 0;
        smoothPos = 0;
        for (int i = Math.max(0, n - cfg.smoothing()); i < n; i++) {
            pushSmooth(raw[i]);
        }
        base = cfg.baseline() == 0 ? null : new SortedWindow(cfg.baseline());
        for (int i = Math.max(0, n - cfg.baseline()); i < n && base != null; i++) {
            base.add(smooth[i]);
        }
        anomalous = false;
        lastStatistic = 0;
    }

    private PcaDetector newPca() {
        return new PcaDetector(cfg.dims(), cfg.varianceKept(), 0.995, false, false);
    }

    private static double[] trailingMean(double[] x, int w) {
        double[] out = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i];
            if (i >= w) {
                sum -= x[i - w];
            }
            out[i] = sum / Math.min(i + 1, w);
        }
        return out;
    }

    private double pushSmooth(double q) {
        if (smoothCount == smoothRing.length) {
            smoothSum -= smoothRing[smoothPos];
        } else {
            smoothCount++;
        }
        smoothRing[smoothPos] = q;
        smoothSum += q;
        smoothPos = (smoothPos + 1) % smoothRing.length;
        return smoothSum / smoothCount;
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
            throw new IllegalArgumentException("pca-pot has " + cfg.dims() + " dimensions; use update(double[])");
        }
        one[0] = value;
        return update(one);
    }

    @Override
    public double update(double[] values) {
        if (values.length != cfg.dims()) {
            throw new IllegalArgumentException("pca-pot expects " + cfg.dims() + " values, got " + values.length);
        }
        anomalous = false;
        if (pca == null || !finite(values)) {
            return 0.0;
        }
        pca.update(values);
        double s = pushSmooth(pca.lastError());
        double a = base == null ? s : s - base.median();
        if (base != null) {
            base.add(s);
        }
        lastStatistic = a;
        anomalous = a > threshold;
        double u = a / threshold - 1;
        return 0.5 * (1 + u / (1 + Math.abs(u)));
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return pca == null;
    }

    @Override
    public void reset() {
        pca = null;
        pot = null;
        threshold = Double.NaN;
        Arrays.fill(smoothRing, 0);
        smoothSum = 0;
        smoothCount = 0;
        smoothPos = 0;
        base = null;
        lastStatistic = 0;
        anomalous = false;
    }
}
