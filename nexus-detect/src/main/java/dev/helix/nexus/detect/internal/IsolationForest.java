package dev.helix.nexus.detect.internal;

import java.util.SplittableRandom;

/**
 * Isolation Forest (Liu, Ting &amp; Zhou, "Isolation Forest", ICDM 2008): {@code trees} random binary trees, each
 * grown on a subsample of {@code psi} points drawn without replacement, to height limit ceil(log2 psi). A point's
 * score is s = 2^(-E[h(x)]/c(psi)), with h the path length plus c(leaf size) at an external node.
 *
 * <p>Storage is flat pre-allocated arrays (2·psi - 1 nodes per tree), so {@link #fit} and {@link #score} never
 * allocate. Split attribute: uniform among attributes that are not constant within the node (a node whose points
 * are all identical becomes a leaf), split value uniform in (min, max). Fit cost O(trees·psi·d·log psi); score
 * O(trees·log psi). Seeded {@link SplittableRandom}: same seed and data give the same forest. Not thread-safe.
 */
public final class IsolationForest {
    private final int dims;
    private final int trees;
    private final int psi;
    private final int maxNodes;
    private final int heightLimit;
    /** Split attribute of an internal node, -1 at a leaf. */
    private final int[] feat;
    /** Split value of an internal node; at a leaf, its path length depth + c(leaf size), precomputed at fit. */
    private final double[] split;
    /** Right child (tree-local index); the left child of node k is k + 1 (pre-order layout). */
    private final int[] right;
    private final int[] nodeCount;
    private final int[] sampleIdx;
    private final int[] perm;
    /** The current tree's subsample, column-major: attribute d of local row i at {@code d * psi + i}. */
    private final double[] cols;
    /** Non-constant attributes of the node being built, per depth (a child's are a subset of its parent's). */
    private final int[] candidates;
    private final double[] mins;
    private final double[] maxs;
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
        this.maxNodes = 2 * psi - 1;
        this.heightLimit = (int) Math.ceil(Math.log(psi) / Math.log(2));
        int total = trees * maxNodes;
        feat = new int[total];
        split = new double[total];
        right = new int[total];
        nodeCount = new int[trees];
        sampleIdx = new int[psi];
        perm = new int[maxData];
        cols = new double[dims * psi];
        candidates = new int[(heightLimit + 2) * dims];
        mins = new double[dims];
        maxs = new double[dims];
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
            nodeCount[t] = 0;
            build(t, 0, m, 0, dims);
        }
        fitted = true;
    }

    /**
     * Grows the subtree on local rows {@code sampleIdx[from, to)}; {@code parentCandidates} attributes at
     * {@code candidates[depth * dims ..]} are those not constant in the parent (all attributes at the root).
     * Visits candidate attributes in ascending order, as a scan of all attributes would, so the random stream and
     * the tree are the same as choosing among all non-constant attributes.
     */
    private int build(int t, int from, int to, int depth, int parentCandidates) {
        int base = t * maxNodes;
        int node = nodeCount[t]++;
        int id = base + node;
        int n = to - from;
        if (depth >= heightLimit || n <= 1) {
            makeLeaf(id, n, depth);
            return node;
        }
        int pc = depth * dims;
        int cc = pc + dims;
        int nc = 0;
        for (int k = 0; k < parentCandidates; k++) {
            int d = candidates[pc + k];
            int off = d * psi;
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
            }
            mins[d] = lo;
            maxs[d] = hi;
            if (hi > lo) {
                candidates[cc + nc++] = d;
            }
        }
        if (nc == 0) {
            makeLeaf(id, n, depth);
            return node;
        }
        int q = candidates[cc + rng.nextInt(nc)];
        double lo = mins[q];
        double hi = maxs[q];
        double p = lo + rng.nextDouble() * (hi - lo);
        if (p <= lo) {
            p = Math.nextUp(lo); // keep both sides non-empty: left is v < p
        }
        int qOff = q * psi;
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
        feat[id] = q;
        split[id] = p;
        build(t, from, i, depth + 1, nc); // left child = node + 1
        int r = build(t, i, to, depth + 1, nc);
        right[id] = r;
        return node;
    }

    private void makeLeaf(int id, int n, int depth) {
        feat[id] = -1;
        split[id] = depth + Stats.averagePathLength(n);
    }

    /** Isolation score of one point (values at {@code x[off .. off+dims)}) in (0, 1]; 0 when not fitted. */
    public double score(double[] x, int off) {
        if (!fitted) {
            return 0.0;
        }
        double total = 0;
        for (int t = 0; t < trees; t++) {
            int base = t * maxNodes;
            int id = base;
            int q;
            while ((q = feat[id]) >= 0) {
                id = x[off + q] < split[id] ? id + 1 : base + right[id];
            }
            total += split[id]; // leaf: depth + c(leaf size)
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
