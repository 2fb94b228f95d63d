package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.ml.internal.VectorMatMul;
import org.junit.jupiter.api.Test;

/**
 * The vector kernel performs, per output element, one fused multiply-add per k in increasing k order
 * starting from 0 (or from C when accumulating), so it must be <em>bit-identical</em> to a scalar
 * {@link Math#fma} loop in the same order. Covers the unpacked narrow-output path ({@code rows4} →
 * {@code block4x2}/{@code block4Masked}, {@code rows1}) that is used for n &lt; 2L columns or fewer than
 * 6 rows, plus the packed path around it.
 */
class NarrowGemmTest {
    private static float[] fmaReference(float[] a, float[] b, float[] init, int m, int k, int n, boolean acc) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = acc ? init[i * n + j] : 0f;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[i * k + p], b[p * n + j], s);
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @Test
    void narrowAndEdgeShapesAreBitIdenticalToScalarFma() {
        int l = VectorMatMul.lanes();
        int[] ns = {1, 2, l - 1, l, l + 1, 2 * l - 1, 2 * l, 2 * l + 1, 2 * l + l / 2, 3 * l, 4 * l + 3};
        int[] ms = {1, 3, 4, 5, 6, 7, 9, 13, 32};
        int[] ks = {1, 7, 64, 300};
        long seed = 1;
        for (int m : ms) {
            for (int k : ks) {
                for (int n : ns) {
                    if (n < 1) {
                        continue;
                    }
                    for (boolean acc : new boolean[] {false, true}) {
                        seed++;
                        float[] a = Tensor.random(seed, m, k).data();
                        float[] b = Tensor.random(seed + 7, k, n).data();
                        float[] init = Tensor.random(seed + 13, m, n).data();
                        float[] c = init.clone();
                        VectorMatMul.gemm(a, 0, b, 0, c, 0, m, k, n, acc);
                        assertThat(c).as("m=%d k=%d n=%d acc=%s", m, k, n, acc)
                                .containsExactly(fmaReference(a, b, init, m, k, n, acc));
                    }
                }
            }
        }
    }
}
