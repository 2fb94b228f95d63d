package dev.helix.nexus.ml;

import dev.helix.nexus.ml.internal.ScalarMatMul;
import dev.helix.nexus.ml.internal.VectorMatMul;

/**
 * Selects the matrix-multiplication kernel: {@link #VECTOR} (register-blocked JDK Vector API
 * kernel) or {@link #SCALAR} (plain-loop reference). The process default is {@code VECTOR} unless
 * the system property {@code nexus.ml.backend=scalar} is set at class-initialisation time, or
 * {@link #setDefault(ComputeBackend)} is called.
 *
 * <p>Thread-safety: the default is a volatile field; kernels themselves are stateless.
 */
public enum ComputeBackend {
    /** SIMD kernel using {@code FloatVector.SPECIES_PREFERRED}. */
    VECTOR,
    /** Scalar reference kernel. */
    SCALAR;

    private static volatile ComputeBackend current =
            "scalar".equalsIgnoreCase(System.getProperty("nexus.ml.backend", "vector")) ? SCALAR : VECTOR;

    /** Current process-wide default backend. */
    public static ComputeBackend getDefault() {
        return current;
    }

    /** Changes the process-wide default backend. */
    public static void setDefault(ComputeBackend backend) {
        current = java.util.Objects.requireNonNull(backend, "backend");
    }

    /**
     * Row-major GEMM {@code C[m,n] (+)= A[m,k] * B[k,n]} with this backend.
     */
    public void gemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                     int m, int k, int n, boolean accumulate) {
        if (this == VECTOR) {
            VectorMatMul.gemm(a, aOff, b, bOff, c, cOff, m, k, n, accumulate);
        } else {
            ScalarMatMul.gemm(a, aOff, b, bOff, c, cOff, m, k, n, accumulate);
        }
    }
}
