package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.SortedWindow;

/**
 * Seasonal nearest-neighbour detector: is the recent stretch of a periodic series unlike the same phase of
 * <em>every</em> earlier cycle? It is aimed at contextual anomalies (a value ordinary in size but wrong for its time
 * of day: a missing daily peak, a holiday, a flat stretch where the cycle should rise), which a model of
 * value-to-value transitions such as {@link ContextualAnomalyDetector} does not see because every single step of
 * such a stretch is a step it has seen before.
 *
 * <ol>
 *   <li><b>Period P</b>, re-estimated every {@code estimateEvery} samples from the kept history (the last n &le;
 *       {@code history} finite samples): the sample autocorrelation r(L) = Σ (x_i − x̄)(x_{i+L} − x̄) / Σ (x_i − x̄)²
 *       · n / (n − L) is computed for L = 1 … n/2 (so a period is seen at least twice); P is the <em>first</em> local
 *       maximum of r after r's first zero crossing whose value is at least {@code minCorrelation}. Starting after
 *       the first zero crossing skips the lags at which a smooth series merely resembles itself; taking the first
 *       qualifying peak rather than the highest picks the fundamental (one day) over its multiples (two, three days),
 *       whose peaks are as high on a clean cycle. With no such peak (noise, a trend, a constant) the series counts as
 *       aperiodic and the detector abstains: score 0.</li>
 *   <li><b>Distance.</b> With w = max(1, round(P / {@code windowDivisor})) and s = w / 2: for every earlier cycle
 *       k = 1, 2, … that the history holds, the mean absolute difference between the last w samples and the w samples
 *       ending k·P + j samples earlier, minimised over the phase shift j in [−s, s] (timing jitter of less than half a
 *       window is not an anomaly). The raw distance d_t is the smallest over k: the nearest neighbour among "the same
 *       time in earlier cycles", so a Saturday only has to resemble one earlier Saturday-like day, not the average
 *       day.</li>
 *   <li><b>Calibration</b> (conformal, no distributional assumption): p_t = (1 + #{c &ge; d_t}) / (1 + m) over the
 *       last m &le; {@code calibration} raw distances of this detector since the current period was adopted (a new
 *       period restarts it: distances under another alignment are not comparable). score =
 *       ln p_t / ln(1 / (1 + {@code calibration})) in [0, 1]: 1 only when d_t exceeds every distance of a full
 *       calibration window, and always small while few distances are known. The verdict is p_t &le;
 *       {@code alarmTail}, i.e. score &ge; {@link #alarmScore()}.</li>
 *   <li><b>Hold-off</b>: after a reported alarm the next {@code holdOff} samples report score × 0.49 and no verdict
 *       (one incident, one alarm); their distances still enter the calibration.</li>
 * </ol>
 * Row t is scored from rows &le; t only. Deterministic (no randomness).
 *
 * <p>NaN/±Inf input is ignored (score 0, state unchanged). Constant input has no autocorrelation: the detector
 * abstains (score 0). <b>Cost</b>: a distance is O(K·(2s + 1)·w) with K &le; history / P earlier cycles (about
 * 30 · 13 · 12 ≈ 4,700 operations for one-day cycles of 5-minute data); the calibration update is O(log C) plus one
 * array shift ({@link SortedWindow}); a period estimate is O(n²/2), once every {@code estimateEvery} samples
 * (amortised n² / (2·estimateEvery): about 1.3·10⁵ multiply-adds per sample for n = 8,640 and every 288 samples).
 * So it is <em>not</em> O(1) per sample and belongs with the learning detectors; it does not allocate after
 * construction. Memory O(history + calibration). Not thread-safe.
 */
public final class SeasonalKnnDetector implements Detector {
    private final String name;
    private final int minPeriod;
    private final int estimateEvery;
    private final double minCorrelation;
    private final int windowDivisor;
    private final double alarmTail;
    private final int holdOff;
    private final double[] ring;
    private final double[] work;
    private final double[] acf;
    private final SortedWindow calibration;
    private int head;
    private int size;
    private long count;
    private int period;
    private int window;
    private int shift;
    private int remaining;
    private double lastDistance = Double.NaN;
    private boolean anomalous;

    /**
     * @param name           detector name
     * @param history        finite samples kept for the period estimate and the neighbours
     * @param minPeriod      smallest period considered, at least 2
     * @param estimateEvery  samples between period estimates
     * @param minCorrelation autocorrelation a period's peak must reach, in (0, 1)
     * @param windowDivisor  compared window = period / windowDivisor samples (at least 1)
     * @param calibration    raw distances kept for the conformal tail probability
     * @param alarmTail      tail probability at or below which a sample is an alarm, in (0, 1)
     * @param holdOff        samples silenced after a reported alarm, at least 0
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public SeasonalKnnDetector(String name, int history, int minPeriod, int estimateEvery, double minCorrelation,
                               int windowDivisor, int calibration, double alarmTail, int holdOff) {
        if (minPeriod < 2 || history < 4 * minPeriod) {
            throw new IllegalArgumentException("seasonal detector '" + name + "': need minPeriod >= 2 and history >= "
                    + "4*minPeriod, got minPeriod=" + minPeriod + ", history=" + history);
        }
        if (estimateEvery < 1 || windowDivisor < 1 || calibration < 1 || holdOff < 0) {
            throw new IllegalArgumentException("seasonal detector '" + name + "': invalid sizes estimateEvery="
                    + estimateEvery + ", windowDivisor=" + windowDivisor + ", calibration=" + calibration
                    + ", holdOff=" + holdOff);
        }
        if (!(minCorrelation > 0 && minCorrelation < 1)) {
            throw new IllegalArgumentException("seasonal detector '" + name + "': minCorrelation must be in (0, 1), got "
                    + minCorrelation);
        }
        if (!(alarmTail > 0 && alarmTail < 1)) {
            throw new IllegalArgumentException("seasonal detector '" + name + "': alarmTail must be in (0, 1), got "
                    + alarmTail);
        }
        this.name = name;
        this.minPeriod = minPeriod;
        this.estimateEvery = estimateEvery;
        this.minCorrelation = minCorrelation;
        this.windowDivisor = windowDivisor;
        this.alarmTail = alarmTail;
        this.holdOff = holdOff;
        this.ring = new double[history];
        this.work = new double[history];
        this.acf = new double[history / 2 + 2];
        this.calibration = new SortedWindow(calibration);
    }

    @Override
    public String name() {
        return name;
    }

    /** The score at and above which a sample is an alarm: ln(alarmTail) / ln(1 / (1 + calibration)), at most 1. */
    public double alarmScore() {
        return alarmScore(alarmTail, calibration.capacity());
    }

    /** The alarm score of a configuration (see {@link #alarmScore()}), for catalogues that need it up front. */
    public static double alarmScore(double alarmTail, int calibration) {
        return Math.min(1.0, Math.log(alarmTail) / -Math.log(1.0 + calibration));
    }

    /** The period in use (samples), or 0 while the series counts as aperiodic. */
    public int period() {
        return period;
    }

    /** The raw distance of the last sample (NaN when none was computed: no period yet, or non-finite input). */
    public double lastDistance() {
        return lastDistance;
    }

    @Override
    public double update(double value) {
        anomalous = false;
        lastDistance = Double.NaN;
        if (!Double.isFinite(value)) {
            return 0.0;
        }
        push(value);
        count++;
        if (count % estimateEvery == 0) {
            int p = estimatePeriod();
            if (p != period) {
                period = p;
                window = Math.max(1, (int) Math.round(p / (double) windowDivisor));
                shift = window / 2;
                calibration.clear();
            }
        }
        if (period == 0 || size < period + window + shift) {
            return 0.0;
        }
        double d = distance();
        if (!(d < Double.POSITIVE_INFINITY)) {
            d = Double.MAX_VALUE; // differences of values near ±MAX_VALUE overflow: the largest distance there is
        }
        lastDistance = d;
        int m = calibration.size();
        double score = 0.0;
        if (m > 0) {
            double p = (1.0 + countAtLeast(d)) / (1.0 + m);
            score = Math.max(0.0, Math.min(1.0, Math.log(p) / -Math.log(1.0 + calibration.capacity())));
            if (remaining > 0) {
                remaining--;
                score *= 0.49;
            } else if (p <= alarmTail) {
                anomalous = true;
                remaining = holdOff;
            }
        }
        calibration.add(d);
        return score;
    }

    private void push(double v) {
        if (size == ring.length) {
            ring[head] = v;
            head = head + 1 == ring.length ? 0 : head + 1;
        } else {
            ring[(head + size) % ring.length] = v;
            size++;
        }
    }

    /** The kept value {@code back} samples before the newest (0 = newest). */
    private double at(int back) {
        int i = (head + size - 1 - back) % ring.length;
        return ring[i < 0 ? i + ring.length : i];
    }

    /** Number of calibration distances &ge; d (binary search over the sorted window). */
    private int countAtLeast(double d) {
        int lo = 0;
        int hi = calibration.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (calibration.get(mid) < d) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return calibration.size() - lo;
    }

    /** Smallest mean absolute difference of the last {@code window} samples to a same-phase window of an earlier cycle. */
    private double distance() {
        double best = Double.POSITIVE_INFINITY;
        for (int k = 1; (long) k * period + shift + window <= size; k++) {
            for (int j = -shift; j <= shift; j++) {
                int off = k * period + j; // the candidate window ends off samples before the newest
                if (off < 1) {
                    continue;
                }
                double sum = 0;
                double stop = best * window;
                for (int i = 0; i < window && sum < stop; i++) {
                    sum += Math.abs(at(i) - at(off + i));
                }
                best = Math.min(best, sum / window);
            }
        }
        return best;
    }

    /** The autocorrelation period of the kept history (see the class comment), or 0 when there is none. */
    int estimatePeriod() {
        int n = size;
        int maxLag = n / 2;
        if (maxLag < minPeriod + 1) {
            return 0;
        }
        double mean = 0;
        for (int i = 0; i < n; i++) {
            work[i] = ring[(head + i) % ring.length];
            mean += work[i];
        }
        mean /= n;
        double c0 = 0;
        for (int i = 0; i < n; i++) {
            work[i] -= mean;
            c0 += work[i] * work[i];
        }
        if (!(c0 > 0)) {
            return 0;
        }
        for (int lag = 1; lag <= maxLag + 1; lag++) {
            double c = 0;
            for (int i = 0, e = n - lag; i < e; i++) {
                c += work[i] * work[i + lag];
            }
            acf[lag] = c / c0 * n / (n - lag);
        }
        int zero = 1;
        while (zero <= maxLag && acf[zero] > 0) {
            zero++;
        }
        for (int lag = Math.max(minPeriod, zero + 1); lag <= maxLag; lag++) {
            if (acf[lag] >= minCorrelation && acf[lag] > acf[lag - 1] && acf[lag] >= acf[lag + 1]) {
                return lag;
            }
        }
        return 0;
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    /** True while no period is known or no distance has been calibrated yet. */
    @Override
    public boolean isWarmingUp() {
        return period == 0 || calibration.size() == 0;
    }

    @Override
    public void reset() {
        head = 0;
        size = 0;
        count = 0;
        period = 0;
        window = 0;
        shift = 0;
        remaining = 0;
        lastDistance = Double.NaN;
        anomalous = false;
        calibration.clear();
    }
}
