package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.SortedWindow;

/**
 * A per-series live detector whose verdict means what it says: a sample is anomalous when the tail probability of its
 * deviation, estimated from <em>this series' own</em> past deviations, is at most {@code alpha} (default 1e-5). Host
 * telemetry is heavy-tailed, quantised (counters that are mostly 0) and step-like, so a Gaussian tail (as in
 * {@link AnomalyLikelihoodDetector}) is optimistic by orders of magnitude; here the tail is measured, not assumed
 * (measurements: {@code docs/benchmarks/live-detection.md}).
 *
 * <p><b>Definition.</b> For each finite sample x:
 * <ol>
 *   <li>deviation d = |x − m|, where m is the median of the previous {@code window} samples (default 300);</li>
 *   <li>its tail probability p against the last {@code history} deviations h (default 1000; n so far), sorted: with
 *       k = max({@code minPeaks}, ⌈{@code tailFraction}·n⌉) (defaults 10 and 0.02), the tail threshold u is the
 *       (k+1)-th largest h (lowered to the next smaller distinct value when ties leave fewer than {@code minPeaks}
 *       values above it), and the N_u values above u are the peaks;
 *       <ul>
 *         <li>d ≤ u, or fewer than {@code minPeaks} peaks (or no spread among them): the conformal p-value
 *             p = (#{h ≥ d} + 1)/(n + 1), which never goes below 1/(n + 1): a deviation of a kind never seen (the
 *             first non-zero value of a counter that has always been 0) cannot be called rarer than the history
 *             can tell;</li>
 *         <li>d &gt; u: Peaks-Over-Threshold, p = (N_u + 1)/(n + 1) · (1 + γ(d − u)/σ)^(−1/γ), a generalised Pareto
 *             tail for the peaks' excesses (exponential when γ = 0). The shape is the probability-weighted-moment
 *             estimate (as in {@link PotThreshold}) clamped to γ̂ ≥ 0, <em>plus</em> {@code shapeMargin} (default 1)
 *             of its standard errors, √((1−γ)(2−γ)²(1−γ+2γ²)/((1−2γ)(3−2γ)N_u)) (Hosking &amp; Wallis,
 *             Technometrics 29(3), 1987; evaluated at min(γ̂, 0.4), and γ capped at 0.95), and σ = ā(1 − γ) keeps the
 *             peaks' mean excess ā. Why: p = 1e-5 lies two to three orders of magnitude beyond a thousand
 *             deviations, where a tail fitted to a few dozen peaks is uncertain, and an underestimated shape makes
 *             false alarms far more likely than an overestimated one makes misses; a bounded (γ &lt; 0) tail would
 *             declare every value just beyond the largest one seen impossible;</li>
 *       </ul></li>
 *   <li>score = ln(p + 1e-10)/ln(1e-10) ∈ [0, 1] ({@link HostConsensus#scoreOf}, the anomaly-likelihood log scale the
 *       host consensus reads), so 0.5 is p = 1e-5; verdict: p ≤ {@code alpha}.</li>
 * </ol>
 * Every finite deviation enters the history, anomalous or not: the detector calibrates against everything the series
 * did within the last {@code history} samples, so an incident that recurs within that span is judged against its own
 * precedent (and is less surprising the second time).
 *
 * <p><b>Level shifts.</b> After {@code relearn} consecutive anomalous samples (default 3) the series is taken to have
 * moved to a new level: the median window is refilled with just those samples. A persistent step therefore alarms
 * for {@code relearn} samples, then is the new normal; its end (the return) is judged against the new level and
 * alarms likewise. Without this the median would need {@code window}/2 samples to cross the step, alarming (and
 * filling the history with step-sized deviations) all along.
 *
 * <p><b>Learning.</b> Until the history holds {@code learning} deviations (default 300) every score is 0 and the
 * verdict false; deviations start once the median window holds {@code relearn} samples, so the first verdict comes
 * with sample {@code relearn + learning + 1} ({@link #isWarmingUp()} turns false after sample
 * {@code relearn + learning}). No Gaussian fit and no "outside the range seen so far" rule: nothing makes the first
 * scored samples special, so no burst of alarms where learning ends.
 *
 * <p>NaN/±Inf input is ignored (score 0, verdict false, state unchanged). A deviation that overflows to +∞ (values
 * near ±{@link Double#MAX_VALUE}) has p = 0, scores 1 and is not stored.
 *
 * <p>Complexity per sample: O(log w + log h) comparisons plus the sorted-array shifts of two {@link SortedWindow}s
 * (O(w + h) memmove of doubles); a tail fit, O(k), only when d &gt; u and
 * the history changed since the last fit; O(relearn · w) on a re-learn. Memory O(window + history) doubles.
 * Allocation-free after construction. Not thread-safe (one writer, per the {@link Detector} contract).
 */
public final class LiveSeriesDetector implements Detector {

    /** Catalogue name of the default configuration. */
    public static final String NAME = "live-pot";

    private final String name;
    private final int relearn;
    private final int learning;
    private final double alpha;
    private final SortedWindow level;
    private final ScoreTail deviations;
    /** The last {@code relearn} finite samples (ring), for re-learning a level. */
    private final double[] recent;
    private int recentHead;
    private int run;

    private boolean anomalous;
    private double lastP = 1.0;

    /**
     * The live defaults: window 300, history 1000, learning 300, re-learn after 3, 10 peaks at least, tail 2 %,
     * α 1e-5, shape margin 1 standard error.
     */
    public LiveSeriesDetector() {
        this(NAME, 300, 1000, 300, 3, 10, 0.02, 1e-5, 1.0);
    }

    /**
     * @param name         detector name
     * @param window       samples whose median is the reference level (≥ relearn)
     * @param history      past deviations the tail probability is estimated from (≥ learning)
     * @param learning     deviations needed before the first verdict (≥ minPeaks + 1)
     * @param relearn      consecutive anomalous samples after which the level is re-learned (≥ 2); also the median
     *                     window's fill before deviations are computed
     * @param minPeaks     fewest values above the tail threshold for a fitted tail (≥ 3)
     * @param tailFraction share of the history taken as the tail, in (0, 0.5)
     * @param alpha        tail probability at or below which a sample is anomalous, in (0, 1)
     * @param shapeMargin  standard errors added to the estimated tail shape, in [0, 10]
     * @throws IllegalArgumentException naming the first parameter out of range
     */
    public LiveSeriesDetector(String name, int window, int history, int learning, int relearn, int minPeaks,
                              double tailFraction, double alpha, double shapeMargin) {
        if (relearn < 2) {
            throw new IllegalArgumentException("relearn must be >= 2 samples, got " + relearn);
        }
        if (window < relearn) {
            throw new IllegalArgumentException("window must be >= relearn (" + relearn + "), got " + window);
        }
        if (minPeaks < 3) {
            throw new IllegalArgumentException("minPeaks must be >= 3, got " + minPeaks);
        }
        if (learning < minPeaks + 1) {
            throw new IllegalArgumentException("learning must be >= minPeaks + 1 (" + (minPeaks + 1) + "), got "
                    + learning);
        }
        if (history < learning) {
            throw new IllegalArgumentException("history must be >= learning (" + learning + "), got " + history);
        }
        if (!(tailFraction > 0 && tailFraction < 0.5)) {
            throw new IllegalArgumentException("tailFraction must be in (0, 0.5), got " + tailFraction);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        if (!(shapeMargin >= 0 && shapeMargin <= 10)) {
            throw new IllegalArgumentException("shapeMargin must be in [0, 10] standard errors, got " + shapeMargin);
        }
        this.name = name;
        this.relearn = relearn;
        this.learning = learning;
        this.alpha = alpha;
        this.level = new SortedWindow(window);
        this.deviations = new ScoreTail(history, minPeaks, tailFraction, shapeMargin);
        this.recent = new double[relearn];
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double update(double x) {
        anomalous = false;
        lastP = 1.0;
        if (!Double.isFinite(x)) {
            return 0.0;
        }
        double score = 0.0;
        if (level.size() >= relearn) {
            double d = Math.abs(x - median(level));
            if (!isWarmingUp()) {
                double p = d < Double.POSITIVE_INFINITY ? deviations.tailProbability(d) : 0.0; // overflowed: beyond any tail
                lastP = p;
                anomalous = p <= alpha;
                score = HostConsensus.scoreOf(p);
            }
            if (d < Double.POSITIVE_INFINITY) {
                deviations.add(d);
            }
        }
        level.add(x);
        recent[recentHead] = x;
        recentHead = recentHead + 1 == relearn ? 0 : recentHead + 1;
        run = anomalous ? run + 1 : 0;
        if (run >= relearn) {
            relearnLevel();
        }
        return score;
    }

    /** The median window becomes the last {@code relearn} samples, which were all anomalous. */
    private void relearnLevel() {
        run = 0;
        level.clear();
        for (double v : recent) {
            level.add(v);
        }
    }

    /** Median without overflow (the window's interpolating quantile computes x + h·(y − x), which can overflow). */
    private static double median(SortedWindow w) {
        int n = w.size();
        return (n & 1) == 1 ? w.get(n / 2) : w.get(n / 2 - 1) / 2 + w.get(n / 2) / 2;
    }

    /** The tail probability of the last finite sample (1 while learning or for ignored input). */
    public double lastTailProbability() {
        return lastP;
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return deviations.size() < learning;
    }

    @Override
    public void reset() {
        level.clear();
        deviations.clear();
        recentHead = 0;
        run = 0;
        anomalous = false;
        lastP = 1.0;
    }
}
