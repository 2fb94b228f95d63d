package dev.helix.nexus.detect.internal;

import java.util.SplittableRandom;

/**
 * Isolation Forest (Liu, Ting &amp; Zhou, "Isolation Forest", ICDM 2008): {@code trees} random binary trees, each
 * grown on a subsample of {@code psi} points drawn without replacement, to height limit h = ceil(log2 psi). A point's
 * score is s = 2^(-E[h(x)]/c(psi)), with h the path length plus c(leaf size) at an external node.
 *
 * <p>Split attribute: uniform among the attributes that are not constant within the node (a node whose points are
 * all identical becomes a leaf), split value uniform in (min, max), left is {@code v < split}. Random stream (seeded
 * {@link SplittableRandom}; same seed and data give the same forest): per tree a partial Fisher-Yates shuffle of the
 * row indices draws the subsample, then every internal node, in pre-order, draws {@code nextInt(#candidates)} and
 * {@code nextDouble()}. {@link #clear()} restarts the stream from the seed.
 *
 * <p>Layout: every tree is stored as a complete binary tree of height h in heap order (node j has children 2j and
 * 2j+1, root 1), and the trees are interleaved level-major: heap position j of tree t is at {@code j * trees + t},
 * so node g of tree t has its children at {@code 2g - t} and {@code 2g - t + trees}. Per position: split attribute
 * and split value; per depth-h position j, the precomputed path length depth + c(leaf size) at
 * {@code (j - 2^h) * trees + t}. A leaf above depth h copies its path length to all depth-h positions below it (its
 * internal positions below are inert), so scoring a tree is exactly h steps with no data-dependent exit, and one
 * load. {@link #score} copies the query into an instance buffer (indexing it from 0 is cheaper than
 * {@code x[off + attribute]}), advances all trees one level at a time (the iterations are independent, so their
 * load chains overlap in the out-of-order core), and adds the leaf values in tree order while taking the last step,
 * the same additions in the same order as walking one tree after the other, so the same sum bit for bit. Storage is
 * 2^h &lt; 2·psi positions per tree in three arrays, allocated once.
 *
 * <p>Complexity: {@link #fit} is O(trees·(n + psi·d + psi·h)) in the usual case: per node the attributes still
 * non-constant in its parent are tested for constancy with an early exit (at the first two distinct values), and
 * only the chosen attribute is scanned in full for its min/max (worst case O(trees·psi·d·h) on data where
 * attributes are nearly constant). {@link #score} is O(d + trees·h). Neither allocates. Not thread-safe, scoring
 * included: {@link #score} keeps a copy of the query and the per-tree walk positions in instance buffers, so
 * concurrent callers need one instance each.
 */
public final class IsolationForest {
    private final int dims;
    private final int trees;
    private final int psi;
    private final int heightLimit;
    /** 2^heightLimit: positions per tree in {@link #attr}/{@link #split} (heap position 0 unused), {@link #leaf}. */
    private final int width;
    /** Split attribute of heap position j of tree t at {@code j * trees + t} (0 at inert positions). */
    private final int[] attr;
    /** Split value, same indexing as {@link #attr}. */
    private final double[] split;
    /** Path length (depth + c(leaf size)) at depth-h position j of tree t, at {@code (j - width) * trees + t}. */
    private final double[] leaf;
    /** Per-tree walk position during {@link #score} (absolute index into {@link #attr}). */
    private final int[] cursor;
    /** Copy of the query during {@link #score}. */
    private final double[] query;
    private final int[] sampleIdx;
    private final int[] perm;
    /** The current tree's subsample, column-major: attribute d of local row i at {@code d * psi + i}. */
    private final double[] cols;
    /** Non-constant attributes of the node being built, per depth (a child's are a subset of its parent's). */
    private final int[] candidates;
    private final long seed;
    private SplittableRandom rng;
    private double cPsi;
    private boolean fitted;

    public IsolationForest(int dims, int trees, int psi, int maxData, long seed) {
        if (dims < 1 || trees < 1 || psi < 2 || maxData < 2) {
            throw new IllegalArgumentException("dims, trees >= 1, psi, maxData >= 2 required");
        }
        this.dims = dims;
        this.trees = trees;
        this.psi = psi;
        this.heightLimit = (int) Math.ceil(Math.log(psi) / Math.log(2));
        if (heightLimit > 30) {
            throw new IllegalArgumentException("psi too large: " + psi);
        }
        this.width = 1 << heightLimit;
        long total = (long) trees * width;
        if (2 * total > Integer.MAX_VALUE - 8) { // a walk step computes 2g before subtracting t
            throw new IllegalArgumentException("trees * 2^ceil(log2 psi) too large: " + total);
        }
        attr = new int[(int) total];
        split = new double[(int) total];
        leaf = new double[(int) total];
        cursor = new int[trees];
        query = new double[dims];
        sampleIdx = new int[psi];
        perm = new int[maxData];
        cols = new double[dims * psi];
        candidates = new int[(heightLimit + 2) * dims];
        this.seed = seed;
        rng = new SplittableRandom(seed);
    }

    public boolean isFitted() {
        return fitted;
    }

    /**
     * Grows the forest on rows {@code [0, n)} of a row-major matrix {@code data} (row r at {@code r*dims}).
     * If n &lt; psi every tree uses all n rows.
     */
    public void fit(double[] data, int n) {
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 rows, got " + n);
        }
        if (n > perm.length) {
            throw new IllegalArgumentException("n=" + n + " exceeds capacity " + perm.length);
        }
        if ((long) n * dims > data.length) {
            throw new IllegalArgumentException("data holds " + data.length + " values, need n*dims = "
                    + (long) n * dims);
        }
        int m = Math.min(psi, n);
        cPsi = Stats.averagePathLength(m);
        for (int t = 0; t < trees; t++) {
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < m; i++) { // partial Fisher-Yates: sample without replacement
                int j = i + rng.nextInt(n - i);
                int tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
            for (int i = 0; i < m; i++) { // gather the subsample column-major; sampleIdx holds local rows
                int row = perm[i] * dims;
                for (int d = 0; d < dims; d++) {
                    cols[d * psi + i] = data[row + d];
                }
                sampleIdx[i] = i;
            }
            for (int d = 0; d < dims; d++) {
                candidates[d] = d;
            }
            build(t, 1, 0, m, 0, dims);
        }
        fitted = true;
    }

    /**
     * Grows the subtree at heap position {@code pos} on local rows {@code sampleIdx[from, to)};
     * {@code parentCandidates} attributes at {@code candidates[depth * dims ..]} are those not constant in the
     * parent (all attributes at the root). Visits candidate attributes in ascending order, as a scan of all
     * attributes would, so the random stream and the tree are the same as choosing among all non-constant
     * attributes.
     */
    private void build(int tree, int pos, int from, int to, int depth, int parentCandidates) {
        int n = to - from;
        if (depth >= heightLimit || n <= 1) {
            makeLeaf(tree, pos, depth, n);
            return;
        }
        int pc = depth * dims;
        int cc = pc + dims;
        int nc = 0;
        for (int k = 0; k < parentCandidates; k++) {
            int d = candidates[pc + k];
            if (varies(d * psi, from, to)) {
                candidates[cc + nc++] = d;
            }
        }
        if (nc == 0) {
            makeLeaf(tree, pos, depth, n);
            return;
        }
        int q = candidates[cc + rng.nextInt(nc)];
        int qOff = q * psi;
        // the same comparisons in the same order as a full min/max scan of every attribute would make
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            double v = cols[qOff + sampleIdx[i]];
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        double p = lo + rng.nextDouble() * (hi - lo);
        if (p <= lo) {
            p = Math.nextUp(lo); // keep both sides non-empty: left is v < p
        }
        int i = from;
        int j = to - 1;
        while (i <= j) {
            if (cols[qOff + sampleIdx[i]] < p) {
                i++;
            } else {
                int tmp = sampleIdx[i];
                sampleIdx[i] = sampleIdx[j];
                sampleIdx[j] = tmp;
                j--;
            }
        }
        attr[pos * trees + tree] = q;
        split[pos * trees + tree] = p;
        build(tree, 2 * pos, from, i, depth + 1, nc);
        build(tree, 2 * pos + 1, i, to, depth + 1, nc);
    }

    /**
     * Whether the attribute at {@code cols[off + sampleIdx[from, to)]} takes two different values, i.e. whether a
     * full min/max scan would end with max &gt; min (NaN ignored, -0.0 equal to 0.0). Stops at the first prefix
     * whose max exceeds its min: the answer for the prefix is the answer for the whole range.
     */
    private boolean varies(int off, int from, int to) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            double v = cols[off + sampleIdx[i]];
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
            if (hi > lo) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes heap position {@code pos} (at {@code depth}) a leaf: its path length goes to every depth-h position
     * below it, and its internal positions below (itself included) are made inert (attribute 0), so a walk of
     * exactly h steps ends on a copy of its value whatever the comparisons say.
     */
    private void makeLeaf(int tree, int pos, int depth, int n) {
        double value = depth + Stats.averagePathLength(n);
        int first = pos;
        int count = 1;
        for (int level = depth; level < heightLimit; level++) {
            for (int k = 0; k < count; k++) {
                attr[(first + k) * trees + tree] = 0;
                split[(first + k) * trees + tree] = 0.0;
            }
            first <<= 1;
            count <<= 1;
        }
        for (int k = 0; k < count; k++) {
            leaf[(first - width + k) * trees + tree] = value;
        }
    }

    /** Isolation score of one point (values at {@code x[off .. off+dims)}) in (0, 1]; 0 when not fitted. */
    public double score(double[] x, int off) {
        if (!fitted) {
            return 0.0;
        }
        if (off < 0 || off > x.length - dims) {
            throw new IndexOutOfBoundsException("point at " + off + " of " + dims + " values, array length " + x.length);
        }
        final double[] q = query;
        System.arraycopy(x, off, q, 0, dims);
        final int h = heightLimit;
        final int n = trees;
        final int[] at = attr;
        final double[] sp = split;
        final int[] pos = cursor;
        // tree t's root is at n + t; a step from node g of tree t goes to 2g - t (x < split) or 2g - t + n
        int level = 0;
        if (h > 1) { // the root level without loading positions
            for (int t = 0; t < n; t++) {
                int g = n + t;
                pos[t] = 2 * g - t + (q[at[g]] < sp[g] ? 0 : n);
            }
            level = 1;
        } else {
            for (int t = 0; t < n; t++) {
                pos[t] = n + t;
            }
        }
        for (; level < h - 1; level++) {
            for (int t = 0; t < n; t++) {
                int g = pos[t];
                pos[t] = 2 * g - t + (q[at[g]] < sp[g] ? 0 : n);
            }
        }
        // the last step, adding the leaf values in tree order: the same sum as one tree at a time
        final double[] lf = leaf;
        final int leafBase = width * n; // depth-h position j of tree t is at j * n + t in the walk's numbering
        double total = 0;
        for (int t = 0; t < n; t++) {
            int g = pos[t];
            total += lf[2 * g - t + (q[at[g]] < sp[g] ? 0 : n) - leafBase];
        }
        double mean = total / trees;
        return cPsi > 0 ? Math.pow(2.0, -mean / cPsi) : 0.0;
    }

    public int dims() {
        return dims;
    }

    /** Forgets the model and restarts the random stream from the seed. */
    public void clear() {
        fitted = false;
        rng = new SplittableRandom(seed);
    }
}
