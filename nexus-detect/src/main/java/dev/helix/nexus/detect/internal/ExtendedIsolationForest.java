package dev.helix.nexus.detect.internal;

import java.util.SplittableRandom;

/**
 * Extended Isolation Forest (Hariri, Carrasco Kind &amp; Brunner, "Extended Isolation Forest", IEEE TKDE 2021,
 * arXiv:1811.02141): an Isolation Forest whose nodes split on random hyperplanes instead of single attributes.
 *
 * <p><b>Definition.</b> {@code trees} random binary trees, each grown on a subsample of {@code psi} rows drawn
 * without replacement (all rows if fewer), to height limit h = ceil(log2 psi). An internal node holding the rows S
 * draws a normal vector v and an intercept point p and sends a row x to its left child when x·v &le; p·v, to its
 * right child otherwise (the paper's (x - p)·v &le; 0, with p·v computed once; fitting and scoring evaluate x·v with
 * the same additions in the same order, {@link #dot}, so a training row follows the same path when scored). v has
 * {@code extension + 1} non-zero components, on coordinates chosen uniformly without replacement among all
 * {@code dims}, each drawn from the standard normal distribution (an isotropic direction within the chosen
 * coordinates); p's chosen coordinates are uniform within the bounding box of S (its other coordinates do not
 * matter, their v component being 0). {@code extension = 0} is the standard, axis-parallel Isolation Forest in
 * distribution (one coordinate, a split value uniform in its range; the sign of v only swaps the children);
 * {@code extension = dims - 1} is fully extended (hyperplanes of every orientation), the paper's recommended level,
 * which removes the axis-aligned artefacts of the standard forest's score map. A node becomes a leaf at depth h, with
 * at most one row, or when its rows are all identical; a split may leave one child empty (the paper allows this: a
 * hyperplane through the bounding box need not cut the rows), which is then a leaf of size 0. A row's path length is
 * its leaf's depth plus c(leaf size), c the average unsuccessful-search path length of a binary search tree
 * ({@link Stats#averagePathLength}), and its score is 2^(-E[h(x)]/c(m)), m = min(psi, n), in (0, 1].
 *
 * <p><b>Differences from {@link IsolationForest}</b> besides the split rule: v may use coordinates that are constant
 * within the node (the paper draws v over all coordinates). Such a component cannot separate the node's rows, but it
 * tilts the hyperplane for an unseen row that departs along that coordinate, so a departure along a column that was
 * constant in training raises the score here, while the standard forest (which splits only non-constant attributes)
 * ignores it. When every chosen coordinate is constant in the node all its rows go left and the right child is an
 * empty leaf. The split is scale-dependent (a component multiplies a raw value): give the columns comparable scales
 * (e.g. standardise, or min-max scale as SMD is) or one wide column decides every split.
 *
 * <p><b>Random stream</b> (seeded {@link SplittableRandom}; the same seed, data and call sequence give the same
 * forest bit for bit): per tree a partial Fisher-Yates shuffle of the row indices draws the subsample; then every
 * internal node, in pre-order, draws its coordinates (partial Fisher-Yates over a coordinate permutation that is
 * reset to the identity at each {@link #fit}; skipped when fully extended, which uses every coordinate in order),
 * and per coordinate one {@code nextGaussian()} (the v component) and one {@code nextDouble()} (p's coordinate).
 * {@link #clear()} restarts the stream from the seed.
 *
 * <p><b>Layout.</b> Every tree is a heap-ordered binary tree (root 1, children 2j and 2j+1): for internal positions
 * [1, 2^h) the {@code extension + 1} components of v (and, unless fully extended, their coordinates) and p·v; for
 * positions [1, 2^(h+1)) the path length of a leaf, or -1 for an internal node. Scoring walks each tree from its root
 * and stops at the first leaf, four trees in lock-step (their walks are independent, so the out-of-order core can
 * overlap them; measured +28 % at extension 0, no change fully extended, docs/benchmarks/detect.md §6.6) and adds
 * the path lengths in tree order. x·v uses four interleaved partial sums ({@link #dot}). Fitting copies each tree's
 * subsample row-major into a buffer so a row's product reads contiguous values. Storage trees·2^h·(k + 3) values,
 * k = extension + 1 (2^h &lt; 2·psi), allocated once.
 *
 * <p><b>Complexity</b> (k = extension + 1): {@link #fit} O(trees·(n + psi·d + psi·h·k)) (per node a bounding-box
 * scan of the k chosen coordinates and a partition evaluating k-term products, plus an identical-rows test that
 * usually stops after two rows); {@link #score} O(d + trees·h·k), e.g. fully extended on 38 columns about 38 times
 * the multiply-adds of an axis-parallel walk. Neither allocates. <b>Thread-safety:</b> {@link #fit} and
 * {@link #clear} mutate and need exclusive access; {@link #score} only reads the model, so concurrent scoring is
 * safe once the fit that built the model happens-before the scoring calls.
 */
public final class ExtendedIsolationForest {
    private final int dims;
    private final int extension;
    /** Non-zero components of every normal vector: {@code extension + 1}. */
    private final int k;
    private final boolean full;
    private final int trees;
    private final int psi;
    private final int heightLimit;
    /** 2^heightLimit: internal positions per tree (position 0 unused). */
    private final int width;
    /** Component j of the normal vector at internal position p of tree t: {@code ((t * width) + p) * k + j}. */
    private final double[] normal;
    /** Coordinate of that component (same indexing); null when fully extended (component j is coordinate j). */
    private final int[] coord;
    /** p·v at internal position p of tree t: {@code t * width + p}. */
    private final double[] offset;
    /** Leaf path length at position p of tree t, {@code t * 2 * width + p}; -1 at an internal node. */
    private final double[] pathLength;
    private final int[] sampleIdx;
    private final int[] perm;
    /** The current tree's subsample, row-major: coordinate c of local row i at {@code i * dims + c}. */
    private final double[] rows;
    /** Coordinate permutation drawn from for the chosen coordinates of a node. */
    private final int[] coordPerm;
    /** Coordinates not constant within the current tree's subsample, the first {@link #activeCount}. */
    private final int[] active;
    private int activeCount;
    /** Scratch: the current node's chosen coordinates and components. */
    private final int[] nodeCoord;
    private final double[] nodeNormal;
    private final long seed;
    private SplittableRandom rng;
    private double cPsi;
    private boolean fitted;

    /**
     * @param dims      values per row, &ge; 1
     * @param extension extension level in [0, dims - 1]: the normal vectors have {@code extension + 1} non-zero
     *                  components (0 = axis-parallel, dims - 1 = fully extended)
     * @param trees     number of trees, &ge; 1
     * @param psi       subsample size per tree, &ge; 2
     * @param maxData   largest row count {@link #fit} will be given, &ge; 2 (sizes the shuffle buffer)
     * @param seed      random seed
     * @throws IllegalArgumentException naming the offending parameter and value
     */
    public ExtendedIsolationForest(int dims, int extension, int trees, int psi, int maxData, long seed) {
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be >= 1, got " + dims);
        }
        if (extension < 0 || extension > dims - 1) {
            throw new IllegalArgumentException("extension must be in [0, dims - 1] = [0, " + (dims - 1) + "], got "
                    + extension);
        }
        if (trees < 1) {
            throw new IllegalArgumentException("trees must be >= 1, got " + trees);
        }
        if (psi < 2) {
            throw new IllegalArgumentException("psi must be >= 2, got " + psi);
        }
        if (maxData < 2) {
            throw new IllegalArgumentException("maxData must be >= 2, got " + maxData);
        }
        this.dims = dims;
        this.extension = extension;
        this.k = extension + 1;
        this.full = k == dims;
        this.trees = trees;
        this.psi = psi;
        this.heightLimit = (int) Math.ceil(Math.log(psi) / Math.log(2));
        if (heightLimit > 28) {
            throw new IllegalArgumentException("psi too large: " + psi);
        }
        this.width = 1 << heightLimit;
        long internal = (long) trees * width;
        if (internal * k > Integer.MAX_VALUE - 8 || 2 * internal > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("trees * 2^ceil(log2 psi) * (extension + 1) too large: "
                    + internal * k);
        }
        normal = new double[(int) (internal * k)];
        coord = full ? null : new int[(int) (internal * k)];
        offset = new double[(int) internal];
        pathLength = new double[(int) (2 * internal)];
        sampleIdx = new int[psi];
        perm = new int[maxData];
        rows = new double[dims * psi];
        coordPerm = new int[dims];
        active = new int[dims];
        nodeCoord = new int[k];
        nodeNormal = new double[k];
        this.seed = seed;
        rng = new SplittableRandom(seed);
    }

    public boolean isFitted() {
        return fitted;
    }

    public int dims() {
        return dims;
    }

    public int extension() {
        return extension;
    }

    /**
     * Grows the forest on rows {@code [0, n)} of a row-major matrix {@code data} (row r at {@code r * dims}). If
     * n &lt; psi every tree uses all n rows and scores are normalised by c(n).
     *
     * @throws IllegalArgumentException if n &lt; 2, n exceeds {@code maxData}, {@code data} is shorter than
     *                                  n·dims, or a value is NaN or infinite (the message names its row and column)
     */
    public void fit(double[] data, int n) {
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 rows, got " + n);
        }
        if (n > perm.length) {
            throw new IllegalArgumentException("n=" + n + " exceeds capacity maxData=" + perm.length);
        }
        if ((long) n * dims > data.length) {
            throw new IllegalArgumentException("data holds " + data.length + " values, need n*dims = "
                    + (long) n * dims);
        }
        for (int i = 0; i < n * dims; i++) {
            if (!Double.isFinite(data[i])) {
                throw new IllegalArgumentException("non-finite value " + data[i] + " at row " + i / dims
                        + ", column " + i % dims + "; remove or impute such rows before fitting");
            }
        }
        int m = Math.min(psi, n);
        cPsi = Stats.averagePathLength(m);
        for (int c = 0; c < dims; c++) {
            coordPerm[c] = c;
        }
        for (int t = 0; t < trees; t++) {
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < m; i++) { // partial Fisher-Yates: subsample without replacement
                int j = i + rng.nextInt(n - i);
                int tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
            for (int i = 0; i < m; i++) {
                System.arraycopy(data, perm[i] * dims, rows, i * dims, dims);
                sampleIdx[i] = i;
            }
            activeCount = 0;
            for (int c = 0; c < dims; c++) {
                if (varies(c, 0, m)) {
                    active[activeCount++] = c;
                }
            }
            build(t, 1, 0, m, 0);
        }
        fitted = true;
    }

    /** Grows the subtree at heap position {@code pos} (at {@code depth}) of tree {@code tree} on local rows
     * {@code sampleIdx[from, to)}. Recursion depth at most h. */
    private void build(int tree, int pos, int from, int to, int depth) {
        int n = to - from;
        if (depth >= heightLimit || n <= 1 || identical(from, to)) {
            pathLength[tree * 2 * width + pos] = depth + Stats.averagePathLength(n);
            return;
        }
        if (full) {
            for (int j = 0; j < k; j++) {
                nodeCoord[j] = j;
            }
        } else {
            for (int j = 0; j < k; j++) { // partial Fisher-Yates: k coordinates without replacement
                int r = j + rng.nextInt(dims - j);
                int tmp = coordPerm[j];
                coordPerm[j] = coordPerm[r];
                coordPerm[r] = tmp;
                nodeCoord[j] = coordPerm[j];
            }
        }
        double b = 0;
        for (int j = 0; j < k; j++) {
            double v = rng.nextGaussian();
            int c = nodeCoord[j];
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = from; i < to; i++) {
                double x = rows[sampleIdx[i] * dims + c];
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            double p = lo + rng.nextDouble() * (hi - lo);
            nodeNormal[j] = v;
            b += v * p;
        }
        // partition: left (x.v <= p.v) first; x.v evaluated by dot()/indexedDot(), the same additions as score()
        int i = from;
        int e = to - 1;
        while (i <= e) {
            int row = sampleIdx[i];
            double dot = full ? dot(nodeNormal, 0, rows, row * dims, k)
                    : indexedDot(nodeNormal, nodeCoord, 0, rows, row * dims, k);
            if (dot <= b) {
                i++;
            } else {
                sampleIdx[i] = sampleIdx[e];
                sampleIdx[e] = row;
                e--;
            }
        }
        int node = tree * width + pos;
        System.arraycopy(nodeNormal, 0, normal, node * k, k);
        if (!full) {
            System.arraycopy(nodeCoord, 0, coord, node * k, k);
        }
        offset[node] = b;
        pathLength[tree * 2 * width + pos] = -1.0;
        build(tree, 2 * pos, from, i, depth + 1);
        build(tree, 2 * pos + 1, i, to, depth + 1);
    }

    /** Whether all rows {@code sampleIdx[from, to)} are identical: no coordinate active in the tree varies. */
    private boolean identical(int from, int to) {
        for (int a = 0; a < activeCount; a++) {
            if (varies(active[a], from, to)) {
                return false;
            }
        }
        return true;
    }

    /** Whether coordinate {@code c} of the rows {@code sampleIdx[from, to)} takes two values; stops at the first. */
    private boolean varies(int c, int from, int to) {
        double first = rows[sampleIdx[from] * dims + c];
        for (int i = from + 1; i < to; i++) {
            if (rows[sampleIdx[i] * dims + c] != first) {
                return true;
            }
        }
        return false;
    }

    /**
     * Isolation score of one point (values at {@code x[off .. off + dims)}) in (0, 1]; 0 when not fitted.
     *
     * @throws IndexOutOfBoundsException if the point does not fit in {@code x}
     * @throws IllegalArgumentException  if a value of the point is NaN or infinite (names the column)
     */
    public double score(double[] x, int off) {
        if (!fitted) {
            return 0.0;
        }
        if (off < 0 || off > x.length - dims) {
            throw new IndexOutOfBoundsException("point at " + off + " of " + dims + " values, array length "
                    + x.length);
        }
        for (int c = 0; c < dims; c++) {
            if (!Double.isFinite(x[off + c])) {
                throw new IllegalArgumentException("non-finite value " + x[off + c] + " in column " + c);
            }
        }
        final double[] pl = pathLength;
        final int w2 = 2 * width;
        double total = 0;
        int t = 0;
        // four trees at a time: their walks are independent, so the out-of-order core overlaps their node loads and
        // products; the path lengths are still added in tree order, the same sum as one tree after the other
        for (; t + 3 < trees; t += 4) {
            int p0 = 1;
            int p1 = 1;
            int p2 = 1;
            int p3 = 1;
            double l0 = pl[t * w2 + 1];
            double l1 = pl[(t + 1) * w2 + 1];
            double l2 = pl[(t + 2) * w2 + 1];
            double l3 = pl[(t + 3) * w2 + 1];
            while (l0 < 0 || l1 < 0 || l2 < 0 || l3 < 0) {
                if (l0 < 0) {
                    p0 = step(t, p0, x, off);
                    l0 = pl[t * w2 + p0];
                }
                if (l1 < 0) {
                    p1 = step(t + 1, p1, x, off);
                    l1 = pl[(t + 1) * w2 + p1];
                }
                if (l2 < 0) {
                    p2 = step(t + 2, p2, x, off);
                    l2 = pl[(t + 2) * w2 + p2];
                }
                if (l3 < 0) {
                    p3 = step(t + 3, p3, x, off);
                    l3 = pl[(t + 3) * w2 + p3];
                }
            }
            total += l0;
            total += l1;
            total += l2;
            total += l3;
        }
        for (; t < trees; t++) {
            int pos = 1;
            double len;
            while ((len = pl[t * w2 + pos]) < 0) {
                pos = step(t, pos, x, off);
            }
            total += len;
        }
        double mean = total / trees;
        return cPsi > 0 ? Math.pow(2.0, -mean / cPsi) : 0.0;
    }

    /** The child of internal position {@code pos} of tree {@code tree} that the point at {@code x[off ..]} enters. */
    private int step(int tree, int pos, double[] x, int off) {
        int node = tree * width + pos;
        int nb = node * k;
        double dot = full ? dot(normal, nb, x, off, k) : indexedDot(normal, coord, nb, x, off, k);
        return 2 * pos + (dot <= offset[node] ? 0 : 1);
    }

    /**
     * Sum over j &lt; k of {@code a[ao + j] * x[xo + j]}, in four interleaved partial sums (j mod 4) combined as
     * (s0 + s1) + (s2 + s3), then the remaining k mod 4 products in order: four independent addition chains instead
     * of one (a fully extended 38-term product is otherwise bound by the latency of 38 dependent additions).
     * {@link #indexedDot} performs the same additions in the same order, so fitting and scoring agree bit for bit.
     */
    static double dot(double[] a, int ao, double[] x, int xo, int k) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < k; j += 4) {
            s0 += a[ao + j] * x[xo + j];
            s1 += a[ao + j + 1] * x[xo + j + 1];
            s2 += a[ao + j + 2] * x[xo + j + 2];
            s3 += a[ao + j + 3] * x[xo + j + 3];
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; j < k; j++) {
            s += a[ao + j] * x[xo + j];
        }
        return s;
    }

    /** {@link #dot} with component j taken from {@code x[xo + idx[ao + j]]}: the same additions in the same order. */
    static double indexedDot(double[] a, int[] idx, int ao, double[] x, int xo, int k) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < k; j += 4) {
            s0 += a[ao + j] * x[xo + idx[ao + j]];
            s1 += a[ao + j + 1] * x[xo + idx[ao + j + 1]];
            s2 += a[ao + j + 2] * x[xo + idx[ao + j + 2]];
            s3 += a[ao + j + 3] * x[xo + idx[ao + j + 3]];
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; j < k; j++) {
            s += a[ao + j] * x[xo + idx[ao + j]];
        }
        return s;
    }

    /** Forgets the model and restarts the random stream from the seed. */
    public void clear() {
        fitted = false;
        rng = new SplittableRandom(seed);
    }
}
