package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.IsolationForest;
import dev.helix.nexus.detect.internal.RowRing;

import java.util.Arrays;

/**
 * Streaming Isolation Forest (Liu, Ting &amp; Zhou, ICDM 2008) over d-dimensional samples, optionally shingled
 * (the feature vector is the last {@code shingle} samples concatenated, so a univariate stream can be judged by its
 * recent shape, as in Random Cut Forest).
 *
 * <p>Defaults follow the paper: 100 trees, subsample psi = 256, height limit ceil(log2 psi), score
 * 2^(-E[h]/c(psi)). The detector keeps the last {@code memory} stored feature vectors in a ring buffer (the refit
 * sample); it first fits after {@code psi} vectors and refits on the buffer after every {@code refitEvery} newly
 * stored vectors, so the model tracks drift. {@link #fit(double[][])} fits on a batch (e.g. a training set, every
 * finite row stored) and, if {@link Config#frozen()} is set, the model is not refitted while streaming. Default
 * verdict threshold 0.6 (the paper: scores well above 0.5 indicate anomalies; 0.6 leaves a margin for the noise of a
 * 100-tree estimate).
 *
 * <p><b>Refit on recent normal data</b> ({@link Config#refitOnNormal()}, on by default). Once fitted (and not
 * frozen), a streamed vector whose verdict is anomalous
 * ({@code score >= threshold}) is <em>excluded</em>: it does not enter the refit sample, so an incident is not
 * learned as normal and a repeat of it is still scored against the pre-incident model. Exclusion has a budget: at
 * most {@code memory / 2} of the last {@code memory} streamed samples may be excluded; beyond that, anomalous vectors
 * are stored like any other. Reason: the buffer is the model's definition of "recent"; when anomalous verdicts are a
 * majority of a buffer-length stretch, the anomalous regime <em>is</em> the recent data (a lasting level or shape
 * change), and refusing it forever would leave the detector alarming on every sample. A step to a new level is thus
 * learned after about {@code memory / 2} excluded samples plus {@code refitEvery} stored ones; an incident shorter
 * than {@code memory / 2} samples never enters the sample. {@link #excludedSamples()} counts the exclusions. Before
 * the first fit every vector is stored (there is no verdict yet). The cost, measured: ordinary samples that score
 * above the threshold are excluded too (the shingled univariate forest flags about 4 % of NAB's rows at 0.6), which
 * thins the tails of what the forest learns, and a drifting or shifted series is tracked later; on NAB the catalogued
 * {@code iforest} fell from 17.75 to 0.00 (standard, oracle threshold) with this rule, and a smaller budget, a
 * stricter exclusion level or excluding only runs did not avoid the loss, while a forest streaming over SMD's
 * 38-metric vectors gained (macro best-F1 0.244 to 0.287; docs/benchmarks/detect.md §2.1).
 * {@code withRefitOnNormal(false)} restores storing every sample (scores identical to the code before the rule).
 *
 * <p>Non-finite inputs: a sample with any NaN/±Inf component is ignored (score 0, state unchanged). Constant data:
 * a node whose points are all identical is a leaf, so a constant training set gives every point the same score.
 *
 * <p>Complexity: scoring O(trees·log psi); the exclusion budget O(1) (a ring of {@code memory} flags and a
 * running count); a refit O(trees·psi·d·log psi) every {@code refitEvery} stored samples (amortised
 * O(trees·psi·d·log psi / refitEvery)). Allocation-free after construction. Seeded: identical input and
 * seed give identical scores. Not thread-safe.
 */
public final class IsolationForestDetector implements Detector {

    /**
     * Configuration.
     *
     * @param dims       values per input sample
     * @param shingle    number of consecutive samples concatenated into one feature vector (1 = none)
     * @param trees      number of trees (paper: 100)
     * @param psi        subsample size per tree (paper: 256)
     * @param memory     number of recent feature vectors kept for refits; also the length of the stretch over which
     *                   the exclusion budget ({@code memory / 2} anomalous samples) is counted
     * @param refitEvery newly stored samples between refits
     * @param threshold  verdict threshold on the score
     * @param frozen     if true, never refit while streaming (use with {@link #fit(double[][])})
     * @param seed       random seed
     * @param refitOnNormal if true (the default), streamed samples with an anomalous verdict are left out of the
     *                   refit sample within the budget described in the class text; false stores every sample (the
     *                   behaviour before 2026-11-25, which measured better on NAB: docs/benchmarks/detect.md §2.1)
     */
    public record Config(int dims, int shingle, int trees, int psi, int memory, int refitEvery, double threshold,
                         boolean frozen, long seed, boolean refitOnNormal) {
        public Config {
            if (dims < 1 || shingle < 1 || trees < 1 || psi < 2 || memory < psi || refitEvery < 1) {
                throw new IllegalArgumentException("invalid isolation forest config: " + dims + "," + shingle + ","
                        + trees + "," + psi + "," + memory + "," + refitEvery);
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0,1], got " + threshold);
            }
        }

        /** The same with {@code refitOnNormal = true}. */
        public Config(int dims, int shingle, int trees, int psi, int memory, int refitEvery, double threshold,
                      boolean frozen, long seed) {
            this(dims, shingle, trees, psi, memory, refitEvery, threshold, frozen, seed, true);
        }

        /**
         * Paper defaults for d dimensions: 100 trees, psi 256, memory 2048, refit every 256 stored samples,
         * threshold 0.6, seed 42, refit on normal samples (exclusion budget 1024 of the last 2048).
         */
        public static Config defaults(int dims) {
            return new Config(dims, 1, 100, 256, 2048, 256, 0.6, false, 42L, true);
        }

        public Config withShingle(int s) {
            return new Config(dims, s, trees, psi, memory, refitEvery, threshold, frozen, seed, refitOnNormal);
        }

        public Config withFrozen(boolean f) {
            return new Config(dims, shingle, trees, psi, memory, refitEvery, threshold, f, seed, refitOnNormal);
        }

        public Config withMemory(int m) {
            return new Config(dims, shingle, trees, psi, m, refitEvery, threshold, frozen, seed, refitOnNormal);
        }

        /** This configuration with anomalous samples kept out of the refit sample ({@code true}) or stored. */
        public Config withRefitOnNormal(boolean r) {
            return new Config(dims, shingle, trees, psi, memory, refitEvery, threshold, frozen, seed, r);
        }
    }

    private final Config cfg;
    private final int fdim;
    private final IsolationForest forest;
    private final RowRing buffer;
    private final double[] shingleBuf;
    private final double[] one = new double[1];
    private int shingleFill;
    private long seen;
    private int sinceFit;
    private boolean anomalous;
    /** Per streamed sample since the first fit, in a ring of {@code memory}: was it excluded from the refit sample. */
    private final boolean[] excludedRing;
    private int excludedHead;
    private int excludedFill;
    /** Number of true flags in {@link #excludedRing}. */
    private int excludedInWindow;
    private long excludedTotal;

    public IsolationForestDetector(Config cfg) {
        this.cfg = cfg;
        this.fdim = cfg.dims() * cfg.shingle();
        this.forest = new IsolationForest(fdim, cfg.trees(), cfg.psi(), cfg.memory(), cfg.seed());
        this.buffer = new RowRing(cfg.memory(), fdim);
        this.shingleBuf = new double[fdim];
        this.excludedRing = new boolean[cfg.memory()];
    }

    /** Univariate, paper defaults. */
    public IsolationForestDetector() {
        this(Config.defaults(1));
    }

    public Config config() {
        return cfg;
    }

    @Override
    public String name() {
        return "iforest";
    }

    @Override
    public int dimensions() {
        return cfg.dims();
    }

    @Override
    public double update(double value) {
        if (cfg.dims() != 1) {
            throw new IllegalArgumentException("iforest has " + cfg.dims() + " dimensions; use update(double[])");
        }
        one[0] = value;
        return update(one);
    }

    @Override
    public double update(double[] values) {
        if (values.length != cfg.dims()) {
            throw new IllegalArgumentException("iforest expects " + cfg.dims() + " values, got " + values.length);
        }
        anomalous = false;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return 0.0;
            }
        }
        int d = cfg.dims();
        // shift the shingle left by one sample, append the new one
        System.arraycopy(shingleBuf, d, shingleBuf, 0, fdim - d);
        System.arraycopy(values, 0, shingleBuf, fdim - d, d);
        if (shingleFill < cfg.shingle()) {
            shingleFill++;
            if (shingleFill < cfg.shingle()) {
                return 0.0;
            }
        }
        double score = 0.0;
        if (forest.isFitted()) {
            score = forest.score(shingleBuf, 0);
            anomalous = score >= cfg.threshold();
        }
        if (!forest.isFitted()) {
            buffer.add(shingleBuf);
            seen++;
            if (buffer.size() >= cfg.psi()) {
                refit();
            }
        } else if (!cfg.frozen()) {
            seen++;
            boolean exclude = cfg.refitOnNormal() && anomalous && excludedInWindow < cfg.memory() / 2;
            recordExclusion(exclude);
            if (!exclude) {
                buffer.add(shingleBuf);
                if (++sinceFit >= cfg.refitEvery()) {
                    refit();
                }
            }
        }
        return score;
    }

    /** Pushes one streamed sample's flag into the ring of the last {@code memory} flags. O(1). */
    private void recordExclusion(boolean excluded) {
        int m = excludedRing.length;
        if (excludedFill == m) {
            if (excludedRing[excludedHead]) {
                excludedInWindow--;
            }
            excludedRing[excludedHead] = excluded;
            excludedHead = (excludedHead + 1) % m;
        } else {
            excludedRing[(excludedHead + excludedFill) % m] = excluded;
            excludedFill++;
        }
        if (excluded) {
            excludedInWindow++;
            excludedTotal++;
        }
    }

    /**
     * Number of streamed samples left out of the refit sample because their verdict was anomalous (see the class
     * text), since construction or the last {@link #reset()}/{@link #fit(double[][])}. O(1).
     */
    public long excludedSamples() {
        return excludedTotal;
    }

    /**
     * Copy of the feature vectors currently in the refit sample, one row per vector, oldest first. For tests and
     * diagnostics: allocates O(memory·d). Not for the streaming path.
     */
    double[][] refitSample() {
        double[][] out = new double[buffer.size()][];
        for (int i = 0; i < out.length; i++) {
            int from = buffer.offset(i);
            out[i] = Arrays.copyOfRange(buffer.flat(), from, from + fdim);
        }
        return out;
    }

    private void refit() {
        // buffer order does not matter for fitting: rows [0, size) are all valid
        forest.fit(buffer.flat(), buffer.size());
        sinceFit = 0;
    }

    /**
     * Fits on a batch of samples (rows of {@link Config#dims()} values, shingled like the stream), keeping the most
     * recent {@code memory} feature vectors. Rows with non-finite values are skipped. Allocates only here.
     */
    public void fit(double[][] rows) {
        reset();
        for (double[] r : rows) {
            if (r.length != cfg.dims()) {
                throw new IllegalArgumentException("row has " + r.length + " values, expected " + cfg.dims());
            }
            boolean ok = true;
            for (double v : r) {
                ok &= Double.isFinite(v);
            }
            if (!ok) {
                continue;
            }
            System.arraycopy(shingleBuf, cfg.dims(), shingleBuf, 0, fdim - cfg.dims());
            System.arraycopy(r, 0, shingleBuf, fdim - cfg.dims(), cfg.dims());
            if (shingleFill < cfg.shingle()) {
                shingleFill++;
                if (shingleFill < cfg.shingle()) {
                    continue;
                }
            }
            buffer.add(shingleBuf);
        }
        if (buffer.size() < 2) {
            throw new IllegalArgumentException("need at least 2 finite training rows");
        }
        refit();
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    @Override
    public boolean isWarmingUp() {
        return !forest.isFitted();
    }

    @Override
    public void reset() {
        forest.clear();
        Arrays.fill(shingleBuf, 0.0);
        shingleFill = 0;
        buffer.clear();
        seen = 0;
        sinceFit = 0;
        anomalous = false;
        Arrays.fill(excludedRing, false);
        excludedHead = 0;
        excludedFill = 0;
        excludedInWindow = 0;
        excludedTotal = 0;
    }
}
