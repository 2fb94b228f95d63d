package dev.helix.nexus.detect.internal;

import java.util.Arrays;

/**
 * Fuzzy ART (Carpenter, Grossberg &amp; Rosen 1991, "Fuzzy ART: fast stable learning and categorization of analog
 * patterns by an adaptive resonance system", Neural Networks 4(6)) with complement coding and two vigilance levels
 * (the dual-vigilance extension of Brito da Silva, Elnabarawy &amp; Wunsch 2019): an unsupervised, incremental
 * clusterer of vectors in [0,1]^d.
 *
 * <p><b>Complement coding.</b> An input a in [0,1]^d is presented as I = (a, 1 − a), so |I| = d for every input
 * (|·| is the L1 norm) and a category weight w in [0,1]^{2d} is a hyper-box: its first half is the box's lower
 * corner, one minus its second half the upper corner. The fuzzy AND is the component-wise minimum ∧.
 *
 * <p><b>Presentation.</b> For every category j an activation T_j and a match M_j are computed
 * ({@link Activation}). Categories are examined in decreasing T_j (ties: lower index first). With an upper vigilance
 * ρ<sub>ub</sub> and a lower one ρ<sub>lb</sub> &le; ρ<sub>ub</sub>:
 * <ul>
 *   <li>the first examined category with M_j &ge; ρ<sub>ub</sub> <em>resonates</em> (Carpenter's search: a category
 *       failing vigilance is reset and the next one examined): it learns w_j ← β (I ∧ w_j) + (1 − β) w_j
 *       ({@link Outcome#RESONANCE});</li>
 *   <li>if none passes ρ<sub>ub</sub>, the first examined category with M_j &ge; ρ<sub>lb</sub> gives its cluster to
 *       a new category w = I ({@link Outcome#NEW_CATEGORY});</li>
 *   <li>otherwise (or with no category yet) the input is committed as a new category of a new cluster
 *       ({@link Outcome#NEW_CLUSTER}).</li>
 * </ul>
 * With ρ<sub>lb</sub> = ρ<sub>ub</sub> = ρ this is Carpenter's Fuzzy ART with fast commitment of new categories.
 * "The first examined category that passes" is the one with the largest T_j among those that pass, so the search
 * needs no sort. The largest M_j over all categories is reported as the input's <em>similarity</em> to what has been
 * learned; the detector built on this class treats a low similarity as novelty.
 *
 * <p><b>Complexity.</b> A presentation is O(K·d) for K categories (every category is evaluated, then the best
 * passing one chosen), no sorting. Memory O(K·d); K grows by one per committed input (a caller bounds it).
 * Allocation: only when a category is committed (the weight arrays grow geometrically). Not thread-safe (one writer).
 */
public final class FuzzyArt {

    /** How activation (the search order) and match (the vigilance test) are computed. */
    public enum Activation {
        /**
         * Carpenter et al. 1991: T_j = |I ∧ w_j| / (α + |w_j|) (choice, α &gt; 0 small), M_j = |I ∧ w_j| / |I|.
         */
        CARPENTER,
        /**
         * One function for both order and test: M_j = (|I ∧ w_j| / |w_j|)^3 · (F_j)^2, where |I ∧ w_j| / |w_j| is the
         * fuzzy degree to which the category's box is a subset of the input (Carpenter's "fuzzy subsethood" of w_j
         * in I) and F_j is the same ratio restricted to one <em>focus</em> component and its complement. The powers
         * 3 and 2 are those of ARTime (Hampton 2022), which focuses on the newest sample's level so that a familiar
         * shape at an unfamiliar level does not resonate.
         */
        SUBSET_WITH_FOCUS
    }

    /** What a presentation did. */
    public enum Outcome {
        /** An existing category passed the upper vigilance and learned the input. */
        RESONANCE,
        /** The best category passed only the lower vigilance: a new category was committed in its cluster. */
        NEW_CATEGORY,
        /** No category passed the lower vigilance: a new category and a new cluster were committed. */
        NEW_CLUSTER
    }

    /**
     * Result of one presentation.
     *
     * @param outcome    what happened
     * @param category   index of the resonating or newly committed category
     * @param cluster    cluster id of that category (0-based, in order of creation)
     * @param similarity the largest match M_j over the categories that existed before the presentation (0 if none)
     * @param focus      for {@link Activation#SUBSET_WITH_FOCUS}, F_j of the category with the largest match (else 0)
     */
    public record Result(Outcome outcome, int category, int cluster, double similarity, double focus) {
    }

    private final int dim;
    private final Activation activation;
    private final double alpha;
    private final double beta;
    private final int focusIndex;
    private double rhoLower;
    private double rhoUpper;
    private double[] weights = new double[0];
    private double[] weightNorm = new double[0];
    private int[] clusterOf = new int[0];
    private int categories;
    private int clusters;
    private final double[] input;
    private double[] overlap = new double[0];
    private double[] match = new double[0];
    private double[] focus = new double[0];

    /**
     * @param dim        components of an (uncoded) input, each in [0,1]
     * @param activation activation and match rule
     * @param alpha      choice parameter α &gt; 0 ({@link Activation#CARPENTER} only; Carpenter et al. use values
     *                   near 0, e.g. 0.001)
     * @param beta       learning rate β in (0, 1] (1 = fast learning)
     * @param focusIndex component (0-based, &lt; dim) used as the focus of {@link Activation#SUBSET_WITH_FOCUS}
     *                   (ignored otherwise)
     */
    public FuzzyArt(int dim, Activation activation, double alpha, double beta, int focusIndex) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null");
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("choice parameter alpha must be finite and > 0, got " + alpha);
        }
        if (!(beta > 0 && beta <= 1)) {
            throw new IllegalArgumentException("learning rate beta must be in (0, 1], got " + beta);
        }
        if (focusIndex < 0 || focusIndex >= dim) {
            throw new IllegalArgumentException("focusIndex must be in [0, " + dim + "), got " + focusIndex);
        }
        this.dim = dim;
        this.activation = activation;
        this.alpha = alpha;
        this.beta = beta;
        this.focusIndex = focusIndex;
        this.input = new double[2 * dim];
        this.rhoLower = 0;
        this.rhoUpper = 0;
    }

    /**
     * Sets both vigilance levels.
     *
     * @param lower ρ<sub>lb</sub> in [0, 1]
     * @param upper ρ<sub>ub</sub> in [lower, 1]
     */
    public void setVigilance(double lower, double upper) {
        if (!(lower >= 0 && lower <= upper && upper <= 1)) {
            throw new IllegalArgumentException("vigilance must satisfy 0 <= lower <= upper <= 1, got lower=" + lower
                    + " upper=" + upper);
        }
        rhoLower = lower;
        rhoUpper = upper;
    }

    /** ρ<sub>lb</sub>. */
    public double lowerVigilance() {
        return rhoLower;
    }

    /** ρ<sub>ub</sub>. */
    public double upperVigilance() {
        return rhoUpper;
    }

    /** Number of committed categories. */
    public int categories() {
        return categories;
    }

    /** Number of clusters. */
    public int clusters() {
        return clusters;
    }

    /** A copy of category {@code j}'s complement-coded weight (2·dim values). */
    public double[] weight(int j) {
        if (j < 0 || j >= categories) {
            throw new IndexOutOfBoundsException("category " + j + " of " + categories);
        }
        return Arrays.copyOfRange(weights, j * 2 * dim, (j + 1) * 2 * dim);
    }

    /** Forgets every category (vigilance is kept). */
    public void clear() {
        categories = 0;
        clusters = 0;
    }

    /**
     * Presents one input and learns from it (see the class comment).
     *
     * @param a dim values, each in [0,1] (checked)
     */
    public Result learn(double[] a) {
        return present(a, true);
    }

    /**
     * The similarity of {@code a} to the learned categories (the largest match M_j, 0 with no category) without
     * learning.
     */
    public double similarity(double[] a) {
        return present(a, false).similarity();
    }

    private Result present(double[] a, boolean learn) {
        if (a.length != dim) {
            throw new IllegalArgumentException("input has " + a.length + " components, expected " + dim);
        }
        for (int i = 0; i < dim; i++) {
            double v = a[i];
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("input component " + i + " = " + v + " is not in [0, 1]");
            }
            input[i] = v;
            input[dim + i] = 1 - v;
        }
        ensureScratch(categories);
        int best = -1;
        double bestM = 0;
        double bestMFocus = 0;
        int w = 2 * dim;
        for (int j = 0; j < categories; j++) {
            int off = j * w;
            double ov = 0;
            for (int i = 0; i < w; i++) {
                ov += Math.min(input[i], weights[off + i]);
            }
            overlap[j] = ov;
            double wn = weightNorm[j];
            double m;
            double f = 0;
            if (activation == Activation.CARPENTER) {
                m = ov / dim;
            } else {
                double subset = wn > 0 ? ov / wn : 1.0;
                double fw = weights[off + focusIndex] + weights[off + dim + focusIndex];
                double fo = Math.min(input[focusIndex], weights[off + focusIndex])
                        + Math.min(input[dim + focusIndex], weights[off + dim + focusIndex]);
                f = fw > 0 ? fo / fw : 1.0;
                m = subset * subset * subset * f * f;
            }
            match[j] = m;
            focus[j] = f;
            if (m > bestM || best < 0) {
                best = j;
                bestM = m;
                bestMFocus = f;
            }
        }
        if (!learn) {
            return new Result(Outcome.RESONANCE, best, best < 0 ? -1 : clusterOf[best], bestM, bestMFocus);
        }
        int resonant = firstPassing(rhoUpper);
        if (resonant >= 0) {
            int off = resonant * w;
            double norm = 0;
            for (int i = 0; i < w; i++) {
                double old = weights[off + i];
                double nw = beta * Math.min(input[i], old) + (1 - beta) * old;
                weights[off + i] = nw;
                norm += nw;
            }
            weightNorm[resonant] = norm;
            return new Result(Outcome.RESONANCE, resonant, clusterOf[resonant], bestM, bestMFocus);
        }
        int near = firstPassing(rhoLower);
        if (near >= 0) {
            int c = commit(clusterOf[near]);
            return new Result(Outcome.NEW_CATEGORY, c, clusterOf[c], bestM, bestMFocus);
        }
        int c = commit(clusters++);
        return new Result(Outcome.NEW_CLUSTER, c, clusterOf[c], bestM, bestMFocus);
    }

    /** The category with the largest activation among those whose match passes {@code rho}; -1 if none. */
    private int firstPassing(double rho) {
        int found = -1;
        double bestT = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < categories; j++) {
            if (match[j] >= rho && activationOf(j) > bestT) {
                bestT = activationOf(j);
                found = j;
            }
        }
        return found;
    }

    private double activationOf(int j) {
        return activation == Activation.CARPENTER ? overlap[j] / (alpha + weightNorm[j]) : match[j];
    }

    private int commit(int cluster) {
        int w = 2 * dim;
        if ((categories + 1) * w > weights.length) {
            int cap = Math.max(8, categories * 2);
            weights = Arrays.copyOf(weights, cap * w);
            weightNorm = Arrays.copyOf(weightNorm, cap);
            clusterOf = Arrays.copyOf(clusterOf, cap);
        }
        int j = categories++;
        System.arraycopy(input, 0, weights, j * w, w);
        weightNorm[j] = dim; // |I| = dim under complement coding
        clusterOf[j] = cluster;
        return j;
    }

    private void ensureScratch(int k) {
        if (overlap.length < k) {
            int cap = Math.max(8, Math.max(k, overlap.length * 2));
            overlap = new double[cap];
            match = new double[cap];
            focus = new double[cap];
        }
    }
}
