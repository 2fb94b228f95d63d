package dev.helix.nexus.ml.internal;

/** Small row-major array helpers used by layer kernels. Stateless, thread-safe. */
public final class Mat {
    private Mat() {
    }

    /** Returns the {@code cols x rows} transpose of a row-major {@code rows x cols} block at {@code off}. */
    public static float[] transpose(float[] src, int off, int rows, int cols) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = src[off + r * cols + c];
            }
        }
        return out;
    }

    /** Adds {@code src[0..n)} into {@code dst[off..off+n)}. */
    public static void addInto(float[] dst, int off, float[] src, int n) {
        for (int i = 0; i < n; i++) {
            dst[off + i] += src[i];
        }
    }
}
