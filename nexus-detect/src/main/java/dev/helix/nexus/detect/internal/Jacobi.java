package dev.helix.nexus.detect.internal;

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (Golub &amp; Van Loan, Matrix Computations,
 * §8.5). O(n³) per sweep, converges quadratically; fine for covariance matrices of a few dozen metrics.
 * Stateless and thread-safe.
 */
public final class Jacobi {
    private Jacobi() {
    }

    /**
     * Decomposes symmetric {@code a} (n×n, row-major, destroyed). Returns eigenvalues sorted descending in
     * {@code values} and the matching unit eigenvectors as the <em>columns</em> of {@code vectors} (n×n row-major).
     */
    public static void decompose(double[] a, int n, double[] values, double[] vectors) {
        for (int i = 0; i < n * n; i++) {
            vectors[i] = 0;
        }
        for (int i = 0; i < n; i++) {
            vectors[i * n + i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p * n + q] * a[p * n + q];
                }
            }
            if (off < 1e-22) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (Math.abs(apq) < 1e-300) {
                        continue;
                    }
                    double app = a[p * n + p];
                    double aqq = a[q * n + q];
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k * n + p];
                        double akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p * n + k];
                        double aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = vectors[k * n + p];
                        double vkq = vectors[k * n + q];
                        vectors[k * n + p] = c * vkp - s * vkq;
                        vectors[k * n + q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        // sort descending (selection sort on columns)
        for (int i = 0; i < n; i++) {
            values[i] = a[i * n + i];
        }
        for (int i = 0; i < n; i++) {
            int best = i;
            for (int j = i + 1; j < n; j++) {
                if (values[j] > values[best]) {
                    best = j;
                }
            }
            if (best != i) {
                double tv = values[i];
                values[i] = values[best];
                values[best] = tv;
                for (int k = 0; k < n; k++) {
                    double tmp = vectors[k * n + i];
                    vectors[k * n + i] = vectors[k * n + best];
                    vectors[k * n + best] = tmp;
                }
            }
        }
    }
}
