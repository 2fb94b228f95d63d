package dev.helix.nexus.ml.internal;

import dev.helix.nexus.ml.ShapeMismatchException;
import java.util.Arrays;

/** Shape arithmetic helpers (sizes, strides, NumPy broadcasting). Stateless, thread-safe. */
public final class Shapes {
    private Shapes() {
    }

    /** Number of elements of a shape; validates non-negative dims. */
    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape too large: " + Arrays.toString(shape));
            }
        }
        return (int) n;
    }

    /** Row-major strides. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** NumPy broadcast result shape, or throws naming both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new ShapeMismatchException(op, a, b, "not broadcastable at output axis " + i);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides of {@code shape} aligned to {@code outShape}, with 0 for broadcast axes. */
    public static int[] broadcastStrides(int[] shape, int[] outShape) {
        int[] st = strides(shape);
        int[] res = new int[outShape.length];
        int off = outShape.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            res[i + off] = shape[i] == 1 ? 0 : st[i];
        }
        return res;
    }

    /** Normalises a possibly negative axis. */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }
}
