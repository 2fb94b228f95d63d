package dev.helix.nexus.ml.internal;

/**
 * Reference scalar GEMM kernel: {@code C[m,n] (+)= A[m,k] * B[k,n]} on row-major arrays.
 *
 * <p>Classic i-k-j loop order (row of A broadcast against rows of B) so the inner loop streams
 * contiguous memory. Accumulation is in {@code float}. Complexity O(m*k*n). Stateless and
 * thread-safe as long as callers do not share the output array.
 */
public final class ScalarMatMul {
    private ScalarMatMul() {
    }

    /**
     * Computes {@code C = A*B} (or {@code C += A*B} when {@code accumulate}).
     *
     * @param a left operand, row-major {@code m x k} starting at {@code aOff}
     * @param b right operand, row-major {@code k x n} starting at {@code bOff}
     * @param c output, row-major {@code m x n} starting at {@code cOff}
     */
    public static void gemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                            int m, int k, int n, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * n;
            if (!accumulate) {
                java.util.Arrays.fill(c, cRow, cRow + n, 0f);
            }
            int aRow = aOff + i * k;
            for (int p = 0; p < k; p++) {
                float av = a[aRow + p];
                if (av == 0f) {
                    continue;
                }
                int bRow = bOff + p * n;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += av * b[bRow + j];
                }
            }
        }
    }
}
