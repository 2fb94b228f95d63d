package dev.helix.nexus.detect.anomaly;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PotThresholdTest {

    private static double[] sample(int n, long seed, java.util.function.DoubleUnaryOperator inverseSurvival) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = inverseSurvival.applyAsDouble(1 - r.nextDouble()); // uniform in (0, 1]
        }
        return x;
    }

    @Test
    void exponentialTailQuantileMatchesTheClosedForm() {
        // Exp(rate 2): P(X > x) = exp(-2x), so the (1 - q) quantile is -ln(q) / 2
        double[] x = sample(200_000, 7, u -> -Math.log(u) / 2);
        for (double q : new double[] {1e-3, 1e-4}) {
            PotThreshold p = PotThreshold.fit(x, 0.98, q);
            assertThat(p.threshold()).as("q=%s", q).isCloseTo(-Math.log(q) / 2, within(0.1));
            assertThat(p.shape()).isCloseTo(0.0, within(0.05));
            // memorylessness: the excesses over t are Exp(2) again, so σ ≈ 1/2
            assertThat(p.scale()).isCloseTo(0.5, within(0.03));
            assertThat(p.peaks()).isCloseTo(4_000, within(5));
            assertThat(p.n()).isEqualTo(200_000);
        }
    }

    @Test
    void heavyParetoTailQuantileBeyondTheSampleIsExtrapolated() {
        // GPD with γ = 0.25, σ = 1: survival (1 + γx)^(-4), quantile (q^(-γ) - 1) / γ
        double gamma = 0.25;
        double[] x = sample(100_000, 11, u -> (Math.pow(u, -gamma) - 1) / gamma);
        double q = 1e-6; // 10x rarer than the rarest expected sample
        double exact = (Math.pow(q, -gamma) - 1) / gamma;
        PotThreshold p = PotThreshold.fit(x, 0.98, q);
        assertThat(p.shape()).isCloseTo(gamma, within(0.06));
        assertThat(p.threshold()).isCloseTo(exact, within(0.2 * exact));
    }

    @Test
    void boundedUniformTailStaysInsideTheSupport() {
        // U(0,1): GPD shape -1 above any threshold; the (1 - q) quantile is 1 - q
        double[] x = sample(100_000, 3, u -> 1 - u);
        PotThreshold p = PotThreshold.fit(x, 0.98, 1e-3);
        assertThat(p.shape()).isCloseTo(-1.0, within(0.15)); // 2,000 peaks: PWM's spread over seeds is about 0.06
        assertThat(p.threshold()).isCloseTo(0.999, within(2e-3)).isLessThanOrEqualTo(1.0 + 1e-3);
    }

    @Test
    void riskBelowTheTiedMassFallsBackToTheEmpiricalQuantile() {
        // 900 ties at 0 and 100 distinct peaks 1..100: t = 0, N_t = 100, so q·n = 200 >= N_t is not in the tail
        double[] x = new double[1000];
        for (int i = 0; i < 100; i++) {
            x[900 + i] = i + 1;
        }
        PotThreshold p = PotThreshold.fit(x, 0.5, 0.2);
        assertThat(p.peaks()).isEqualTo(100);
        assertThat(p.threshold()).isEqualTo(0.0);
        // a risk inside the modelled tail uses the model: above t, below the extreme
        PotThreshold tail = PotThreshold.fit(x, 0.5, 0.05);
        assertThat(tail.threshold()).isBetween(40.0, 60.0);
    }

    @Test
    void tooFewPeaksGiveTheLargestCalibrationScore() {
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, Double.NaN, Double.POSITIVE_INFINITY};
        PotThreshold p = PotThreshold.fit(x, 0.9, 0.01);
        assertThat(p.peaks()).isLessThan(PotThreshold.MIN_PEAKS);
        assertThat(p.n()).as("non-finite scores are ignored").isEqualTo(10);
        assertThat(p.threshold()).isEqualTo(10.0);
    }

    @Test
    void constantScoresGiveTheirValue() {
        double[] x = new double[500];
        java.util.Arrays.fill(x, 0.25);
        assertThat(PotThreshold.fit(x, 0.98, 1e-3).threshold()).isEqualTo(0.25);
    }

    @Test
    void rejectsBadParametersAndEmptyInput() {
        double[] x = {1, 2, 3};
        assertThatThrownBy(() -> PotThreshold.fit(x, 1.0, 1e-3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("level");
        assertThatThrownBy(() -> PotThreshold.fit(x, 0.98, 0.05)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("risk");
        assertThatThrownBy(() -> PotThreshold.fit(new double[] {Double.NaN, 1}, 0.98, 1e-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 finite");
    }
}
