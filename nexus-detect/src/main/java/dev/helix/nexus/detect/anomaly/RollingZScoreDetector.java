package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.Stats;

/**
 * Rolling Z-score: mean and standard deviation of the last {@code window} finite samples; a sample is anomalous when
 * |x - mean| &ge; k·σ (default k = 3, the three-sigma rule). The sample is scored against the window <em>before</em>
 * it is added (out-of-sample), so one spike cannot mask itself.
 *
 * <p>Score: {@link #ratio(double, double) |z|/(|z| + k)} ∈ [0, 1), continuous and monotone in |z|, 0.5 exactly at the
 * verdict threshold. (NAB's "windowed Gaussian" baseline uses erf(|z|/√2) instead, which rounds to 1.0 beyond
 * about 8σ and so cannot rank large deviations.)
 *
 * <p>Numerics: sums are kept about a shift (the first sample) to limit cancellation and recomputed exactly once
 * per window to stop drift. A constant window has σ = 0: a sample equal to the mean scores 0, any other scores 1
 * (σ is floored at 1e-12·max(1, |mean|), never divided by zero). NaN/±Inf are ignored: score 0, verdict false,
 * state unchanged.
 *
 * <p>Complexity O(1) per sample (O(window) once per window for the re-sum, amortised O(1)); allocation-free after
 * construction. Not thread-safe (single writer, per the {@link Detector} contract).
 */
public final class RollingZScoreDetector implements Detector {

    /** How |z| becomes a score in [0, 1]. */
    public enum ScoreMap {
        /** |z| / (|z| + k): 0.5 at the threshold, never saturates (default). */
        RATIO,
        /**
         * erf(|z|/√2), the two-sided Gaussian confidence (NAB windowed-Gaussian style; rounds to 1 beyond ~8σ). Useful
         * as a probability-like raw score for {@link AnomalyLikelihoodDetector}.
         */
        GAUSSIAN
    }

    private final int window;
    private final double k;
    private final int minSamples;
    private final ScoreMap map;
    private final double[] ring;
    private int head;
    private int size;
    private double shift;
    private double sum;
    private double sumSq;
    private int sinceResum;
    private boolean anomalous;
    private double lastZ;

    /** Window 1024, k = 3, warm-up 30 samples. */
    public RollingZScoreDetector() {
        this(1024, 3.0, 30);
    }

    public RollingZScoreDetector(int window, double k, int minSamples) {
        this(window, k, minSamples, ScoreMap.RATIO);
    }

    public RollingZScoreDetector(int window, double k, int minSamples, ScoreMap map) {
        if (window < 2) {
            throw new IllegalArgumentException("window must be >= 2, got " + window);
        }
        if (!(k > 0)) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        if (minSamples < 2 || minSamples > window) {
            throw new IllegalArgumentException("minSamples must be in [2, window], got " + minSamples);
        }
        this.window = window;
        this.k = k;
        this.minSamples = minSamples;
        this.map = map;
        this.ring = new double[window];
    }

    @Override
    public String name() {
        return "zscore";
    }

    @Override
    public double update(double x) {
        anomalous = false;
        lastZ = 0;
        if (!Double.isFinite(x)) {
            return 0.0;
        }
        double score = 0.0;
        if (size >= minSamples) {
            double mean = shift + sum / size;
            double var = Math.max(0.0, (sumSq - sum * sum / size) / (size - 1));
            double sd = Math.max(Math.sqrt(var), 1e-12 * Math.max(1.0, Math.abs(mean)));
            double z = (x - mean) / sd;
            lastZ = z;
            score = map == ScoreMap.RATIO ? ratio(z, k)
                    : (x == mean ? 0.0 : Stats.twoSidedConfidence(Math.min(Math.abs(z), 40.0)));
            anomalous = Math.abs(z) >= k;
        }
        push(x);
        return score;
    }

    private void push(double x) {
        if (size == 0) {
            shift = x;
        }
        double d = x - shift;
        if (size == window) {
            double old = ring[head] - shift;
            sum -= old;
            sumSq -= old * old;
            ring[head] = x;
            head = (head + 1) % window;
        } else {
            ring[(head + size) % window] = x;
            size++;
        }
        sum += d;
        sumSq += d * d;
        if (++sinceResum >= window) {
            resum();
        }
    }

    private void resum() {
        sinceResum = 0;
        shift = ring[head];
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < size; i++) {
            double d = ring[(head + i) % window] - shift;
            s += d;
            s2 += d * d;
        }
        sum = s;
        sumSq = s2;
    }

    /**
     * The score map shared by the z-type detectors: |z| / (|z| + k), continuous and strictly increasing in |z|, 0 at
     * z = 0, exactly 0.5 at the verdict threshold |z| = k, and below 1 for any finite z (no saturation, so a
     * threshold sweep can still rank a 10σ and a 50σ deviation, which erf-based scores cannot in double precision).
     */
    public static double ratio(double z, double k) {
        double a = Math.abs(z);
        if (!(a < 1e300)) {
            return 1.0;
        }
        return a / (a + k);
    }

    /** Signed z of the last finite sample (0 during warm-up). */
    public double lastZ() {
        return lastZ;
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return size < minSamples;
    }

    @Override
    public void reset() {
        head = 0;
        size = 0;
        sum = 0;
        sumSq = 0;
        shift = 0;
        sinceResum = 0;
        anomalous = false;
        lastZ = 0;
    }
}
