package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.FuzzyArt;

import java.util.ArrayList;
import java.util.List;

/**
 * Adaptive-resonance anomaly detector: a causal, independent Java implementation of the idea behind ARTime
 * (M. Hampton, 2022; NAB leader at 74.85 on the standard profile). A Fuzzy ART network ({@link FuzzyArt}, complement
 * coded, two vigilance levels) clusters short windows of the downsampled, normalised signal; a window that resonates
 * with no learned cluster is new, and a new cluster that is not explained by recent novelty is reported as an anomaly.
 *
 * <p><b>Pipeline</b>, per {@code downsample} input samples (one <em>step</em>):
 * <ol>
 *   <li><b>Downsample</b> the step's samples to one value that keeps spikes: the step's maximum or minimum, whichever
 *       lies further from a moving average of step means (m ← (m + mean)/2), or the step mean when that extreme is
 *       within {@code spikeFraction}·|mean| of the mean.</li>
 *   <li><b>Normalise</b> to [0,1] over the value range <em>seen so far</em> (see "Causality"), then quantise to
 *       {@code levels} levels and snap values within {@code snap} of the median level (of all steps since the model
 *       was built) to that median, which absorbs small noise around the usual level.</li>
 *   <li><b>Features</b> of the last {@code window} step values: their shape (the window min-max normalised, its Haar
 *       wavelet transform, the coefficients min-max normalised) and their levels; 2·{@code window} components in
 *       [0,1]. The newest level is the {@link FuzzyArt.Activation#SUBSET_WITH_FOCUS} focus, so a known shape at an
 *       unknown level does not resonate.</li>
 *   <li><b>Resonance.</b> The feature vector is presented to the network with lower and upper vigilance
 *       ρ<sub>lb</sub> &le; ρ<sub>ub</sub>. A {@link FuzzyArt.Outcome#NEW_CLUSTER} is the anomaly candidate; its
 *       similarity s (the best match) measures how unfamiliar it is.</li>
 *   <li><b>Vigilance adapts to the stream</b>: ρ<sub>ub</sub> = the mean similarity of all steps so far (at most
 *       {@code maxUpperVigilance}); every {@code trend}/2 steps (and {@code mask} steps after an anomaly)
 *       ρ<sub>lb</sub> moves up by {@code raiseRate} of the gap to the smallest similarity of the last {@code trend}/2 steps when
 *       that is above it, else down by half the mean shortfall ρ<sub>ub</sub> − s of the last {@code trend} steps
 *       (only shortfalls over 0.05 count, each capped at 0.37; at least 0.01), but not below the mean similarity of
 *       past anomalies; always ρ<sub>lb</sub> &le; ρ<sub>ub</sub>. Initial vigilance: the network is first trained at
 *       ρ = 0.8 on the first {@code initSteps} windows, presented from the least to the most typical (by summed
 *       cosine similarity to the others), and ρ<sub>lb</sub> = ρ<sub>ub</sub> = the mean similarity of the second
 *       half of those presentations; then the real network learns those windows (without reporting).</li>
 *   <li><b>Masking</b> (one incident, one report): a candidate is reported only when no anomaly was reported in the
 *       last {@code mask} steps and the network has not created a new cluster, nor adapted its vigilance, without
 *       {@code mask} quiet steps since; a masked candidate is still reported when its similarity is below 0.9 (inside
 *       the anomaly mask) or 0.7 (otherwise) times that of the last reported anomaly.</li>
 * </ol>
 * <b>Score</b> of a reported anomaly = 0.5 + 0.5·c with the confidence c = min(1, 0.35·(ρ<sub>ub</sub> − s)/(1 − s) +
 * 0.65·(ρ<sub>lb</sub> − s)/(1 − s) + 1.5·(1 − F)) (s capped at 0.999; F = the focus similarity of the best match,
 * i.e. how familiar the newest level is), and 0 on every other sample. So any score &ge; 0.5 is a reported anomaly
 * and 0.5 is the detector's own verdict level (the catalogued fixed threshold); the oracle may prefer a higher,
 * more confident level.
 *
 * <p><b>Causality (what differs from ARTime).</b> ARTime in NAB normalises with the file's min/max and sizes its
 * downsampling, its initial batch and its trend window from NAB's probationary period (a function of the file
 * length); neither is allowed here. Instead: the window, initial batch and trend window are fixed constants, and
 * the step follows ARTime's sizing rule applied to the rows seen so far (see {@link Config#maxDownsample()} and
 * {@link Config#defaults()} for the reasons); the value range is the range seen so far, fixed after the initial batch
 * and widened (by {@code headroom} of the range beyond the new extreme) whenever a sample falls outside it. On every
 * widening and every change of step the model is <em>rebuilt</em>: a fresh network and pipeline replay the last
 * {@code history} samples (outputs discarded), so every level keeps one meaning within a model, as with a known
 * range. Row t is scored from rows &le; t only; the first {@code initSteps·downsample} samples are the warm-up
 * (score 0). The new-cluster mask is kept until {@code initSteps + mask} steps of a model (ARTime keeps it until its
 * trend window plus the mask).
 *
 * <p><b>Provenance.</b> Algorithm read in Hampton's open-source ARTimeNAB.jl ({@code src/ARTime.jl},
 * {@code src/AdaptiveResonanceCompact.jl}, AGPL-3.0, itself derived from AdaptiveResonance.jl's dual-vigilance fuzzy
 * ART) and Carpenter, Grossberg &amp; Rosen (1991); no code was copied. Constants taken from ARTime as published:
 * window 8, 80 levels, snap 0.075, spike 10 %, initial ρ 0.8, ρ<sub>ub</sub> cap 0.97, raise rate 0.19, shortfall
 * 0.05/0.37/0.01, mask 1.5·window, the 0.35/0.65/1.5 confidence weights and the 3/2 powers of the activation.
 *
 * <p><b>Cost.</b> O(K·window) per step for K categories (K grows with the stream's novelty and is bounded by
 * {@code maxCategories}: past it the model is rebuilt from the kept history), O(1) on the other samples; a widening
 * or change of step replays up to {@code history} samples; memory O(history + K·window). Allocates when it learns,
 * so it is a "learning" detector, not an allocation-free one. NaN/±Inf input is ignored (score 0, state unchanged).
 * Deterministic (no randomness). Not thread-safe.
 */
public final class AdaptiveResonanceDetector implements Detector {

    /**
     * Settings.
     *
     * @param downsample        input samples per step (the smallest step when the step grows)
     * @param maxDownsample     largest step: with {@code maxDownsample > downsample} the step grows with the rows
     *                          seen so far, n, as ARTime's sizing rule evaluated on n instead of the file length:
     *                          clamp(⌊min(0.15·n, 750) / (13·window)⌋, downsample, maxDownsample), and the model is
     *                          rebuilt from the kept history whenever it changes
     * @param window            steps per feature window (a power of two, for the Haar transform)
     * @param initSteps         steps in the initial batch (warm-up = initSteps·downsample samples)
     * @param trend             steps of the vigilance trend window
     * @param levels            quantisation levels of a normalised value
     * @param snap              distance (normalised) within which a value snaps to the median level
     * @param spikeFraction     an extreme within this fraction of |mean| of the step mean is replaced by the mean
     * @param history           samples kept and replayed into a fresh model on a range widening
     * @param headroom          fraction of the (new) range added beyond a new extreme when the range is widened
     * @param maxCategories     categories at which the model is rebuilt from the kept history; more than
     *                          history/downsample, the most a replay can commit (one per step), so the number of
     *                          categories never exceeds it
     * @param initialVigilance  ρ of the network that sizes the initial vigilance
     * @param maxUpperVigilance cap of ρ<sub>ub</sub>
     * @param raiseRate         fraction of the gap by which ρ<sub>lb</sub> rises
     * @param activation        activation and match rule of the network
     */
    public record Config(int downsample, int maxDownsample, int window, int initSteps, int trend, int levels,
                         double snap, double spikeFraction, int history, double headroom, int maxCategories,
                         double initialVigilance, double maxUpperVigilance, double raiseRate,
                         FuzzyArt.Activation activation) {

        /** Validates every setting. */
        public Config {
            require(downsample >= 1, "downsample must be >= 1, got " + downsample);
            require(maxDownsample >= downsample, "maxDownsample must be >= downsample (" + downsample + "), got "
                    + maxDownsample);
            require(window >= 2 && Integer.bitCount(window) == 1, "window must be a power of two >= 2, got " + window);
            require(initSteps > window, "initSteps must exceed window (" + window + "), got " + initSteps);
            require(trend >= 2, "trend must be >= 2, got " + trend);
            require(levels >= 2, "levels must be >= 2, got " + levels);
            require(snap >= 0 && snap < 1, "snap must be in [0, 1), got " + snap);
            require(spikeFraction >= 0, "spikeFraction must be >= 0, got " + spikeFraction);
            require(history >= initSteps * maxDownsample, "history must be >= initSteps*maxDownsample ("
                    + initSteps * maxDownsample + ") so a rebuild can re-initialise, got " + history);
            require(headroom >= 0 && Double.isFinite(headroom), "headroom must be finite and >= 0, got " + headroom);
            require(maxCategories > history / downsample, "maxCategories must exceed history/downsample ("
                    + history / downsample + ", the most a replay can commit), got " + maxCategories);
            require(initialVigilance > 0 && initialVigilance <= 1, "initialVigilance must be in (0, 1], got "
                    + initialVigilance);
            require(maxUpperVigilance > 0 && maxUpperVigilance <= 1, "maxUpperVigilance must be in (0, 1], got "
                    + maxUpperVigilance);
            require(raiseRate > 0 && raiseRate <= 1, "raiseRate must be in (0, 1], got " + raiseRate);
            require(activation != null, "activation must not be null");
        }

        /**
         * The published-default configuration ({@code art}):
         * <ul>
         *   <li>downsample 5 growing to 7: ARTime sizes its step so that NAB's probationary period (0.15·length, at
         *       most 750 rows) holds 13 windows of 8 steps, which needs the file length; here the same rule reads the
         *       rows seen so far, floored at 5, ARTime's step for the modal 4,032-row file (25 minutes at NAB's
         *       dominant 5-minute cadence), and capped at 7, its value for files of 5,000 rows or more. The growth was
         *       chosen over a fixed 5, 3, 7 or 1 and over growing from 1 or 3 on NAB's development half
         *       ({@code docs/benchmarks/nab-art.md});</li>
         *   <li>window 8, 80 levels, snap 0.075, spike 10 %, initial ρ 0.8, ρ<sub>ub</sub> cap 0.97, raise rate 0.19:
         *       ARTime's defaults;</li>
         *   <li>trend 104 steps = 13 windows of 8 (ARTime's trend window is its probationary period, which it sizes
         *       to 13 windows);</li>
         *   <li>initSteps 30 (150 samples): fewer samples than NAB's shortest probationary period (169 rows), the
         *       warm-up of {@code nexus-nab}, so every file is scored from its first scored row;</li>
         *   <li>history 2,016 samples (one week of 5-minute data) and headroom 0: {@code nexus-nab}'s choice for the
         *       same rebuild-on-widening design, confirmed against 750, 4,032 and 8,640 samples and 10–100 %
         *       headroom on the development half;</li>
         *   <li>maxCategories 2,000: a memory and time bound (a presentation is O(K)); the largest NAB peak is
         *       749.</li>
         * </ul>
         */
        public static Config defaults() {
            return new Config(5, 7, 8, 30, 104, 80, 0.075, 0.10, 2016, 0.0, 2000, 0.8, 0.97, 0.19,
                    FuzzyArt.Activation.SUBSET_WITH_FOCUS);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private final String name;
    private final Config cfg;
    private final double[] historyRing;
    private int historyHead;
    private int historySize;
    private long count;
    private double seenLo = Double.POSITIVE_INFINITY;
    private double seenHi = Double.NEGATIVE_INFINITY;
    private Engine engine;
    private long rebuilds;
    private boolean anomalous;
    private boolean primed;

    /**
     * @param name detector name
     * @param cfg  settings
     */
    public AdaptiveResonanceDetector(String name, Config cfg) {
        require(name != null && !name.isBlank(), "name must not be blank");
        require(cfg != null, "cfg must not be null");
        this.name = name;
        this.cfg = cfg;
        this.historyRing = new double[cfg.history()];
    }

    @Override
    public String name() {
        return name;
    }

    /** The settings. */
    public Config config() {
        return cfg;
    }

    /**
     * Declares the value range in advance, as NAB's harness allows ARTime (the whole file's min/max). That is a
     * look-ahead, so no catalogued configuration uses it; it exists only to check this implementation against
     * ARTime's published setting. Must be called before the first sample; the range then never changes.
     */
    public void primeRange(double knownMin, double knownMax) {
        if (count > 0 || !(knownMin <= knownMax)) {
            throw new IllegalStateException("primeRange needs min <= max and a fresh detector");
        }
        engine = new Engine(cfg, stepFor(1), knownMin, knownMax);
        primed = true;
    }

    /** Models built so far (the first one, range widenings and category-bound rebuilds). */
    public long rebuilds() {
        return rebuilds;
    }

    /** Categories of the current network (0 before the first model). */
    public int categoryCount() {
        return engine == null ? 0 : engine.art.categories();
    }

    @Override
    public double update(double value) {
        anomalous = false;
        if (!Double.isFinite(value)) {
            return 0.0;
        }
        long row = count++;
        seenLo = Math.min(seenLo, value);
        seenHi = Math.max(seenHi, value);
        long warm = (long) cfg.initSteps() * cfg.downsample();
        if (engine == null) {
            if (count < warm) {
                remember(value);
                return 0.0;
            }
            rebuild(seenLo, seenHi, row);
        } else if (!primed && (value < engine.lo || value > engine.hi)) {
            double span = Math.max(seenHi, engine.hi) - Math.min(seenLo, engine.lo);
            double pad = cfg.headroom() > 0 ? cfg.headroom() * span : 0.0;
            double lo = Math.min(engine.lo, value < engine.lo ? value - pad : engine.lo);
            double hi = Math.max(engine.hi, value > engine.hi ? value + pad : engine.hi);
            rebuild(lo, hi, row);
        } else if (engine.art.categories() >= cfg.maxCategories() || stepFor(count) != engine.ds) {
            rebuild(engine.lo, engine.hi, row);
        }
        remember(value);
        double s = engine.step(value, row, true);
        anomalous = s >= 0.5;
        return s;
    }

    /** The step for {@code n} rows seen (see {@link Config#maxDownsample()}). */
    private int stepFor(long n) {
        if (cfg.maxDownsample() == cfg.downsample()) {
            return cfg.downsample();
        }
        double probation = Math.min(0.15 * n, 750);
        long k = (long) Math.floor(probation / (13.0 * cfg.window()));
        return (int) Math.max(cfg.downsample(), Math.min(cfg.maxDownsample(), k));
    }

    /** A fresh model on [lo, hi] that replays the kept history (rows before {@code row}), outputs discarded. */
    private void rebuild(double lo, double hi, long row) {
        int ds = stepFor(count);
        engine = new Engine(cfg, ds, lo, hi);
        rebuilds++;
        int n = historySize;
        int cap = historyRing.length;
        int start = historyHead - n;
        for (int k = 0; k < n; k++) {
            int idx = Math.floorMod(start + k, cap);
            engine.step(historyRing[idx], row - n + k, false);
        }
    }

    private void remember(double v) {
        historyRing[historyHead] = v;
        historyHead = historyHead + 1 == historyRing.length ? 0 : historyHead + 1;
        if (historySize < historyRing.length) {
            historySize++;
        }
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return engine == null || !engine.initialised;
    }

    @Override
    public void reset() {
        historyHead = 0;
        historySize = 0;
        count = 0;
        seenLo = Double.POSITIVE_INFINITY;
        seenHi = Double.NEGATIVE_INFINITY;
        engine = null;
        primed = false;
        rebuilds = 0;
        anomalous = false;
    }

    /** Pipeline and network over one fixed value range. */
    private static final class Engine {
        final Config c;
        final int ds;
        final int initSteps;
        final double lo;
        final double hi;
        final FuzzyArt art;
        final int mask;
        // downsampling
        /** Running mean of the current step's samples (updated without overflow for any finite input). */
        double chunkMean;
        double chunkMin = Double.POSITIVE_INFINITY;
        double chunkMax = Double.NEGATIVE_INFINITY;
        int chunkCount;
        double movingMean;
        // levels
        final long[] levelCount;
        long levelTotal;
        // feature window
        final double[] recent;
        final double[] features;
        final double[] work;
        int steps;
        // vigilance and masking state
        boolean initialised;
        final List<double[]> initBatch = new ArrayList<>();
        double simSum;
        long simCount;
        final double[] simRing;
        int simHead;
        final double[] shortfallRing;
        int shortfallHead;
        int lastAnomaly = Integer.MIN_VALUE / 2;
        double lastAnomalySim;
        int lastRhoUpdate;
        boolean maskAfterCluster;
        int quietSteps;
        double anomalySimSum;
        int anomalyCount;
        double lastAnomalyMinSim;

        Engine(Config c, int ds, double lo, double hi) {
            this.c = c;
            this.ds = ds;
            this.initSteps = c.initSteps();
            this.lo = lo;
            this.hi = hi;
            this.art = new FuzzyArt(2 * c.window(), c.activation(), 0.001, 1.0, 2 * c.window() - 1);
            this.mask = (int) Math.round(1.5 * c.window());
            this.levelCount = new long[c.levels() + 1];
            this.recent = new double[c.window()];
            this.features = new double[2 * c.window()];
            this.work = new double[c.window()];
            this.simRing = new double[c.trend() / 2 + 1];
            java.util.Arrays.fill(simRing, 1.0);
            this.shortfallRing = new double[c.trend() + 1];
        }

        /** Feeds sample number {@code row}; returns its score (0 unless a reported anomaly). */
        double step(double v, long row, boolean live) {
            chunkCount++;
            chunkMean += v / chunkCount - chunkMean / chunkCount;
            chunkMin = Math.min(chunkMin, v);
            chunkMax = Math.max(chunkMax, v);
            if ((row + 1) % ds != 0) {
                return 0.0;
            }
            double mean = chunkMean;
            double kept = downsample(mean);
            chunkMean = 0;
            chunkMin = Double.POSITIVE_INFINITY;
            chunkMax = Double.NEGATIVE_INFINITY;
            chunkCount = 0;
            double x = normalise(kept);
            System.arraycopy(recent, 1, recent, 0, recent.length - 1);
            recent[recent.length - 1] = x;
            steps++;
            if (steps < c.window()) {
                return 0.0;
            }
            buildFeatures();
            if (!initialised) {
                initBatch.add(features.clone());
                if (steps >= initSteps) {
                    initialise();
                }
                return 0.0;
            }
            double score = detect(features, steps);
            return live ? score : 0.0;
        }

        private double downsample(double mean) {
            if (steps == 0) {
                movingMean = mean;
            }
            movingMean = movingMean / 2 + mean / 2;
            double kept = Math.abs(chunkMax - movingMean) < Math.abs(chunkMin - movingMean) ? chunkMin : chunkMax;
            if (Math.abs(kept - mean) < c.spikeFraction() * Math.abs(mean)) {
                kept = mean;
            }
            return kept;
        }

        private double normalise(double value) {
            // halves keep the differences finite for any finite range
            double span = hi / 2 - lo / 2;
            double u = span > 0 ? (value / 2 - lo / 2) / span : 0.0;
            u = Math.min(1.0, Math.max(0.0, u));
            int level = (int) Math.round(u * c.levels());
            levelCount[level]++;
            levelTotal++;
            long half = (levelTotal + 1) / 2;
            long acc = 0;
            int med = 0;
            for (int l = 0; l < levelCount.length; l++) {
                acc += levelCount[l];
                if (acc >= half) {
                    med = l;
                    break;
                }
            }
            double q = (double) level / c.levels();
            double m = (double) med / c.levels();
            return Math.abs(q - m) < c.snap() ? m : q;
        }

        private void buildFeatures() {
            int w = recent.length;
            double mn = Double.POSITIVE_INFINITY;
            double mx = Double.NEGATIVE_INFINITY;
            for (double r : recent) {
                mn = Math.min(mn, r);
                mx = Math.max(mx, r);
            }
            for (int i = 0; i < w; i++) {
                work[i] = mx > mn ? (recent[i] - mn) / (mx - mn) : 0.0;
            }
            haar(work, features);
            mn = Double.POSITIVE_INFINITY;
            mx = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < w; i++) {
                mn = Math.min(mn, features[i]);
                mx = Math.max(mx, features[i]);
            }
            for (int i = 0; i < w; i++) {
                features[i] = mx > mn ? (features[i] - mn) / (mx - mn) : 0.0;
            }
            System.arraycopy(recent, 0, features, w, w);
        }

        /** Full orthonormal Haar decomposition of {@code in} into out[0..n): coarsest average, then details. */
        private static void haar(double[] in, double[] out) {
            int n = in.length;
            double[] a = in.clone();
            double r = Math.sqrt(0.5);
            for (int len = n; len > 1; len /= 2) {
                int h = len / 2;
                for (int i = 0; i < h; i++) {
                    out[h + i] = (a[2 * i] - a[2 * i + 1]) * r;
                }
                for (int i = 0; i < h; i++) {
                    a[i] = (a[2 * i] + a[2 * i + 1]) * r;
                }
            }
            out[0] = a[0];
        }

        private void initialise() {
            int n = initBatch.size();
            double[] typicality = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    double s = cosine(initBatch.get(i), initBatch.get(j));
                    typicality[i] += s;
                    typicality[j] += s;
                }
                typicality[i] += 1.0;
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (p, q) -> Double.compare(typicality[p], typicality[q]));
            FuzzyArt probe = new FuzzyArt(2 * c.window(), c.activation(), 0.001, 1.0, 2 * c.window() - 1);
            probe.setVigilance(c.initialVigilance(), c.initialVigilance());
            double sum = 0;
            int cnt = 0;
            for (int k = 0; k < n; k++) {
                double s = probe.learn(initBatch.get(order[k])).similarity();
                if (k >= n / 2) {
                    sum += s;
                    cnt++;
                }
            }
            double rho = Math.min(1.0, cnt > 0 ? sum / cnt : c.initialVigilance());
            art.setVigilance(rho, rho);
            initialised = true;
            int first = steps - n + 1;
            for (int k = 0; k < n; k++) {
                detect(initBatch.get(k), first + k);
            }
            initBatch.clear();
        }

        private static double cosine(double[] a, double[] b) {
            double ab = 0;
            double aa = 0;
            double bb = 0;
            for (int i = 0; i < a.length; i++) {
                ab += a[i] * b[i];
                aa += a[i] * a[i];
                bb += b[i] * b[i];
            }
            double na = Math.sqrt(aa);
            double nb = Math.sqrt(bb);
            if (na == 0) {
                return 1 - nb;
            }
            if (nb == 0) {
                return 1 - na;
            }
            return ab / (na * nb);
        }

        /** One network step at step index {@code i}; returns the score (0.5 + 0.5·confidence or 0). */
        private double detect(double[] f, int i) {
            boolean rhoAfterAnomaly = i - lastAnomaly == mask;
            boolean rhoForTrend = i - lastRhoUpdate >= c.trend() / 2;
            boolean maskAfterAnomaly = i - lastAnomaly <= mask;
            if (maskAfterCluster && quietSteps >= mask && i > initSteps + mask) {
                maskAfterCluster = false;
            }
            FuzzyArt.Result r = art.learn(f);
            boolean newCluster = r.outcome() == FuzzyArt.Outcome.NEW_CLUSTER;
            quietSteps = newCluster ? 0 : quietSteps + 1;
            double s = r.similarity();
            simSum += s;
            simCount++;
            simRing[simHead] = s;
            simHead = (simHead + 1) % simRing.length;
            shortfallRing[shortfallHead] = art.upperVigilance() - s;
            shortfallHead = (shortfallHead + 1) % shortfallRing.length;
            if (i - lastAnomaly < mask && anomalyCount > 0 && s < lastAnomalyMinSim) {
                anomalySimSum += s - lastAnomalyMinSim;
                lastAnomalyMinSim = s;
            }
            boolean masking = maskAfterCluster || maskAfterAnomaly;
            boolean belowLast = s < lastAnomalySim * (maskAfterAnomaly ? 0.90 : 0.70);
            double score = 0.0;
            if (newCluster && (!masking || belowLast) && i > initSteps) {
                score = 0.5 + 0.5 * confidence(s, r.focus());
                anomalySimSum += s;
                anomalyCount++;
                lastAnomalyMinSim = s;
                lastAnomalySim = s;
                lastAnomaly = i;
            }
            maskAfterCluster |= newCluster;
            if (i > initSteps && (rhoAfterAnomaly || rhoForTrend)) {
                adaptVigilance(i);
            }
            return score;
        }

        private void adaptVigilance(int i) {
            double minRecent = Double.POSITIVE_INFINITY;
            for (double v : simRing) {
                minRecent = Math.min(minRecent, v);
            }
            double ub = Math.min(c.maxUpperVigilance(), simSum / simCount);
            double lb = art.lowerVigilance();
            if (lb <= minRecent) {
                lb += (minRecent - lb) * c.raiseRate();
            } else {
                double decr = 0;
                if (i > 2 * c.trend()) {
                    double sum = 0;
                    int n = 0;
                    for (double d : shortfallRing) {
                        if (d > 0.05) {
                            sum += Math.min(0.37, d);
                            n++;
                        }
                    }
                    if (n > 0) {
                        decr = sum / n;
                    }
                }
                decr = Math.max(0.01, decr);
                lb -= decr / 2;
                if (anomalyCount > 0) {
                    lb = Math.max(anomalySimSum / anomalyCount, lb);
                }
            }
            lb = Math.max(0.0, Math.min(ub, lb));
            art.setVigilance(lb, ub);
            lastRhoUpdate = i;
            maskAfterCluster = true;
        }

        private double confidence(double s, double focus) {
            double sc = Math.min(0.999, s);
            double ub = (art.upperVigilance() - sc) / (1 - sc);
            double lb = (art.lowerVigilance() - sc) / (1 - sc);
            double conf = 0.35 * ub + 0.65 * lb + 1.5 * (1 - focus);
            return Math.max(0.0, Math.min(1.0, conf));
        }
    }
}
