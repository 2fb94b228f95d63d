package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.Jacobi;

import java.util.Arrays;

/**
 * PCA reconstruction-error detector (the squared prediction error or Q statistic of multivariate statistical process
 * control, Jackson &amp; Mudholkar 1979; the strongest simple SMD baseline in Sarfraz et al., ICML 2024).
 *
 * <p>{@link #fit(double[][])} standardises each column with the training mean and standard deviation (σ floored at
 * 1e-6 so constant columns do not divide by zero), eigen-decomposes the correlation matrix (Jacobi) and keeps the
 * smallest number k of principal components explaining at least {@code varianceKept} of the variance (default 0.9).
 * For a sample x let z be its centred (and, if enabled, standardised) vector, p_1..p_k the kept unit eigenvectors
 * and λ_1 ≥ … ≥ λ_k their eigenvalues (variances of the training scores along them, divisor n - 1). Two statistics
 * are computed per sample:
 * <ul>
 *   <li>the residual (squared prediction error) Q = ||z - Σ_c (p_c·z) p_c||² / d, deviation <em>outside</em> the
 *       kept subspace ({@link #lastError()});</li>
 *   <li>Hotelling's T² = Σ_{c=1..k} (p_c·z)² / λ̃_c, deviation <em>inside</em> it, each score measured in units of
 *       its own training variance ({@link #lastHotelling()}). On the training rows its mean is exactly
 *       k·(n - 1)/n; with every component kept it is the squared Mahalanobis distance zᵀ S⁻¹ z, S the sample
 *       covariance of the training vectors z.</li>
 * </ul>
 * Numerical care: an eigenvalue is only known to about d·ε·λ_1 (ε = 2⁻⁵², Jacobi's backward error), so a kept
 * eigenvalue is floored at λ̃_c = max(λ_c, d·ε·λ_1, {@link Double#MIN_NORMAL}): a direction the training data do not
 * vary along (a constant or exactly collinear column, only kept when {@code varianceKept} is close to 1) then gives
 * a large but finite weight instead of a division by a rounding error or by zero. The floor is relative, so T² is
 * unchanged by rescaling the data. T² of a sample far off a degenerate training set can still overflow to +∞.
 *
 * <p>Charts. Each statistic's fixed threshold (Q*, and T²* for T²/k) is the {@code quantile} (default 0.995) of
 * its training values, committed from train data only; both charts together are standard multivariate SPC practice
 * (Q catches breaks of the correlation structure, T² extreme moves along it). With r = max(Q/Q*, (T²/k)/T²*) (or
 * Q/Q* alone when the Hotelling chart is off), the score is r / (r + 1) ∈ [0, 1): 0.5 exactly at the threshold,
 * continuous, never saturating (a statistic that overflowed scores 1 and alarms). The detector is frozen after
 * fitting (no label or test data ever touches the model).
 *
 * <p>Non-finite components: the sample is ignored (score 0; {@link #lastError()} and {@link #lastHotelling()} keep
 * their previous values). Complexity O(d·k) per sample for both statistics together, allocation-free after
 * {@link #fit}; the fit is O(n·d² + d³). Not thread-safe.
 */
public final class PcaDetector implements Detector {
    private final int dims;
    private final boolean standardise;
    private final boolean hotelling;
    private final double varianceKept;
    private final double quantile;
    private final double[] mean;
    private final double[] scale;
    private final double[] z;
    private final double[] proj;
    private final double[] one = new double[1];
    private double[] components = new double[0];
    private int k;
    private double[] eigen = new double[0];
    private double qStar = Double.NaN;
    private double tStar = Double.NaN;
    private double lastT2;
    private double lastHotelling;
    private boolean anomalous;
    private double lastError;

    /**
     * @param dims         values per sample
     * @param varianceKept share of variance the kept components must explain
     * @param quantile     train quantile used as the fixed threshold of each statistic
     * @param standardise  divide centred columns by their train σ (use false for data already on a common scale,
     *                     e.g. SMD's min-max scaled metrics, where near-constant columns would otherwise explode)
     * @param hotelling    also chart Hotelling's T² inside the kept subspace (alarm on max(Q/Q*, T²/T²*))
     */
    public PcaDetector(int dims, double varianceKept, double quantile, boolean standardise, boolean hotelling) {
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be >= 1");
        }
        if (!(varianceKept > 0 && varianceKept <= 1) || !(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("varianceKept in (0,1], quantile in (0,1) required");
        }
        this.dims = dims;
        this.standardise = standardise;
        this.hotelling = hotelling;
        this.varianceKept = varianceKept;
        this.quantile = quantile;
        this.mean = new double[dims];
        this.scale = new double[dims];
        this.z = new double[dims];
        this.proj = new double[dims];
    }

    /** 90 % variance, 99.5th-percentile thresholds, standardised columns, Q and T² charts. */
    public PcaDetector(int dims) {
        this(dims, 0.9, 0.995, true, true);
    }

    @Override
    public String name() {
        return "pca";
    }

    @Override
    public int dimensions() {
        return dims;
    }

    /** Number of principal components kept (0 before fitting). */
    public int components() {
        return k;
    }

    /** The committed threshold on the raw reconstruction error. */
    public double errorThreshold() {
        return qStar;
    }

    /** Q, the raw reconstruction error (residual outside the kept subspace) of the last finite sample. */
    public double lastError() {
        return lastError;
    }

    /**
     * Hotelling's T² = Σ_c (p_c·z)² / λ̃_c of the last finite sample (see the class comment): its deviation inside
     * the kept subspace, in units of the training variance along each kept component. 0 before any sample; ≥ 0,
     * +∞ only by overflow.
     */
    public double lastHotelling() {
        return lastHotelling;
    }

    /**
     * The floored eigenvalues λ̃_1 ≥ … ≥ λ̃_k of the kept components (a copy; empty before {@link #fit}).
     */
    public double[] keptEigenvalues() {
        return eigen.clone();
    }

    /** Fits on training rows (rows with non-finite values are skipped). Allocates; call once. */
    public void fit(double[][] rows) {
        int n = 0;
        Arrays.fill(mean, 0);
        double[] m2 = new double[dims];
        for (double[] r : rows) {
            if (!finite(r)) {
                continue;
            }
            n++;
            for (int j = 0; j < dims; j++) {
                double d = r[j] - mean[j];
                mean[j] += d / n;
                m2[j] += d * (r[j] - mean[j]);
            }
        }
        if (n < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 finite training rows, got " + n);
        }
        for (int j = 0; j < dims; j++) {
            scale[j] = standardise ? Math.max(Math.sqrt(m2[j] / (n - 1)), 1e-6) : 1.0;
        }
        double[] cov = new double[dims * dims];
        double[] zz = new double[dims];
        for (double[] r : rows) {
            if (!finite(r)) {
                continue;
            }
            for (int j = 0; j < dims; j++) {
                zz[j] = (r[j] - mean[j]) / scale[j];
            }
            for (int a = 0; a < dims; a++) {
                double za = zz[a];
                for (int b = a; b < dims; b++) {
                    cov[a * dims + b] += za * zz[b];
                }
            }
        }
        for (int a = 0; a < dims; a++) {
            for (int b = a; b < dims; b++) {
                cov[a * dims + b] /= (n - 1);
                cov[b * dims + a] = cov[a * dims + b];
            }
        }
        double[] values = new double[dims];
        double[] vectors = new double[dims * dims];
        Jacobi.decompose(cov, dims, values, vectors);
        double total = 0;
        for (double v : values) {
            total += Math.max(v, 0);
        }
        k = 0;
        double acc = 0;
        while (k < dims && (total <= 0 || acc / total < varianceKept)) {
            acc += Math.max(values[k], 0);
            k++;
        }
        k = Math.max(1, Math.min(k, dims));
        components = new double[k * dims];
        eigen = new double[k];
        // eigenvalues below d·ε·λ_1 are rounding noise (see the class comment)
        double floor = Math.max(dims * Math.ulp(1.0) * Math.max(values[0], 0), Double.MIN_NORMAL);
        for (int c = 0; c < k; c++) {
            eigen[c] = Math.max(values[c], floor);
        }
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < dims; j++) {
                components[c * dims + j] = vectors[j * dims + c];
            }
        }
        double[] errs = new double[n];
        double[] t2s = new double[n];
        int i = 0;
        for (double[] r : rows) {
            if (finite(r)) {
                errs[i] = error(r);
                t2s[i++] = lastT2;
            }
        }
        qStar = Math.max(quantileOf(errs, quantile), 1e-12);
        tStar = Math.max(quantileOf(t2s, quantile), 1e-12);
    }

    private static double quantileOf(double[] v, double q) {
        Arrays.sort(v);
        int n = v.length;
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, n - 1);
        return v[lo] + (h - lo) * (v[hi] - v[lo]);
    }

    private static boolean finite(double[] r) {
        for (double v : r) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private double error(double[] r) {
        double t2 = 0;
        for (int j = 0; j < dims; j++) {
            z[j] = (r[j] - mean[j]) / scale[j];
            proj[j] = 0;
        }
        for (int c = 0; c < k; c++) {
            double dot = 0;
            int off = c * dims;
            for (int j = 0; j < dims; j++) {
                dot += components[off + j] * z[j];
            }
            for (int j = 0; j < dims; j++) {
                proj[j] += dot * components[off + j];
            }
            t2 += dot * dot / eigen[c];
        }
        lastHotelling = t2;
        lastT2 = t2 / k;
        double e = 0;
        for (int j = 0; j < dims; j++) {
            double d = z[j] - proj[j];
            e += d * d;
        }
        return e / dims;
    }

    @Override
    public double update(double value) {
        if (dims != 1) {
            throw new IllegalArgumentException("pca has " + dims + " dimensions; use update(double[])");
        }
        one[0] = value;
        return update(one);
    }

    @Override
    public double update(double[] values) {
        if (values.length != dims) {
            throw new IllegalArgumentException("pca expects " + dims + " values, got " + values.length);
        }
        anomalous = false;
        if (Double.isNaN(qStar) || !finite(values)) {
            return 0.0;
        }
        double q = error(values);
        lastError = q;
        double ratio = hotelling ? Math.max(q / qStar, lastT2 / tStar) : q / qStar;
        if (!(ratio < Double.POSITIVE_INFINITY)) {
            // a statistic overflowed (a finite sample far outside the training data): maximal evidence
            anomalous = true;
            return 1.0;
        }
        anomalous = ratio >= 1.0;
        return ratio / (ratio + 1.0);
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return Double.isNaN(qStar);
    }

    @Override
    public void reset() {
        qStar = Double.NaN;
        tStar = Double.NaN;
        k = 0;
        components = new double[0];
        anomalous = false;
        lastError = 0;
        lastHotelling = 0;
        eigen = new double[0];
    }
}
