package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.internal.ExtendedIsolationForest;
import dev.helix.nexus.detect.internal.RowRing;


/**
 * Streaming Extended Isolation Forest (Hariri, Carrasco Kind &amp; Brunner, IEEE TKDE 2021) over d-dimensional
 * samples: the {@link IsolationForestDetector} protocol with random-hyperplane splits
 * ({@link ExtendedIsolationForest}), for correlated multivariate data, where an anomaly can break the relation
 * between columns while every column stays inside its usual range.
 *
 * <p>The detector keeps the last {@code memory} finite samples in a ring buffer, fits first after {@code psi}
 * samples and refits on the buffer after every {@code refitEvery} further samples; {@link #fit(double[][])} fits on a
 * batch, and with {@link Config#frozen()} the model is then kept while streaming. Deliberately smaller than
 * {@link IsolationForestDetector}: no shingling and no exclusion of anomalous samples from the refit sample (every
 * finite sample is stored). The score is the forest's 2^(-E[h]/c(psi)) in (0, 1]; the verdict is
 * {@code score >= threshold}.
 *
 * <p>Non-finite inputs: a sample with a NaN/±Inf component is ignored (score 0, not anomalous, state unchanged);
 * batch rows with one are skipped. Constant columns are allowed (see {@link ExtendedIsolationForest}: a departure
 * along a column that was constant in training raises the score); all-constant training data gives every point the
 * score 0.5. Fewer than {@code psi} training rows: every tree uses all of them.
 *
 * <p>Complexity (k = extension + 1): an update O(d + trees·log2(psi)·k); a refit
 * O(trees·psi·(d + k·log2 psi)) every {@code refitEvery} samples. Allocation-free after construction. Seeded: identical input and seed give identical
 * scores. Not thread-safe.
 */
public final class ExtendedIsolationForestDetector implements Detector {

    /** Name in {@code SmdEvaluation} and diagnostics. */
    public static final String NAME = "eiforest";

    /**
     * Configuration.
     *
     * @param dims       values per sample, &ge; 1
     * @param extension  extension level in [0, dims - 1] (default dims - 1, fully extended: the paper's
     *                   recommendation, the level that removes the axis-parallel artefacts; 0 is the standard forest
     *                   in distribution)
     * @param trees      number of trees (default 100, as Liu et al. and {@link IsolationForestDetector}, so the two
     *                   differ only in the split rule; the path-length estimate converges by then in both papers)
     * @param psi        subsample size per tree (default 256, as above)
     * @param memory     recent samples kept for refits, &ge; psi (default 2048)
     * @param refitEvery samples stored between refits, &ge; 1 (default 256)
     * @param threshold  verdict threshold in (0, 1] (default 0.6, as {@link IsolationForestDetector})
     * @param frozen     if true, never refit while streaming (use with {@link #fit(double[][])})
     * @param seed       random seed (default 42)
     */
    public record Config(int dims, int extension, int trees, int psi, int memory, int refitEvery, double threshold,
                         boolean frozen, long seed) {
        public Config {
            if (dims < 1 || extension < 0 || extension > dims - 1 || trees < 1 || psi < 2 || memory < psi
                    || refitEvery < 1) {
                throw new IllegalArgumentException("invalid extended isolation forest config: dims=" + dims
                        + ", extension=" + extension + " (must be in [0, dims - 1]), trees=" + trees + ", psi=" + psi
                        + ", memory=" + memory + " (>= psi), refitEvery=" + refitEvery);
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0,1], got " + threshold);
            }
        }

        /** Fully extended, 100 trees, psi 256, memory 2048, refit every 256, threshold 0.6, seed 42. */
        public static Config defaults(int dims) {
            return new Config(dims, dims - 1, 100, 256, 2048, 256, 0.6, false, 42L);
        }

        public Config withExtension(int e) {
            return new Config(dims, e, trees, psi, memory, refitEvery, threshold, frozen, seed);
        }

        public Config withFrozen(boolean f) {
            return new Config(dims, extension, trees, psi, memory, refitEvery, threshold, f, seed);
        }

        public Config withMemory(int m) {
            return new Config(dims, extension, trees, psi, m, refitEvery, threshold, frozen, seed);
        }

        public Config withSeed(long s) {
            return new Config(dims, extension, trees, psi, memory, refitEvery, threshold, frozen, s);
        }
    }

    private final Config cfg;
    private final ExtendedIsolationForest forest;
    private final RowRing buffer;
    private final double[] one = new double[1];
    private int sinceFit;
    private boolean anomalous;

    public ExtendedIsolationForestDetector(Config cfg) {
        this.cfg = cfg;
        this.forest = new ExtendedIsolationForest(cfg.dims(), cfg.extension(), cfg.trees(), cfg.psi(), cfg.memory(),
                cfg.seed());
        this.buffer = new RowRing(cfg.memory(), cfg.dims());
    }

    public Config config() {
        return cfg;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int dimensions() {
        return cfg.dims();
    }

    @Override
    public double update(double value) {
        if (cfg.dims() != 1) {
            throw new IllegalArgumentException(NAME + " has " + cfg.dims() + " dimensions; use update(double[])");
        }
        one[0] = value;
        return update(one);
    }

    @Override
    public double update(double[] values) {
        if (values.length != cfg.dims()) {
            throw new IllegalArgumentException(NAME + " expects " + cfg.dims() + " values, got " + values.length);
        }
        anomalous = false;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return 0.0;
            }
        }
        double score = 0.0;
        if (forest.isFitted()) {
            score = forest.score(values, 0);
            anomalous = score >= cfg.threshold();
            if (!cfg.frozen()) {
                buffer.add(values);
                if (++sinceFit >= cfg.refitEvery()) {
                    refit();
                }
            }
        } else {
            buffer.add(values);
            if (buffer.size() >= cfg.psi()) {
                refit();
            }
        }
        return score;
    }

    private void refit() {
        forest.fit(buffer.flat(), buffer.size()); // row order does not matter: rows [0, size) are all valid
        sinceFit = 0;
    }

    /**
     * Resets, then fits on a batch of rows of {@link Config#dims()} values, keeping the most recent {@code memory}
     * finite rows. Rows with a non-finite value are skipped.
     *
     * @throws IllegalArgumentException if a row has the wrong width (names its index) or fewer than 2 rows are finite
     */
    public void fit(double[][] rows) {
        reset();
        for (int r = 0; r < rows.length; r++) {
            double[] row = rows[r];
            if (row.length != cfg.dims()) {
                throw new IllegalArgumentException("row " + r + " has " + row.length + " values, expected "
                        + cfg.dims());
            }
            boolean ok = true;
            for (double v : row) {
                ok &= Double.isFinite(v);
            }
            if (ok) {
                buffer.add(row);
            }
        }
        if (buffer.size() < 2) {
            throw new IllegalArgumentException("need at least 2 finite training rows, got " + buffer.size() + " of "
                    + rows.length);
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
        buffer.clear();
        sinceFit = 0;
        anomalous = false;
    }
}
