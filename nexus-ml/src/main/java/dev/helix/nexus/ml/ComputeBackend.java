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
    /**
     * Row-parallel GEMM: same contract as {@link #gemm}, with the rows of {@code A}/{@code C} split
     * into up to {@code threads} contiguous blocks (block starts are multiples of 6, the kernel's
     * register-tile height) computed concurrently; the calling thread computes the first block and
     * the others run on a shared pool of daemon threads. Each block packs its own copy of B, so the
     * extra cost is O(threads*k*n) copying. {@code threads <= 1} or tiny problems run inline.
     * Results agree with {@link #gemm} up to float rounding of the kernel's edge paths. Thread-safe
     * as long as concurrent callers do not share the output array.
     */
    public void gemmParallel(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                             int m, int k, int n, boolean accumulate, int threads) {
        int blocks = Math.min(Math.max(1, threads), (m + 5) / 6);
        if (blocks <= 1 || (long) m * k * n < 32_768) {
            gemm(a, aOff, b, bOff, c, cOff, m, k, n, accumulate);
            return;
        }
        int rows = ((m + blocks - 1) / blocks + 5) / 6 * 6;
        java.util.List<java.util.concurrent.Future<?>> pending = new java.util.ArrayList<>(blocks - 1);
        for (int r = rows; r < m; r += rows) {
            final int r0 = r, mr = Math.min(rows, m - r);
            pending.add(ParallelPool.POOL.submit(() ->
                    gemm(a, aOff + r0 * k, b, bOff, c, cOff + r0 * n, mr, k, n, accumulate)));
        }
        gemm(a, aOff, b, bOff, c, cOff, Math.min(rows, m), k, n, accumulate);
        try {
            for (java.util.concurrent.Future<?> f : pending) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in gemmParallel", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("gemmParallel block failed", e.getCause());
        }
    }

    /** Lazily created pool of daemon worker threads for {@link #gemmParallel}. */
    private static final class ParallelPool {
        static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "nexus-ml-gemm");
            t.setDaemon(true);
            return t;
        });
    }
}
