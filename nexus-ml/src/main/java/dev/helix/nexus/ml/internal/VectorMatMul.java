package dev.helix.nexus.ml.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked SIMD GEMM kernel on the JDK Vector API: {@code C[m,n] (+)= A[m,k] * B[k,n]}.
 *
 * <p>Goto/BLIS-style outer-product formulation (Goto &amp; van de Geijn 2008): for every panel of
 * {@code 2L} columns of B ({@code L = SPECIES_PREFERRED.length()}), the panel is packed into a
 * contiguous {@code KC x 2L} buffer (k is blocked by {@code KC = 256}; all panels of a k block are
 * packed once into a per-thread buffer and rows of A are visited in blocks of {@code MC = 48}),
 * then a 6-row by 2-vector tile of C (12 accumulator registers) is kept in registers across the whole k loop; each step broadcasts one element of A per row and
 * issues fused multiply-adds against two sequential panel loads. Edges are handled by 1-row tiles,
 * an unpacked 4-row tile and a masked vector tail for columns not divisible by {@code 2L}; small
 * matrices (fewer than 6 rows) skip packing. Complexity
 * O(m*k*n). Thread-safe (the packing buffer is thread-local) as long as callers do not share the
 * output array.
 */
public final class VectorMatMul {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Depth of a packed B panel, chosen so a {@code KC x 2L} panel stays L1/L2 resident. */
    private static final int KC = 256;
    /** Rows of A processed against every packed panel before moving on (keeps the A block in L1/L2). */
    private static final int MC = 48;
    private static final ThreadLocal<float[]> PACK = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] buffer(int size) {
        float[] buf = PACK.get();
        if (buf.length < size) {
            buf = new float[size];
            PACK.set(buf);
        }
        return buf;
    }

    private VectorMatMul() {
    }

    /** Vector length in floats of the preferred species on this machine. */
    public static int lanes() {
        return L;
    }

    /** See {@link ScalarMatMul#gemm}; same contract, SIMD implementation. */
    public static void gemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                            int m, int k, int n, boolean accumulate) {
        int w = 2 * L;
        int jFull = m >= 6 ? n - n % w : 0;
        if (jFull > 0) {
            int panels = jFull / w;
            int kcMax = Math.min(k, KC);
            float[] packed = buffer(kcMax * jFull);
            for (int kk = 0; kk < k; kk += KC) {
                int kc = Math.min(KC, k - kk);
                boolean acc = accumulate || kk > 0;
                for (int q = 0; q < panels; q++) {
                    int dst = q * kc * w;
                    for (int p = 0, src = bOff + kk * n + q * w; p < kc; p++, src += n, dst += w) {
                        System.arraycopy(b, src, packed, dst, w);
                    }
                }
                for (int ib = 0; ib < m; ib += MC) {
                    int ie = Math.min(m, ib + MC);
                    for (int q = 0; q < panels; q++) {
                        int po = q * kc * w, j = q * w;
                        int i = ib;
                        for (; i + 6 <= ie; i += 6) {
                            tile6(a, aOff + i * k + kk, k, packed, po, c, cOff + i * n + j, kc, n, acc);
                        }
                        for (; i < ie; i++) {
                            tile1(a, aOff + i * k + kk, packed, po, c, cOff + i * n + j, kc, acc);
                        }
                    }
                }
            }
        }
        if (jFull < n) {
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                rows4(a, aOff + i * k, b, bOff, c, cOff + i * n, k, n, jFull, accumulate);
            }
            for (; i < m; i++) {
                rows1(a, aOff + i * k, b, bOff, c, cOff + i * n, k, n, jFull, accumulate);
            }
        }
    }

    /** 6 x 2L register tile over a packed B panel ({@code k x 2L}, contiguous). */
    private static void tile6(float[] a, int a0, int lda, float[] panel, int po, float[] c, int c0, int k, int n,
                              boolean acc) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        int c1 = c0 + n, c2 = c1 + n, c3 = c2 + n, c4 = c3 + n, c5 = c4 + n;
        FloatVector s00, s01, s10, s11, s20, s21, s30, s31, s40, s41, s50, s51;
        if (acc) {
            s00 = FloatVector.fromArray(S, c, c0); s01 = FloatVector.fromArray(S, c, c0 + L);
            s10 = FloatVector.fromArray(S, c, c1); s11 = FloatVector.fromArray(S, c, c1 + L);
            s20 = FloatVector.fromArray(S, c, c2); s21 = FloatVector.fromArray(S, c, c2 + L);
            s30 = FloatVector.fromArray(S, c, c3); s31 = FloatVector.fromArray(S, c, c3 + L);
            s40 = FloatVector.fromArray(S, c, c4); s41 = FloatVector.fromArray(S, c, c4 + L);
            s50 = FloatVector.fromArray(S, c, c5); s51 = FloatVector.fromArray(S, c, c5 + L);
        } else {
            s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = s40 = s41 = s50 = s51 = FloatVector.zero(S);
        }
        for (int p = 0, bp = po; p < k; p++, bp += 2 * L) {
            FloatVector b0 = FloatVector.fromArray(S, panel, bp);
            FloatVector b1 = FloatVector.fromArray(S, panel, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x.fma(b0, s00); s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            s10 = x.fma(b0, s10); s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            s20 = x.fma(b0, s20); s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            s30 = x.fma(b0, s30); s31 = x.fma(b1, s31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            s40 = x.fma(b0, s40); s41 = x.fma(b1, s41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            s50 = x.fma(b0, s50); s51 = x.fma(b1, s51);
        }
        s00.intoArray(c, c0); s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + L);
        s40.intoArray(c, c4); s41.intoArray(c, c4 + L);
        s50.intoArray(c, c5); s51.intoArray(c, c5 + L);
    }

    /** 1 x 2L tile over a packed B panel. */
    private static void tile1(float[] a, int a0, float[] panel, int po, float[] c, int c0, int k, boolean acc) {
        FloatVector s0 = acc ? FloatVector.fromArray(S, c, c0) : FloatVector.zero(S);
        FloatVector s1 = acc ? FloatVector.fromArray(S, c, c0 + L) : FloatVector.zero(S);
        for (int p = 0, bp = po; p < k; p++, bp += 2 * L) {
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            s0 = x.fma(FloatVector.fromArray(S, panel, bp), s0);
            s1 = x.fma(FloatVector.fromArray(S, panel, bp + L), s1);
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + L);
    }

    /**
     * Unpacked 4-row strip of C from column {@code jStart} to {@code n}: full {@code 2L}-wide blocks, then
     * a masked tail. Deliberately only a loop of calls: the vector code lives in {@link #block4x2} and
     * {@link #block4Masked}, each small enough for C1's linear-scan register allocator. (As one 869-byte
     * method, C1 failed with "out of virtual registers in linear scan"; the method then stayed in
     * non-intrinsified C1 code, where every vector op allocates.) Same arithmetic, same order as before.
     */
    private static void rows4(float[] a, int a0, float[] b, int bOff, float[] c, int c0,
                              int k, int n, int jStart, boolean acc) {
        int j = jStart;
        for (; j + 2 * L <= n; j += 2 * L) {
            block4x2(a, a0, b, bOff + j, c, c0 + j, k, n, acc);
        }
        for (; j < n; j += L) {
            block4Masked(a, a0, b, bOff + j, c, c0 + j, k, n, n - j, acc);
        }
    }

    /** 4 x 2L block of C at {@code c[c0..]} (row stride {@code n}) from rows of A at {@code a0} (stride k). */
    private static void block4x2(float[] a, int a0, float[] b, int b0, float[] c, int c0,
                                 int k, int n, boolean acc) {
        int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        int c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        FloatVector s00, s01, s10, s11, s20, s21, s30, s31;
        if (acc) {
            s00 = FloatVector.fromArray(S, c, c0); s01 = FloatVector.fromArray(S, c, c0 + L);
            s10 = FloatVector.fromArray(S, c, c1); s11 = FloatVector.fromArray(S, c, c1 + L);
            s20 = FloatVector.fromArray(S, c, c2); s21 = FloatVector.fromArray(S, c, c2 + L);
            s30 = FloatVector.fromArray(S, c, c3); s31 = FloatVector.fromArray(S, c, c3 + L);
        } else {
            s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = FloatVector.zero(S);
        }
        for (int p = 0, bp = b0; p < k; p++, bp += n) {
            FloatVector v0 = FloatVector.fromArray(S, b, bp);
            FloatVector v1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x.fma(v0, s00); s01 = x.fma(v1, s01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            s10 = x.fma(v0, s10); s11 = x.fma(v1, s11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            s20 = x.fma(v0, s20); s21 = x.fma(v1, s21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            s30 = x.fma(v0, s30); s31 = x.fma(v1, s31);
        }
        s00.intoArray(c, c0); s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1); s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2); s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3); s31.intoArray(c, c3 + L);
    }

    /** 4 x min(L, width) block of C, masked to the first {@code width} columns. */
    private static void block4Masked(float[] a, int a0, float[] b, int b0, float[] c, int c0,
                                     int k, int n, int width, boolean acc) {
        var mask = S.indexInRange(0, width);
        int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        int c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        FloatVector s0, s1, s2, s3;
        if (acc) {
            s0 = FloatVector.fromArray(S, c, c0, mask); s1 = FloatVector.fromArray(S, c, c1, mask);
            s2 = FloatVector.fromArray(S, c, c2, mask); s3 = FloatVector.fromArray(S, c, c3, mask);
        } else {
            s0 = s1 = s2 = s3 = FloatVector.zero(S);
        }
        for (int p = 0, bp = b0; p < k; p++, bp += n) {
            FloatVector bv = FloatVector.fromArray(S, b, bp, mask);
            s0 = FloatVector.broadcast(S, a[a0 + p]).fma(bv, s0);
            s1 = FloatVector.broadcast(S, a[a1 + p]).fma(bv, s1);
            s2 = FloatVector.broadcast(S, a[a2 + p]).fma(bv, s2);
            s3 = FloatVector.broadcast(S, a[a3 + p]).fma(bv, s3);
        }
        s0.intoArray(c, c0, mask); s1.intoArray(c, c1, mask);
        s2.intoArray(c, c2, mask); s3.intoArray(c, c3, mask);
    }

    private static void rows1(float[] a, int a0, float[] b, int bOff, float[] c, int c0,
                              int k, int n, int jStart, boolean acc) {
        for (int j = jStart; j < n; j += L) {
            var mask = S.indexInRange(j, n);
            FloatVector s0 = acc ? FloatVector.fromArray(S, c, c0 + j, mask) : FloatVector.zero(S);
            int bp = bOff + j;
            for (int p = 0; p < k; p++, bp += n) {
                s0 = FloatVector.broadcast(S, a[a0 + p]).fma(FloatVector.fromArray(S, b, bp, mask), s0);
            }
            s0.intoArray(c, c0 + j, mask);
        }
    }
}
