package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.Stats;

/**
 * Anomaly likelihood post-processing (Ahmad, Lavin, Purdy &amp; Agha, "Unsupervised real-time anomaly detection for
 * streaming data", Neurocomputing 262, 2017, §4; Numenta's {@code anomaly_likelihood.py}): instead of thresholding a
 * raw score, ask how unlikely the <em>recent average</em> raw score is given the raw score's own history.
 *
 * <ol>
 *   <li>raw score r_t from the wrapped base detector (in [0, 1]);</li>
 *   <li>short-term mean m_t of the last {@code averagingWindow} raw scores (default 10);</li>
 *   <li>a Gaussian N(μ, σ²) fitted to the m_t of the last {@code historyWindow} samples (default 8640, i.e. 30 days
 *       of 5-minute data), re-estimated every {@code reestimationPeriod} samples (default 100), with Numenta's lower
 *       bounds μ &ge; 0.03, σ² &ge; 0.0003 so a perfectly predictable stream does not make every blip "infinitely"
 *       unlikely;</li>
 *   <li>likelihood L_t = 1 - Q((m_t - μ)/σ) (upper tail only: unusually <em>low</em> surprise is not an anomaly, a
 *       deliberate difference from Numenta, which reflects the lower tail);</li>
 *   <li>score = ln(1 + 1e-10 - L_t) / ln(1e-10), Numenta's log-likelihood scaling into [0, 1]: 0.5 means a
 *       tail probability of 1e-5, which is the fixed verdict threshold.</li>
 * </ol>
 * Optional "spatial anomaly" rule from NAB's Numenta detector: a value more than 5 % of the range seen so far
 * outside that range scores 1.
 *
 * <p><b>Base warm-up.</b> While the base reports {@link Detector#isWarmingUp()}, its score is a placeholder (0 by the
 * {@link Detector} contract), not a measurement: it enters neither the short-term average nor the history. The flag
 * is read before and after the base's update and either counts, because detectors differ in whether it describes
 * the sample just scored or the next one (the forest, for one, scores its fitting sample 0 and reports warmed up
 * right after it); at worst the base's first real score is skipped as well. The first
 * {@code learningPeriod} samples (default 288, counted from the start of the stream, base warm-up included) only
 * learn (score 0), and the Gaussian is first fitted only once the history also holds {@value #ESTIMATION_SAMPLES}
 * averages of real base scores (Numenta's {@code estimationSamples}; fewer if {@code historyWindow} is smaller), then
 * re-fitted every {@code reestimationPeriod} samples. So the first scored row (counting from 0) is
 * max(learningPeriod, placeholder rows + {@value #ESTIMATION_SAMPLES}): 288 over a z-score (30 placeholder rows),
 * 359 over a shingled forest (259).
Without this rule (the audit's defect) the forest's 259 placeholder zeros and a ramp of averages mixing them
 * with its first real scores made up the history, the Gaussian was fitted on as few as two of those, and a constant
 * series alarmed at row 288. If the base re-enters warm-up mid-stream (a reset or re-learning base), its
 * placeholders are skipped the same way.
 *
 * <p>NaN/±Inf input: forwarded to the base (which ignores it) and ignored here (score 0, state unchanged).
 * Complexity O(1) per sample plus the base's cost (running sums over ring buffers); allocation-free after
 * construction. Not thread-safe.
 */
public final class AnomalyLikelihoodDetector implements Detector {
    /** Minimum number of history entries for the first fit of the Gaussian (Numenta's {@code estimationSamples}). */
    public static final int ESTIMATION_SAMPLES = 100;
    private final Detector base;
    private final String name;
    private final int averagingWindow;
    private final int historyWindow;
    private final int reestimationPeriod;
    private final int learningPeriod;
    private final boolean spatial;
    private final double threshold;
    private final double[] avgRing;
    private final double[] histRing;
    private int avgHead;
    private int avgSize;
    private double avgSum;
    private int histHead;
    private int histSize;
    private double histSum;
    private double histSumSq;
    private long count;
    private int sinceEstimate;
    private double mu = Double.NaN;
    private double sigma = Double.NaN;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private boolean anomalous;
    /** Whether the last finite sample only learned (was not scored). */
    private boolean learning = true;

    public AnomalyLikelihoodDetector(String name, Detector base, int averagingWindow, int historyWindow,
                                     int reestimationPeriod, int learningPeriod, boolean spatial, double threshold) {
        if (averagingWindow < 1 || historyWindow < 10 || reestimationPeriod < 1 || learningPeriod < averagingWindow) {
            throw new IllegalArgumentException("invalid likelihood windows");
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
        this.base = base;
        this.name = name;
        this.averagingWindow = averagingWindow;
        this.historyWindow = historyWindow;
        this.reestimationPeriod = reestimationPeriod;
        this.learningPeriod = learningPeriod;
        this.spatial = spatial;
        this.threshold = threshold;
        this.avgRing = new double[averagingWindow];
        this.histRing = new double[historyWindow];
    }

    /** Numenta's published settings: averaging 10, history 8640, re-estimation 100, learning 288, threshold 0.5. */
    public AnomalyLikelihoodDetector(String name, Detector base, boolean spatial) {
        this(name, base, 10, 8640, 100, 288, spatial, 0.5);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimensions() {
        return base.dimensions();
    }

    @Override
    public double update(double value) {
        anomalous = false;
        boolean baseWarmBefore = base.isWarmingUp();
        double raw = base.update(value);
        if (!Double.isFinite(value)) {
            return 0.0;
        }
        return process(raw, value, baseWarmBefore || base.isWarmingUp());
    }

    @Override
    public double update(double[] values) {
        anomalous = false;
        boolean baseWarmBefore = base.isWarmingUp();
        double raw = base.update(values);
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return 0.0;
            }
        }
        return process(raw, values.length == 1 ? values[0] : Double.NaN, baseWarmBefore || base.isWarmingUp());
    }

    /** @param placeholder whether the base was warming up before or after this sample (class text) */
    private double process(double raw, double value, boolean placeholder) {
        boolean spatialAnomaly = false;
        if (spatial && Double.isFinite(value)) {
            if (max > min) {
                double tol = (max - min) * 0.05;
                spatialAnomaly = value > max + tol || value < min - tol;
            }
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        count++;
        if (placeholder) {
            learning = true;
            return 0.0; // the base's score is a placeholder: no average, no history (class text, "Base warm-up")
        }
        // short-term average
        if (avgSize == averagingWindow) {
            avgSum -= avgRing[avgHead];
            avgRing[avgHead] = raw;
            avgHead = (avgHead + 1) % averagingWindow;
        } else {
            avgRing[(avgHead + avgSize) % averagingWindow] = raw;
            avgSize++;
        }
        avgSum += raw;
        double m = avgSum / avgSize;
        double score = 0.0;
        learning = count <= learningPeriod || Double.isNaN(mu);
        if (!learning) {
            double tail = Stats.normalTail((m - mu) / sigma);
            double likelihood = 1.0 - tail;
            score = Stats.clamp01(Math.log(1.0000000001 - likelihood) / Math.log(1e-10));
        }
        if (spatialAnomaly && count > learningPeriod) {
            score = 1.0;
        }
        anomalous = score >= threshold;
        // history of short-term averages
        if (histSize == historyWindow) {
            double old = histRing[histHead];
            histSum -= old;
            histSumSq -= old * old;
            histRing[histHead] = m;
            histHead = (histHead + 1) % historyWindow;
        } else {
            histRing[(histHead + histSize) % historyWindow] = m;
            histSize++;
        }
        histSum += m;
        histSumSq += m * m;
        // first fit once the learning period is over and the history holds enough real averages, then every
        // reestimationPeriod samples
        if (Double.isNaN(mu)) {
            if (count >= learningPeriod && histSize >= Math.min(ESTIMATION_SAMPLES, historyWindow)) {
                estimate();
            }
        } else if (++sinceEstimate >= reestimationPeriod) {
            estimate();
        }
        return score;
    }

    private void estimate() {
        sinceEstimate = 0;
        if (histSize < 2) {
            return;
        }
        double mean = histSum / histSize;
        double var = Math.max(0.0, (histSumSq - histSum * histSum / histSize) / (histSize - 1));
        mu = Math.max(mean, 0.03);
        sigma = Math.sqrt(Math.max(var, 0.0003));
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    /**
     * True while the last finite sample only learned (scored 0 by the rules in the class text: base warm-up, the
     * learning period, or no Gaussian fitted yet); the first sample scored turns it false. O(1).
     */
    @Override
    public boolean isWarmingUp() {
        return learning;
    }

    @Override
    public void reset() {
        base.reset();
        avgHead = avgSize = 0;
        avgSum = 0;
        histHead = histSize = 0;
        histSum = histSumSq = 0;
        count = 0;
        sinceEstimate = 0;
        mu = sigma = Double.NaN;
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
        anomalous = false;
        learning = true;
    }
}
