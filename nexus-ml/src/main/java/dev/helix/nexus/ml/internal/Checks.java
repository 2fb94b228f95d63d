package dev.helix.nexus.ml.internal;

import dev.helix.nexus.ml.ShapeMismatchException;
import dev.helix.nexus.ml.Tensor;
import java.util.Arrays;

/** Argument-validation helpers for layers. Stateless, thread-safe. */
public final class Checks {
    private Checks() {
    }

    /** Requires {@code t.rank() == rank} and, where {@code dims[i] >= 0}, {@code t.dim(i) == dims[i]}. */
    public static void shape(String op, Tensor t, int... dims) {
        int[] s = t.shape();
        boolean ok = s.length == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] < 0 || dims[i] == s[i];
        }
        if (!ok) {
            throw new ShapeMismatchException(op, s, dims, "expected shape " + Arrays.toString(dims)
                    + " (-1 = any), got " + Arrays.toString(s));
        }
    }

    /** Requires both tensors to have identical shapes. */
    public static void same(String op, Tensor a, Tensor b) {
        if (!a.sameShape(b)) {
            throw new ShapeMismatchException(op, a.shape(), b.shape(), "shapes must be equal");
        }
    }

    /** Requires a cached forward input. */
    public static void forwarded(Object cache, String layer) {
        if (cache == null) {
            throw new IllegalStateException(layer + ".backward called before forward");
        }
    }
}
