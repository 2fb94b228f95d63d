package dev.helix.nexus.ml;

import java.util.Arrays;

/**
 * Thrown when tensor shapes are incompatible for an operation. The message always names the
 * operation and both offending shapes. Immutable and thread-safe.
 */
public final class ShapeMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception naming the operation and both shapes. */
    public ShapeMismatchException(String op, int[] left, int[] right, String detail) {
        super(op + ": incompatible shapes " + Arrays.toString(left) + " and " + Arrays.toString(right)
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
    }
}
