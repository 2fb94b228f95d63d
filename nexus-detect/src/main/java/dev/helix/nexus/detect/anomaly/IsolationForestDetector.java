package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.IsolationForest;

import java.util.Arrays;

/**
 * Streaming Isolation Forest (Liu, Ting &amp; Zhou, ICDM 2008) over d-dimensional samples, optionally shingled
 * (the feature vector is the last {@code shingle} samples concatenated, so a univariate stream can be judged by its
 * recent shape, as in Random Cut Forest).
 *
 * <p>Defaults follow the paper: 100 trees, subsample psi = 256, height limit ceil(log2 psi), score
 * 2^(-E[h]/c(psi)). The detector keeps the last {@code memory} feature vectors in a ring buffer; it first fits
 * after {@code psi} vectors and refits on the buffer every {@code refitEvery} samples, so the model tracks drift.
 * {@link #fit(double[][])} fits on a batch (e.g. a training set) and, if {@link Config#frozen()} is set, the model
 * is not refitted while streaming. Default verdict threshold 0.6 (the paper: scores well above 0.5 indicate
 * anomalies; 0.6 leaves a margin for the noise of a 100-tree estimate).
 *
 * <p>Non-finite inputs: a sample with any NaN/±Inf component is ignored (score 0, state unchanged). Constant data:
 * a node whose points are all identical is a leaf, so a constant training set gives every point the same score.
 *
 * <p>Complexity: scoring O(trees·log psi); a refit O(trees·psi·d·log psi) every {@code refitEvery} samples
 * (amortised O(trees·psi·d·log psi / refitEvery)). Allocation-free after construction. Seeded: identical input and
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
     * @param memory     number of recent feature vectors kept for refits
     * @param refitEvery samples between refits
     * @param threshold  verdict threshold on the score
     * @param frozen     if true, never refit while streaming (use with {@link #fit(double[][])})
     * @param seed       random seed
     */
    public record Config(int dims, int shingle, int trees, int psi, int memory, int refitEvery, double threshold,
                         boolean frozen, long seed) {
        public Config {
            if (dims < 1 || shingle < 1 || trees < 1 || psi < 2 || memory < psi || refitEvery < 1) {
                throw new IllegalArgumentException("invalid isolation forest config: " + dims + "," + shingle + ","
                        + trees + "," + psi + "," + memory + "," + refitEvery);
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0,1], got " + threshold);
            }
        }

        /** Paper defaults for d dimensions: 100 trees, psi 256, memory 2048, refit every 256, threshold 0.6. */
        public static Config defaults(int dims) {
            return new Config(dims, 1, 100, 256, 2048, 256, 0.6, false, 42L);
        }

        public Config withShingle(int s) {
            return new Config(dims, s, trees, psi, memory, refitEvery, threshold, frozen, seed);
        }

        public Config withFrozen(boolean f) {
            return new Config(dims, shingle, trees, psi, memory, refitEvery, threshold, f, seed);
        }

        public Config withMemory(int m) {
            return new Config(dims, shingle, trees, psi, m, refitEvery, threshold, frozen, seed);
        }
    }

    private final Config cfg;
    private final int fdim;
    private final IsolationForest forest;
    private final double[] buffer;
    private final double[] shingleBuf;
    private final double[] one = new double[1];
    private int shingleFill;
    private int bufHead;
    private int bufSize;
    private long seen;
    private int sinceFit;
    private boolean anomalous;

    public IsolationForestDetector(Config cfg) {
        this.cfg = cfg;
        this.fdim = cfg.dims() * cfg.shingle();
        this.forest = new IsolationForest(fdim, cfg.trees(), cfg.psi(), cfg.memory(), cfg.seed());
        this.buffer = new double[cfg.memory() * fdim];
        this.shingleBuf = new double[fdim];
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
        if (!cfg.frozen() || !forest.isFitted()) {
            remember(shingleBuf);
            seen++;
            sinceFit++;
            if ((!forest.isFitted() && bufSize >= cfg.psi()) || (forest.isFitted() && sinceFit >= cfg.refitEvery())) {
                refit();
            }
        }
        return score;
    }

    private void remember(double[] v) {
        int slot;
        if (bufSize < cfg.memory()) {
            slot = (bufHead + bufSize) % cfg.memory();
            bufSize++;
        } else {
            slot = bufHead;
            bufHead = (bufHead + 1) % cfg.memory();
        }
        System.arraycopy(v, 0, buffer, slot * fdim, fdim);
    }

    private void refit() {
        // buffer order does not matter for fitting: rows [0, bufSize) are all valid
        forest.fit(buffer, bufSize);
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
            remember(shingleBuf);
        }
        if (bufSize < 2) {
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
        bufHead = 0;
        bufSize = 0;
        seen = 0;
        sinceFit = 0;
        anomalous = false;
    }
}
