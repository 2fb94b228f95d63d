package dev.helix.nexus.detect.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test oracle: the Isolation Forest specified by {@link IsolationForest}'s Javadoc written the obvious way, with one
 * object per node, a list of row indices per node, a full min/max scan of every attribute at every node and a
 * recursive walk to score. It draws from the seeded {@link SplittableRandom} in the documented order (per tree:
 * partial Fisher-Yates over the identity permutation of the n rows, then per internal node in pre-order
 * {@code nextInt(#non-constant attributes)} followed by {@code nextDouble()}), so for the same data and seed it must
 * produce exactly the same trees, and the same scores bit for bit (leaf path lengths summed in tree order), as the
 * optimised flat layout. Slow and allocating on purpose; not thread-safe.
 */
final class ReferenceIsolationForest {

    private record Node(int feature, double split, Node left, Node right, double pathLength) {
        boolean isLeaf() {
            return left == null;
        }
    }

    private final int dims;
    private final int trees;
    private final int psi;
    private final int heightLimit;
    private final SplittableRandom rng;
    private final List<Node> roots = new ArrayList<>();
    private double cPsi;

    ReferenceIsolationForest(int dims, int trees, int psi, long seed) {
        this.dims = dims;
        this.trees = trees;
        this.psi = psi;
        this.heightLimit = (int) Math.ceil(Math.log(psi) / Math.log(2));
        this.rng = new SplittableRandom(seed);
    }

    /** Rows {@code [0, n)} of the row-major {@code data}. */
    void fit(double[] data, int n) {
        roots.clear();
        int m = Math.min(psi, n);
        cPsi = Stats.averagePathLength(m);
        for (int t = 0; t < trees; t++) {
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < m; i++) {
                int j = i + rng.nextInt(n - i);
                int tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
            List<double[]> rows = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                double[] row = new double[dims];
                System.arraycopy(data, perm[i] * dims, row, 0, dims);
                rows.add(row);
            }
            roots.add(grow(rows, 0));
        }
    }

    private Node grow(List<double[]> rows, int depth) {
        int n = rows.size();
        if (depth >= heightLimit || n <= 1) {
            return leaf(n, depth);
        }
        List<Integer> nonConstant = new ArrayList<>();
        double[] lo = new double[dims];
        double[] hi = new double[dims];
        for (int d = 0; d < dims; d++) {
            lo[d] = Double.POSITIVE_INFINITY;
            hi[d] = Double.NEGATIVE_INFINITY;
            for (double[] r : rows) {
                if (r[d] < lo[d]) {
                    lo[d] = r[d];
                }
                if (r[d] > hi[d]) {
                    hi[d] = r[d];
                }
            }
            if (hi[d] > lo[d]) {
                nonConstant.add(d);
            }
        }
        if (nonConstant.isEmpty()) {
            return leaf(n, depth);
        }
        int q = nonConstant.get(rng.nextInt(nonConstant.size()));
        double p = lo[q] + rng.nextDouble() * (hi[q] - lo[q]);
        if (p <= lo[q]) {
            p = Math.nextUp(lo[q]);
        }
        List<double[]> left = new ArrayList<>();
        List<double[]> right = new ArrayList<>();
        for (double[] r : rows) {
            (r[q] < p ? left : right).add(r);
        }
        Node l = grow(left, depth + 1);
        Node r = grow(right, depth + 1);
        return new Node(q, p, l, r, Double.NaN);
    }

    private static Node leaf(int n, int depth) {
        return new Node(-1, Double.NaN, null, null, depth + Stats.averagePathLength(n));
    }

    double score(double[] x, int off) {
        double total = 0;
        for (Node root : roots) {
            Node node = root;
            while (!node.isLeaf()) {
                node = x[off + node.feature()] < node.split() ? node.left() : node.right();
            }
            total += node.pathLength();
        }
        double mean = total / trees;
        return cPsi > 0 ? Math.pow(2.0, -mean / cPsi) : 0.0;
    }
}
