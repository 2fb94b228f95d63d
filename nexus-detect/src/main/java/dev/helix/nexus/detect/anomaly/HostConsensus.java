package dev.helix.nexus.detect.anomaly;

/**
 * Per-host consensus: fuses, once per tick, the scores of every per-metric detector of one host into one host anomaly
 * score and one verdict, and names the metrics that contributed most.
 *
 * <p><b>Input scale.</b> Each metric's score is expected on the anomaly-likelihood log scale of
 * {@link AnomalyLikelihoodDetector} (the live {@code likelihood-zscore} detector): score = ln(p + 1e-10) / ln(1e-10)
 * for a tail probability p, so 0.5 is p = 1e-5. {@link #tailProbability(double)} inverts it, turning each score back
 * into the p-value it encodes (floored at {@value #P_FLOOR}, below the scale's resolution, so that a score of 1 from
 * the spatial rule stays finite).
 *
 * <p><b>Fusion: harmonic-mean p-value with the Vovk–Wang correction.</b> With n metrics reporting this tick, the host
 * tail probability is p = min(1, e·ln(n) · n / Σ 1/p_i) for n ≥ 3 (Vovk &amp; Wang, "Combining p-values via
 * averaging", Biometrika 107(4), 2020: the harmonic mean times e·ln n is a valid p-value under <em>arbitrary</em>
 * dependence), and the Bonferroni bound n · min p_i for n ≤ 2. Why this and not the alternatives:
 * <ul>
 *   <li>Host metrics are strongly correlated (per-CPU and per-mode CPU shares, memory and swap, disk and PSI I/O), so
 *       Fisher's method (−2 Σ ln p_i ~ χ²), which assumes independence, would call a single CPU spike seen by twenty
 *       CPU series astronomically significant;</li>
 *   <li>Bonferroni (n · min p) is valid under any dependence but ignores every metric but the strongest, so many
 *       moderately elevated metrics (a slow, host-wide incident) never add up;</li>
 *   <li>the harmonic mean sits between the two: dominated by the smallest p-values (one extreme metric gives about
 *       e·ln(n)·n·p, Bonferroni up to the e·ln n factor), yet k metrics at a common p give about
 *       e·ln(n)·(n/k)·p, so corroboration counts; a metric with p near 1 adds at most 1 to the sum and cannot cancel
 *       evidence (unlike the Cauchy combination, whose tan terms go to −∞ as p → 1).</li>
 * </ul>
 * The host score is the fused p on the same log scale, so the same threshold (default 0.5, p = 1e-5) means the same
 * thing for one metric and for the host.
 *
 * <p><b>Vote, against the learned base rate.</b> Besides that per-tick evidence, a corroboration vote: the number v of
 * metrics whose own detector raised an alarm within the last {@code voteWindow} ticks. A fixed "k of n" is not
 * calibrated: per-series detectors alarm more often than their nominal 1e-5 on a live host (measured in
 * {@code docs/benchmarks/live-detection.md}: the previous live detector, {@code likelihood-zscore}, at 4.3e-3 per
 * sample, mostly its "outside the range seen so far" rule; the current {@code live-pot} at 3.8e-5, a few times nominal,
 * mostly memory series stepping when processes start), and that rate varies by host and load. So the consensus learns the per-series, per-tick alarm rate q (an exponentially weighted mean of
 * alarms / metrics over ticks with time constant {@value #BASE_RATE_TICKS} ticks, bias-corrected while it starts, at
 * least the nominal {@value #NOMINAL_RATE}, updated only while the host is not anomalous so that an incident does not
 * raise its own baseline), and asks how surprising v is: P(X ≥ v) for X ~ Poisson(q · n · voteWindow), the number of
 * alarms expected in the window if the metrics alarmed at their base rate. Counting distinct metrics (≤ alarms) keeps
 * this conservative.
 *
 * <p><b>Verdict.</b> The host turns anomalous when at least {@code agreeing} metrics alarmed within the window, their
 * number is surprising (P ≤ {@value #VOTE_ALPHA}, the per-series threshold), and either the fused score ≥
 * {@code threshold} or v ≥ {@code quorum}. It stays anomalous while at least {@code agreeing} metrics alarmed within
 * the window and their number stays unusual (P ≤ {@value #HOLD_ALPHA}); it clears on the first tick where that no
 * longer holds (hysteresis: entering needs strong evidence, staying only an unusual agreement, so the verdict does not
 * flap while the incident's metrics keep alarming). Why the fused evidence alone is not enough: one series' alarm is
 * that series' own anomaly (its detector reports it), and a spatial score of 1 is a rule, not a calibrated
 * probability; a host verdict needs series to agree more than they usually do. Until the base rate has been learned
 * over {@code voteWindow} ticks with metrics reporting, the host cannot turn anomalous. {@link #changed()} tells whether the
 * last {@link #endTick()} entered or cleared the state.
 *
 * <p><b>Protocol.</b> Metrics are numbered slots (0, 1, ...; the caller maps series to slots). Each tick call
 * {@link #score(int, double, boolean)} for every metric that produced a score, then {@link #endTick()}. A slot not
 * scored in a tick, or scored NaN, is missing for that tick and ignored (neither in n nor in the sum).
 *
 * <p>Cost: O(1) per {@link #score}; O(s) per {@link #endTick} for s slots ever used (one pass: sum, vote count and the
 * top-k contributors by insertion into a k-slot array) plus O(v + q·n·w) for the vote's Poisson tail. Allocation-free once the slot arrays have grown to the
 * highest slot used. Deterministic (no randomness, no clock). Not thread-safe: one thread scores and ends ticks.
 */
public final class HostConsensus {

    /** Smallest tail probability a score is mapped to (the log scale cannot resolve below ~1e-10). */
    public static final double P_FLOOR = 1e-12;

    /** Vote surprise (Poisson tail) at or below which the host may turn anomalous. */
    public static final double VOTE_ALPHA = 1e-5;
    /** Vote surprise at or below which an anomalous host stays anomalous. */
    public static final double HOLD_ALPHA = 1e-2;
    /** Time constant, in ticks, of the learned per-series alarm rate. */
    public static final int BASE_RATE_TICKS = 1000;
    /** Smallest per-series, per-tick alarm rate assumed: the detectors' nominal tail probability. */
    public static final double NOMINAL_RATE = 1e-5;

    private static final double LN_1E10 = Math.log(1e-10);

    private final int voteWindow;
    private final int agreeing;
    private final int quorum;
    private final double threshold;
    private final int topK;

    private double[] scores = new double[0];
    private long[] lastAlarm = new long[0];
    private final int[] top;
    private final double[] topP;

    private long tick;
    private int metrics;
    private int votes;
    private double rateAverage;
    private double rateWeight;
    private long rateTicks;
    private double voteSurprise = 1;
    private double p = 1.0;
    private double score;
    private int topCount;
    private boolean anomalous;
    private boolean changed;

    /**
     * @param voteWindow ticks an alarm of one metric counts for in the vote (≥ 1)
     * @param agreeing   metrics alarmed within the window needed for, and to keep, a verdict (≥ 1)
     * @param quorum     metrics alarmed within the window that stand in for the fused evidence (≥ agreeing)
     * @param threshold  host score at or above which the host is anomalous, in (0, 1]
     * @param topK       contributing metrics kept per tick (≥ 1)
     */
    public HostConsensus(int voteWindow, int agreeing, int quorum, double threshold, int topK) {
        if (voteWindow < 1) {
            throw new IllegalArgumentException("voteWindow must be >= 1 tick, got " + voteWindow);
        }
        if (agreeing < 1) {
            throw new IllegalArgumentException("agreeing must be >= 1 metric, got " + agreeing);
        }
        if (quorum < agreeing) {
            throw new IllegalArgumentException("quorum must be >= agreeing (" + agreeing + "), got " + quorum);
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        this.voteWindow = voteWindow;
        this.agreeing = agreeing;
        this.quorum = quorum;
        this.threshold = threshold;
        this.topK = topK;
        this.top = new int[topK];
        this.topP = new double[topK];
    }

    /**
     * The live defaults: a vote window of 10 ticks, 2 agreeing metrics with the evidence or a quorum of 3,
     * threshold 0.5 (host tail probability 1e-5, the per-metric detectors' own threshold) and the top 3 contributors.
     */
    public static HostConsensus withDefaults() {
        return new HostConsensus(10, 2, 3, 0.5, 3);
    }

    /**
     * The tail probability a likelihood-scale score encodes: exp(score · ln 1e-10) − 1e-10, clamped to
     * [{@value #P_FLOOR}, 1]. NaN for NaN.
     */
    public static double tailProbability(double score) {
        if (Double.isNaN(score)) {
            return Double.NaN;
        }
        double s = Math.min(1, Math.max(0, score));
        return Math.min(1, Math.max(P_FLOOR, Math.exp(s * LN_1E10) - 1e-10));
    }

    /** The likelihood-scale score of a tail probability: ln(p + 1e-10) / ln(1e-10), clamped to [0, 1]. */
    public static double scoreOf(double tailProbability) {
        double s = Math.log(tailProbability + 1e-10) / LN_1E10;
        return Math.min(1, Math.max(0, s));
    }

    /**
     * Records one metric's score for the current tick.
     *
     * @param slot    the metric's slot, ≥ 0
     * @param score   its detector's score on the likelihood scale; NaN = missing this tick
     * @param alarmed whether its detector raised its own alarm on this sample
     */
    public void score(int slot, double score, boolean alarmed) {
        if (slot < 0) {
            throw new IllegalArgumentException("slot must be >= 0, got " + slot);
        }
        if (slot >= scores.length) {
            grow(slot + 1);
        }
        scores[slot] = score;
        if (alarmed && !Double.isNaN(score)) {
            lastAlarm[slot] = tick;
        }
    }

    private void grow(int min) {
        int n = Math.max(min, Math.max(16, scores.length * 2));
        int old = scores.length;
        scores = java.util.Arrays.copyOf(scores, n);
        lastAlarm = java.util.Arrays.copyOf(lastAlarm, n);
        java.util.Arrays.fill(scores, old, n, Double.NaN);
        java.util.Arrays.fill(lastAlarm, old, n, Long.MIN_VALUE);
    }

    /**
     * Fuses the scores recorded since the last call, updates the verdict and starts the next tick.
     *
     * @return the verdict after this tick
     */
    public boolean endTick() {
        double inverseSum = 0;
        double minP = 1;
        int n = 0;
        int v = 0;
        int fresh = 0;
        topCount = 0;
        for (int i = 0; i < scores.length; i++) {
            if (lastAlarm[i] != Long.MIN_VALUE && tick - lastAlarm[i] < voteWindow) {
                v++;
                if (lastAlarm[i] == tick) {
                    fresh++;
                }
            }
            double s = scores[i];
            if (Double.isNaN(s)) {
                continue;
            }
            scores[i] = Double.NaN;
            double pi = tailProbability(s);
            n++;
            inverseSum += 1 / pi;
            minP = Math.min(minP, pi);
            offerTop(i, pi);
        }
        metrics = n;
        votes = v;
        if (n == 0) {
            p = 1;
        } else if (n <= 2) {
            p = Math.min(1, n * minP);
        } else {
            p = Math.min(1, Math.E * Math.log(n) * n / inverseSum);
        }
        score = scoreOf(p);
        voteSurprise = n == 0 ? 1 : poissonTail(votes, baseRate() * n * voteWindow);
        boolean agree = votes >= agreeing;
        boolean enter = agree && rateTicks >= voteWindow && voteSurprise <= VOTE_ALPHA
                && (score >= threshold || votes >= quorum);
        boolean before = anomalous;
        anomalous = enter || (anomalous && agree && voteSurprise <= HOLD_ALPHA);
        if (!anomalous && n > 0) {
            // bias-corrected exponentially weighted mean: weight and sum decay alike, so early on it is the plain mean
            double decay = 1 - 1.0 / BASE_RATE_TICKS;
            rateAverage = rateAverage * decay + (double) fresh / n;
            rateWeight = rateWeight * decay + 1;
            rateTicks++;
        }
        changed = before != anomalous;
        tick++;
        return anomalous;
    }

    /**
     * P(X ≥ k) for X ~ Poisson(lambda), without cancellation: one minus the lower sum when k ≤ lambda (the tail is
     * then large), else the upper terms until they stop mattering. O(k + lambda) at most; allocation-free.
     */
    static double poissonTail(int k, double lambda) {
        if (k <= 0) {
            return 1;
        }
        if (lambda <= 0) {
            return 0;
        }
        if (k <= lambda) {
            double term = Math.exp(-lambda);
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += term;
                term *= lambda / (j + 1);
            }
            return Math.max(0, Math.min(1, 1 - sum));
        }
        double logFactorial = 0;
        for (int j = 2; j <= k; j++) {
            logFactorial += Math.log(j);
        }
        double term = Math.exp(-lambda + k * Math.log(lambda) - logFactorial);
        double sum = 0;
        for (int j = k; term > 0 && term > sum * 1e-17; j++) {
            sum += term;
            term *= lambda / (j + 1);
        }
        return Math.min(1, sum);
    }

    /** Keeps the topK smallest p-values (ties: lower slot first), by insertion. */
    private void offerTop(int slot, double pi) {
        int pos = topCount;
        while (pos > 0 && pi < topP[pos - 1]) {
            pos--;
        }
        if (pos >= topK) {
            return;
        }
        int end = Math.min(topCount, topK - 1);
        for (int j = end; j > pos; j--) {
            top[j] = top[j - 1];
            topP[j] = topP[j - 1];
        }
        top[pos] = slot;
        topP[pos] = pi;
        if (topCount < topK) {
            topCount++;
        }
    }

    /** The host score of the last tick, in [0, 1] on the likelihood scale (0 when no metric reported). */
    public double score() {
        return score;
    }

    /** The fused host tail probability of the last tick, in [{@value #P_FLOOR}, 1]. */
    public double hostTailProbability() {
        return p;
    }

    /** Metrics with a score in the last tick. */
    public int metrics() {
        return metrics;
    }

    /** Metrics whose detector alarmed within the last {@code voteWindow} ticks, as of the last tick. */
    public int votes() {
        return votes;
    }

    /** How surprising the last tick's vote was: P(X ≥ votes) under the learned per-series alarm rate. */
    public double voteSurprise() {
        return voteSurprise;
    }

    /** The learned per-series, per-tick alarm rate (at least {@value #NOMINAL_RATE}). */
    public double baseRate() {
        return Math.max(NOMINAL_RATE, rateWeight > 0 ? rateAverage / rateWeight : 0);
    }

    /** The verdict after the last tick. */
    public boolean isAnomalous() {
        return anomalous;
    }

    /** True when the last {@link #endTick()} turned the verdict on or off. */
    public boolean changed() {
        return changed;
    }

    /** Number of top contributors of the last tick (≤ topK and ≤ {@link #metrics()}). */
    public int topCount() {
        return topCount;
    }

    /** The slot of the i-th strongest contributor of the last tick (smallest tail probability first). */
    public int topSlot(int i) {
        checkTop(i);
        return top[i];
    }

    /** The tail probability of the i-th strongest contributor of the last tick. */
    public double topTailProbability(int i) {
        checkTop(i);
        return topP[i];
    }

    private void checkTop(int i) {
        if (i < 0 || i >= topCount) {
            throw new IndexOutOfBoundsException("top contributor " + i + " of " + topCount);
        }
    }

    /** Ticks ended so far. */
    public long ticks() {
        return tick;
    }
}
