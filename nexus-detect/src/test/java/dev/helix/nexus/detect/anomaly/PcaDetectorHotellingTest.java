package dev.helix.nexus.detect.anomaly;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Hotelling's T² as exposed by {@link PcaDetector#lastHotelling()}, checked against computations that do not go
 * through the eigen-decomposition: the squared Mahalanobis distance by Gaussian elimination (all components kept),
 * the exact training-row mean k·(n - 1)/n (any k), nesting in the kept variance, invariance to rescaling, and the
 * eigenvalue floor on rank-deficient data.
 */
class PcaDetectorHotellingTest {

    /** n rows of d correlated columns: x = A·g + b + small independent noise (full rank with probability 1). */
    private static double[][] correlated(long seed, int n, int d) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] a = new double[d][d];
        double[] b = new double[d];
        for (int i = 0; i < d; i++) {
            b[i] = r.nextDouble(-1, 1);
            for (int j = 0; j < d; j++) {
                a[i][j] = r.nextGaussian() * (j == 0 ? 2 : 1);
            }
        }
        double[][] x = new double[n][d];
        double[] g = new double[d];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < d; j++) {
                g[j] = r.nextGaussian();
            }
            for (int i = 0; i < d; i++) {
                double v = b[i] + 0.05 * r.nextGaussian();
                for (int j = 0; j < d; j++) {
                    v += a[i][j] * g[j];
                }
                x[t][i] = v;
            }
        }
        return x;
    }

    /** Squared Mahalanobis distance (x - μ)ᵀ S⁻¹ (x - μ), S with divisor n - 1, by Gaussian elimination. */
    private static double mahalanobis(double[][] train, double[] x) {
        int n = train.length;
        int d = x.length;
        double[] mu = new double[d];
        for (double[] row : train) {
            for (int j = 0; j < d; j++) {
                mu[j] += row[j] / n;
            }
        }
        double[][] m = new double[d][d + 1];
        for (double[] row : train) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    m[i][j] += (row[i] - mu[i]) * (row[j] - mu[j]) / (n - 1);
                }
            }
        }
        for (int i = 0; i < d; i++) {
            m[i][d] = x[i] - mu[i];
        }
        for (int c = 0; c < d; c++) {
            int p = c;
            for (int i = c + 1; i < d; i++) {
                if (Math.abs(m[i][c]) > Math.abs(m[p][c])) {
                    p = i;
                }
            }
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            for (int i = c + 1; i < d; i++) {
                double f = m[i][c] / m[c][c];
                for (int j = c; j <= d; j++) {
                    m[i][j] -= f * m[c][j];
                }
            }
        }
        double[] y = new double[d];
        for (int i = d - 1; i >= 0; i--) {
            double v = m[i][d];
            for (int j = i + 1; j < d; j++) {
                v -= m[i][j] * y[j];
            }
            y[i] = v / m[i][i];
        }
        double out = 0;
        for (int i = 0; i < d; i++) {
            out += (x[i] - mu[i]) * y[i];
        }
        return out;
    }

    private static double hotelling(PcaDetector p, double[] x) {
        p.update(x);
        return p.lastHotelling();
    }

    @Property(tries = 60)
    void withEveryComponentKeptTSquaredIsTheMahalanobisDistance(@ForAll @IntRange(min = 1, max = 7) int d,
                                                                @ForAll long seed,
                                                                @ForAll boolean standardise) {
        double[][] train = correlated(seed, 400, d);
        double[][] fresh = correlated(seed + 1, 20, d);
        PcaDetector p = new PcaDetector(d, 1.0, 0.995, standardise, true);
        p.fit(train);
        assertThat(p.components()).isEqualTo(d);
        for (double[] x : fresh) {
            double oracle = mahalanobis(train, x);
            assertThat(hotelling(p, x)).isCloseTo(oracle, within(1e-7 * Math.max(1, oracle)));
        }
    }

    @Property(tries = 60)
    void onTheTrainingRowsTSquaredAveragesExactlyKTimesNMinusOneOverN(
            @ForAll @IntRange(min = 2, max = 8) int d, @ForAll long seed,
            @ForAll @DoubleRange(min = 0.3, max = 0.99) double varianceKept) {
        int n = 300;
        double[][] train = correlated(seed, n, d);
        PcaDetector p = new PcaDetector(d, varianceKept, 0.995, false, true);
        p.fit(train);
        double sum = 0;
        for (double[] x : train) {
            sum += hotelling(p, x);
        }
        int k = p.components();
        // Σ_rows (p_c·z)² = (n - 1)·λ_c for every eigenpair of the sample covariance
        assertThat(sum / n).isCloseTo(k * (n - 1.0) / n, within(1e-8 * k));
    }

    @Property(tries = 40)
    void keepingMoreComponentsNeverLowersTSquared(@ForAll @IntRange(min = 2, max = 8) int d, @ForAll long seed) {
        double[][] train = correlated(seed, 300, d);
        double[][] fresh = correlated(seed + 7, 30, d);
        double[] variances = {0.5, 0.8, 0.95, 1.0};
        PcaDetector[] models = new PcaDetector[variances.length];
        for (int i = 0; i < variances.length; i++) {
            models[i] = new PcaDetector(d, variances[i], 0.995, false, true);
            models[i].fit(train);
        }
        for (double[] x : fresh) {
            double previous = 0;
            for (PcaDetector m : models) {
                double t2 = hotelling(m, x);
                assertThat(t2).isGreaterThanOrEqualTo(previous * (1 - 1e-12));
                previous = t2;
            }
        }
    }

    @Property(tries = 30)
    void rescalingTheDataLeavesTSquaredUnchanged(@ForAll @IntRange(min = 2, max = 6) int d, @ForAll long seed,
                                                @ForAll @DoubleRange(min = 0.5, max = 0.99) double varianceKept) {
        double[][] train = correlated(seed, 300, d);
        double[][] fresh = correlated(seed + 3, 20, d);
        double c = 1e4;
        PcaDetector plain = new PcaDetector(d, varianceKept, 0.995, false, true);
        PcaDetector scaled = new PcaDetector(d, varianceKept, 0.995, false, true);
        plain.fit(train);
        scaled.fit(times(train, c));
        assertThat(scaled.components()).isEqualTo(plain.components());
        for (double[] x : fresh) {
            double a = hotelling(plain, x);
            double b = hotelling(scaled, times(new double[][] {x}, c)[0]);
            assertThat(b).isCloseTo(a, within(1e-7 * Math.max(1, a)));
        }
    }

    private static double[][] times(double[][] x, double c) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] *= c;
            }
        }
        return out;
    }

    @Test
    void anExactlyCollinearColumnGetsAFlooredEigenvalueAndFiniteTSquared() {
        int n = 500;
        double[][] base = correlated(21, n, 3);
        double[][] train = new double[n][];
        for (int i = 0; i < n; i++) {
            train[i] = new double[] {base[i][0], base[i][1], base[i][2], base[i][0] + base[i][1]};
        }
        PcaDetector p = new PcaDetector(4, 1.0, 0.995, false, true);
        p.fit(train);
        // on these rows rounding leaves the cumulative share of the first three just below 1, so the null direction
        // is kept: the case the floor is for
        assertThat(p.components()).isEqualTo(4);
        double[] lambda = p.keptEigenvalues();
        double floor = 4 * Math.ulp(1.0) * lambda[0];
        for (double l : lambda) {
            assertThat(l).isGreaterThanOrEqualTo(floor).isPositive();
        }
        assertThat(lambda[3]).as("the null direction's rounding-level eigenvalue is floored").isEqualTo(floor);
        // a training row's squared Mahalanobis distance can never exceed (n - 1)²/n; the null direction adds ~0
        double max = 0;
        for (double[] x : train) {
            double t2 = hotelling(p, x);
            assertThat(t2).isFinite().isNotNegative();
            max = Math.max(max, t2);
        }
        assertThat(max).isLessThanOrEqualTo((n - 1.0) * (n - 1.0) / n);
        // breaking the collinearity moves the row along the (floored) null direction: enormous but finite
        double[] off = train[0].clone();
        off[3] += 0.5;
        double t2 = hotelling(p, off);
        assertThat(t2).isFinite().isGreaterThan(1e6 * max);
        assertThat(p.lastError()).as("nothing is left outside a full subspace").isLessThan(1e-20);
    }

    @Test
    void tSquaredSeesAMoveAlongTheCorrelationThatQDoesNot() {
        // y follows x; a large joint move of both keeps the correlation (Q stays small) but is far along it
        SplittableRandom r = new SplittableRandom(5);
        double[][] train = new double[2000][];
        for (int i = 0; i < train.length; i++) {
            double x = r.nextGaussian();
            train[i] = new double[] {x, x + 0.01 * r.nextGaussian(), 0.1 * r.nextGaussian()};
        }
        PcaDetector p = new PcaDetector(3, 0.9, 0.995, false, true);
        p.fit(train);
        assertThat(p.components()).isEqualTo(1);
        double inside = hotelling(p, new double[] {8, 8, 0});
        double q = p.lastError();
        assertThat(inside).isCloseTo(64, within(64 * 0.1)); // (8√2)² / (2·Var x) ≈ 64
        hotelling(p, new double[] {0, 0, 0.1});
        double normalQ = p.lastError();
        assertThat(q).isLessThan(normalQ * 1.01);
        assertThat(p.update(new double[] {8, 8, 0})).as("the chart alarms on T²").isGreaterThan(0.5);
    }

    @Test
    void beforeFittingAndAfterResetNothingIsExposed() {
        PcaDetector p = new PcaDetector(3, 0.9, 0.995, false, true);
        assertThat(p.keptEigenvalues()).isEmpty();
        assertThat(p.lastHotelling()).isZero();
        p.fit(correlated(3, 100, 3));
        hotelling(p, new double[] {5, 5, 5});
        assertThat(p.lastHotelling()).isPositive();
        p.reset();
        assertThat(p.lastHotelling()).isZero();
        assertThat(p.keptEigenvalues()).isEmpty();
    }
}
