package dev.helix.nexus.ml;

/**
 * Scalar activation functions and their derivatives, shared by {@link Tensor} and the activation
 * layer. GELU uses the tanh approximation of Hendrycks &amp; Gimpel (2016). O(1) each; stateless,
 * thread-safe.
 */
public final class Activations {
    private static final double C = Math.sqrt(2 / Math.PI);

    private Activations() {
    }

    /** Stable logistic sigmoid. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** GELU(x) = 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))). */
    public static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x * x * x)));
    }

    /** d GELU / dx for the tanh approximation. */
    public static double geluGrad(double x) {
        double u = C * (x + 0.044715 * x * x * x);
        double t = Math.tanh(u);
        double du = C * (1 + 3 * 0.044715 * x * x);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
    }
}
