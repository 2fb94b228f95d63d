package dev.helix.nexus.detect.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optimised {@link IsolationForest} (flat arrays, lock-step traversal of several trees) must score exactly like
 * the straightforward {@link ReferenceIsolationForest}: same seed and data, bit-identical scores.
 */
class IsolationForestEquivalenceTest {

    /** Values at the ends of the double order and around zero, where an order-key comparison could go wrong. */
    private static final double[] EXTREMES = {Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1.0, -Double.MIN_VALUE,
        -0.0, 0.0, Double.MIN_VALUE, Double.MIN_NORMAL, 1.0, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN};

    /** Data generators that stress ties, constant columns, signed zeros, wide ranges and NaN. */
    private static double[] data(int kind, int n, int dims, SplittableRandom r) {
        double[] a = new double[n * dims];
        for (int i = 0; i < a.length; i++) {
            int d = i % dims;
            a[i] = switch (kind) {
                case 0 -> r.nextDouble();
                case 1 -> r.nextInt(4) - 2; // heavy ties
                case 2 -> d % 3 == 0 ? 7.0 : r.nextGaussian() * 1e3; // constant columns
                case 3 -> r.nextBoolean() ? (r.nextBoolean() ? -0.0 : 0.0) : (r.nextInt(5) - 2) * Double.MIN_VALUE; // ±0, subnormals: splits land on data values and on 0
                case 4 -> r.nextDouble() < 0.9 ? 0.0 : r.nextDouble(); // mostly constant, sparse
                case 5 -> r.nextDouble() < 0.05 ? Double.NaN : r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
                case 6 -> EXTREMES[r.nextInt(EXTREMES.length)]; // infinities make NaN splits (-inf + inf)
                default -> throw new IllegalArgumentException("kind " + kind);
            };
        }
        return a;
    }

    private static double[] queries(double[] train, int n, int dims, SplittableRandom r) {
        int q = 300;
        double[] x = new double[q * dims];
        for (int i = 0; i < q; i++) {
            for (int d = 0; d < dims; d++) {
                double v = switch (i % 6) {
                    case 0 -> train[r.nextInt(n) * dims + d]; // training points
                    case 1 -> r.nextGaussian() * 2;
                    case 2 -> i % 7 == 0 ? Double.NaN : r.nextInt(5) - 2;
                    case 3 -> r.nextBoolean() ? -0.0 : 0.0;
                    case 4 -> EXTREMES[r.nextInt(EXTREMES.length)];
                    default -> r.nextBoolean() ? Double.POSITIVE_INFINITY : -1e308;
                };
                x[i * dims + d] = v;
            }
        }
        return x;
    }

    private static void assertSameScores(int dims, int trees, int psi, int n, int kind, long seed, int refits) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        IsolationForest fast = new IsolationForest(dims, trees, psi, n, seed);
        ReferenceIsolationForest ref = new ReferenceIsolationForest(dims, trees, psi, seed);
        for (int fit = 0; fit < refits; fit++) { // refits continue the same random stream
            double[] train = data(kind, n, dims, r);
            fast.fit(train, n);
            ref.fit(train, n);
            double[] x = queries(train, n, dims, r);
            int q = x.length / dims;
            double[] got = new double[q];
            double[] want = new double[q];
            for (int i = 0; i < q; i++) {
                got[i] = fast.score(x, i * dims);
                want[i] = ref.score(x, i * dims);
            }
            assertThat(got)
                    .as("dims %d trees %d psi %d n %d kind %d seed %d fit %d", dims, trees, psi, n, kind, seed, fit)
                    .containsExactly(want);
        }
    }

    @Test
    void benchmarkShapeScoresBitIdentically() {
        for (int kind = 0; kind <= 6; kind++) {
            assertSameScores(38, 100, 256, 2048, kind, 42L, 2);
        }
    }

    /** Height limits 1 to 3 (psi 2 to 8): the walk takes the root step and the last step separately. */
    @Test
    void smallestHeightLimitsScoreBitIdentically() {
        for (int psi = 2; psi <= 8; psi++) {
            for (int kind = 0; kind <= 6; kind++) {
                assertSameScores(3, 13, psi, 40, kind, 11L * psi + kind, 2);
            }
        }
    }

    @Property(tries = 60)
    void randomShapesScoreBitIdentically(@ForAll @IntRange(min = 1, max = 12) int dims,
                                         @ForAll @IntRange(min = 1, max = 25) int trees,
                                         @ForAll @IntRange(min = 2, max = 300) int psi,
                                         @ForAll @IntRange(min = 2, max = 600) int n,
                                         @ForAll @IntRange(min = 0, max = 6) int kind,
                                         @ForAll @LongRange(min = -1000, max = 1000) long seed) {
        assertSameScores(dims, trees, psi, n, kind, seed, 2);
    }

    @Test
    void clearRestartsTheRandomStream() {
        int dims = 3;
        int n = 500;
        double[] train = data(0, n, dims, new SplittableRandom(1));
        IsolationForest f = new IsolationForest(dims, 10, 64, n, 9L);
        f.fit(train, n);
        double first = f.score(train, 0);
        f.fit(train, n);
        f.clear();
        assertThat(f.isFitted()).isFalse();
        assertThat(f.score(train, 0)).isZero();
        f.fit(train, n);
        assertThat(f.score(train, 0)).isEqualTo(first);
    }
}
