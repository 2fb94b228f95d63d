package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.DetectorCatalog;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeasonalKnnDetectorTest {

    private static final int PERIOD = 48;

    /** History 1,024, estimate every 48 samples, window 48 / 24 = 2, tail 0.005, hold-off one cycle. */
    private static SeasonalKnnDetector small() {
        return new SeasonalKnnDetector("s", 1024, 4, 48, 0.5, 24, 1024, 0.005, PERIOD);
    }

    /** A noisy cycle of {@link #PERIOD} samples: a sine plus Gaussian noise of 5 % of its amplitude. */
    private static double[] cycle(int n, long seed) {
        Random r = new Random(seed);
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = 10 + 3 * Math.sin(2 * Math.PI * i / PERIOD) + 0.15 * r.nextGaussian();
        }
        return xs;
    }

    private static double[] run(Detector d, double[] xs) {
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = d.update(xs[i]);
        }
        return out;
    }

    @Test
    void estimatesTheKnownPeriodOfANoisySine() {
        SeasonalKnnDetector d = small();
        run(d, cycle(1000, 1));
        assertThat(d.period()).isEqualTo(PERIOD);
    }

    @Test
    void prefersTheFundamentalOverItsMultiples() {
        // a cycle of 30 samples whose every other cycle is slightly larger: lag 60 correlates a little better than
        // lag 30, but 30 is the first qualifying peak and is the period
        SeasonalKnnDetector d = new SeasonalKnnDetector("s", 1024, 4, 30, 0.5, 24, 1024, 0.005, 30);
        double[] xs = new double[900];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.sin(2 * Math.PI * i / 30) * ((i / 30) % 2 == 0 ? 1.0 : 1.1);
        }
        run(d, xs);
        assertThat(d.period()).isEqualTo(30);
    }

    @Test
    void noiseAndConstantsHaveNoPeriodAndScoreZero() {
        SeasonalKnnDetector noise = small();
        Random r = new Random(3);
        for (int i = 0; i < 1500; i++) {
            assertThat(noise.update(r.nextGaussian())).isZero();
        }
        assertThat(noise.period()).isZero();
        assertThat(noise.isWarmingUp()).isTrue();

        SeasonalKnnDetector constant = small();
        for (int i = 0; i < 1500; i++) {
            assertThat(constant.update(42.0)).isZero();
            assertThat(constant.isAnomalous()).isFalse();
        }
        assertThat(constant.period()).isZero();
    }

    @Test
    void aMissingCycleIsTheMostDistantStretchAndRaisesAnAlarm() {
        double[] xs = cycle(40 * PERIOD, 5);
        int from = 30 * PERIOD;
        int to = 31 * PERIOD;
        for (int i = from; i < to; i++) {
            xs[i] = 10; // the cycle's peak and trough are missing: every value stays inside the usual range
        }
        SeasonalKnnDetector d = small();
        double maxInside = 0;
        double maxOutside = 0;
        boolean alarmInside = false;
        for (int i = 0; i < xs.length; i++) {
            d.update(xs[i]);
            double dist = d.lastDistance();
            if (Double.isNaN(dist) || i < 6 * PERIOD) {
                continue;
            }
            if (i >= from && i < to + 2) {
                maxInside = Math.max(maxInside, dist);
                alarmInside |= d.isAnomalous();
            } else if (i < from || i >= to + PERIOD) { // the cycle after the gap is compared with the gap too
                maxOutside = Math.max(maxOutside, dist);
            }
        }
        assertThat(maxInside).isGreaterThan(3 * maxOutside);
        assertThat(alarmInside).isTrue();
    }

    @Test
    void scoreOfRowTDependsOnlyOnRowsUpToT() {
        double[] a = cycle(1500, 11);
        double[] b = a.clone();
        Random r = new Random(12);
        int t = 900;
        for (int i = t + 1; i < b.length; i++) {
            b[i] = 100 * r.nextGaussian();
        }
        double[] sa = run(small(), a);
        double[] sb = run(small(), b);
        for (int i = 0; i <= t; i++) {
            assertThat(sb[i]).as("row %d", i).isEqualTo(sa[i]);
        }
        assertThat(sb).isNotEqualTo(sa); // the different future did change later scores
    }

    @Test
    void isDeterministicAndResetRestoresTheInitialBehaviour() {
        double[] xs = cycle(1500, 21);
        xs[1200] = 30;
        SeasonalKnnDetector d = small();
        double[] first = run(d, xs);
        assertThat(run(small(), xs)).isEqualTo(first);
        d.reset();
        assertThat(d.isWarmingUp()).isTrue();
        assertThat(run(d, xs)).isEqualTo(first);
    }

    @Test
    void nonFiniteSamplesAreIgnored() {
        double[] xs = cycle(1200, 31);
        SeasonalKnnDetector clean = small();
        SeasonalKnnDetector dirty = small();
        for (int i = 0; i < xs.length; i++) {
            double expected = clean.update(xs[i]);
            if (i % 97 == 0) {
                assertThat(dirty.update(Double.NaN)).isZero();
                assertThat(dirty.update(Double.POSITIVE_INFINITY)).isZero();
                assertThat(dirty.isAnomalous()).isFalse();
            }
            assertThat(dirty.update(xs[i])).as("row %d", i).isEqualTo(expected);
        }
    }

    @Test
    void anAlarmSilencesTheHoldOff() {
        double[] xs = cycle(40 * PERIOD, 41);
        for (int i = 30 * PERIOD; i < 33 * PERIOD; i++) {
            xs[i] = 10;
        }
        SeasonalKnnDetector d = small();
        int last = Integer.MIN_VALUE / 2;
        for (int i = 0; i < xs.length; i++) {
            double s = d.update(xs[i]);
            if (d.isAnomalous()) {
                assertThat(i - last).as("alarm at %d after %d", i, last).isGreaterThan(PERIOD);
                assertThat(s).isGreaterThanOrEqualTo(d.alarmScore());
                last = i;
            }
        }
        assertThat(last).as("some alarm").isPositive();
    }

    @Test
    void alarmScoreIsTheScoreOfTheTailProbability() {
        // p <= 0.005 with a calibration of 8,640: ln(0.005) / ln(1 / 8,641)
        assertThat(SeasonalKnnDetector.alarmScore(0.005, 8640)).isCloseTo(0.58452, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(NabComplement.seasonal("x").alarmScore()).isEqualTo(NabComplement.seasonalAlarmScore());
        assertThat(DetectorCatalog.fixedThreshold("seasonal-knn")).isEqualTo(NabComplement.seasonalAlarmScore());
        assertThat(DetectorCatalog.learningNames()).contains("seasonal-knn", DetectorCatalog.NAB_DEFAULT);
        assertThat(DetectorCatalog.univariateNames()).doesNotContain("seasonal-knn", DetectorCatalog.NAB_DEFAULT);
    }

    @Test
    void rejectsParametersOutOfRangeByName() {
        assertThatThrownBy(() -> new SeasonalKnnDetector("s", 10, 4, 48, 0.5, 24, 100, 0.005, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("history");
        assertThatThrownBy(() -> new SeasonalKnnDetector("s", 1024, 4, 48, 1.0, 24, 100, 0.005, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minCorrelation");
        assertThatThrownBy(() -> new SeasonalKnnDetector("s", 1024, 4, 48, 0.5, 24, 100, 0.0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alarmTail");
        assertThatThrownBy(() -> new SeasonalKnnDetector("s", 1024, 4, 0, 0.5, 24, 100, 0.005, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("estimateEvery");
    }

    @Provide
    Arbitrary<List<Double>> streams() {
        Arbitrary<Double> any = Arbitraries.oneOf(
                Arbitraries.doubles().between(-1e308, 1e308),
                Arbitraries.doubles().between(-10, 10),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
                        Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE));
        return any.list().ofMinSize(1).ofMaxSize(800);
    }

    /** Whatever the input, including a periodic stream that turns extreme, the score is in [0, 1]. */
    @Property(tries = 40)
    void scoresAreAlwaysInUnitInterval(@ForAll("streams") List<Double> tail) {
        SeasonalKnnDetector d = new SeasonalKnnDetector("s", 256, 4, 16, 0.5, 8, 256, 0.005, 16);
        double[] head = cycle(300, 51);
        for (double x : head) {
            assertThat(d.update(x)).isBetween(0.0, 1.0);
        }
        for (double x : tail) {
            assertThat(d.update(x)).as("on %s", x).isBetween(0.0, 1.0);
        }
    }
}
