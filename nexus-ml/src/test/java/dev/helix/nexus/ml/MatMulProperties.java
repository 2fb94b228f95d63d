package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.ml.internal.ScalarMatMul;
import dev.helix.nexus.ml.internal.VectorMatMul;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The SIMD kernel must agree with the scalar reference (and a double-precision oracle) on random
 * shapes, including sizes not divisible by the vector length. Fixed jqwik seed for a reproducible build.
 */
class MatMulProperties {

    private static double[] oracle(float[] a, float[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @Property(tries = 150, seed = "20261125")
    void vectorMatchesScalar(@ForAll @IntRange(min = 1, max = 70) int m, @ForAll @IntRange(min = 1, max = 70) int k,
                             @ForAll @IntRange(min = 1, max = 70) int n, @ForAll @LongRange(min = 0, max = 1000) long seed,
                             @ForAll boolean accumulate) {
        float[] a = Tensor.random(seed, m, k).data();
        float[] b = Tensor.random(seed + 1, k, n).data();
        float[] init = Tensor.random(seed + 2, m, n).data();
        float[] cv = init.clone();
        float[] cs = init.clone();
        VectorMatMul.gemm(a, 0, b, 0, cv, 0, m, k, n, accumulate);
        ScalarMatMul.gemm(a, 0, b, 0, cs, 0, m, k, n, accumulate);
        double[] ref = oracle(a, b, m, k, n);
        for (int i = 0; i < cv.length; i++) {
            double expect = ref[i] + (accumulate ? init[i] : 0);
            double tol = 1e-5 * (k + 1);
            assertThat((double) Math.abs(cv[i] - cs[i])).as("vector vs scalar at %d", i).isLessThanOrEqualTo(tol);
            assertThat(Math.abs(cv[i] - expect)).as("vector vs oracle at %d", i).isLessThanOrEqualTo(tol);
        }
    }

    /** Exercises the packed-panel path with k blocking (k > 256) and ragged column tails. */
    @Property(tries = 15, seed = "20261125")
    void deepInnerDimensionMatchesOracle(@ForAll @IntRange(min = 6, max = 19) int m,
                                         @ForAll @IntRange(min = 200, max = 600) int k,
                                         @ForAll @IntRange(min = 30, max = 70) int n,
                                         @ForAll @LongRange(min = 0, max = 1000) long seed, @ForAll boolean accumulate) {
        vectorMatchesScalar(m, k, n, seed, accumulate);
    }

    @Property(tries = 40, seed = "20261125")
    void batchedTensorMatmulAgrees(@ForAll @IntRange(min = 1, max = 4) int batch, @ForAll @IntRange(min = 1, max = 33) int m,
                                   @ForAll @IntRange(min = 1, max = 33) int k, @ForAll @IntRange(min = 1, max = 41) int n,
                                   @ForAll @LongRange(min = 0, max = 1000) long seed) {
        Tensor a = Tensor.random(seed, batch, m, k);
        Tensor b = Tensor.random(seed + 7, batch, k, n);
        Tensor v = a.matmul(b, ComputeBackend.VECTOR);
        Tensor s = a.matmul(b, ComputeBackend.SCALAR);
        assertThat(v.shape()).containsExactly(batch, m, n);
        assertThat(v.allClose(s, 1e-5f * (k + 1))).isTrue();
        for (int bi = 0; bi < batch; bi++) {
            Tensor one = a.slice(0, bi, bi + 1).reshape(m, k).matmul(b.slice(0, bi, bi + 1).reshape(k, n), ComputeBackend.SCALAR);
            assertThat(v.slice(0, bi, bi + 1).reshape(m, n).allClose(one, 1e-5f * (k + 1))).isTrue();
        }
    }

    @Property(tries = 20, seed = "20261125")
    void offsetsAreRespected(@ForAll @IntRange(min = 1, max = 20) int m, @ForAll @IntRange(min = 1, max = 20) int n,
                             @ForAll @LongRange(min = 0, max = 1000) long seed) {
        int k = 5;
        float[] a = Tensor.random(seed, 3 + m * k).data();
        float[] b = Tensor.random(seed + 1, 2 + k * n).data();
        float[] cv = new float[4 + m * n];
        float[] cs = new float[4 + m * n];
        VectorMatMul.gemm(a, 3, b, 2, cv, 4, m, k, n, false);
        ScalarMatMul.gemm(a, 3, b, 2, cs, 4, m, k, n, false);
        assertThat(cv[0]).isZero();
        for (int i = 0; i < cv.length; i++) {
            assertThat(cv[i]).isCloseTo(cs[i], org.assertj.core.api.Assertions.within(1e-5f));
        }
    }
}
