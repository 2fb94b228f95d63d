package dev.helix.nexus.detect.anomaly;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcaPotDetectorTest {

    /** Three correlated metrics (the second follows the first) and one independent, on a [0, 1]-like scale. */
    private static double[] row(SplittableRandom r, boolean broken, double shift) {
        double x = 0.5 + 0.1 * r.nextGaussian();
        double y = broken ? 1 - x : x + 0.01 * r.nextGaussian();
        return new double[] {x, y, 0.3 + 0.05 * r.nextGaussian() + shift, 0.2 + 0.1 * r.nextGaussian()};
    }

    private static double[][] rows(SplittableRandom r, int n) {
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = row(r, false, 0);
        }
        return a;
    }

    private static PcaPotDetector.Config small(int baseline) {
        return new PcaPotDetector.Config(4, 0.9, 5, baseline, 5, 0.98, 1e-2);
    }

    @Test
    void flagsACorrelationBreakAndRarelyAlarmsOnFreshNormalRows() {
        SplittableRandom r = new SplittableRandom(1);
        PcaPotDetector d = new PcaPotDetector(small(500));
        d.fit(rows(r, 5000));
        assertThat(d.isWarmingUp()).isFalse();
        assertThat(d.threshold()).isPositive();
        int normalAlarms = 0;
        for (int i = 0; i < 5000; i++) {
            d.update(row(r, false, 0));
            normalAlarms += d.isAnomalous() ? 1 : 0;
        }
        // risk q = 1e-2 per row on data like the training data; smoothing makes alarms come in short runs
        assertThat(normalAlarms).isLessThan(5000 * 3 / 100);
        int hits = 0;
        for (int i = 0; i < 50; i++) {
            double s = d.update(row(r, true, 0));
            if (d.isAnomalous()) {
                hits++;
                assertThat(s).isGreaterThan(0.5).isLessThan(1.0);
            }
        }
        // everything after the 5-row smoothing window has filled is flagged
        assertThat(hits).isGreaterThanOrEqualTo(45);
    }

    @Test
    void lastingLevelShiftAlarmsFarLessOnceTheTrailingMedianHasCaughtUp() {
        SplittableRandom r = new SplittableRandom(2);
        double[][] train = rows(r, 4000);
        PcaPotDetector adaptive = new PcaPotDetector(small(400));
        PcaPotDetector fixedLevel = new PcaPotDetector(small(0));
        adaptive.fit(train);
        fixedLevel.fit(train);
        int lateAdaptive = 0;
        int lateFixed = 0;
        for (int i = 0; i < 2000; i++) {
            double[] x = row(r, false, 0.2); // the third metric moves up by 4 of its σ for good
            adaptive.update(x);
            fixedLevel.update(x);
            if (i >= 1000) {
                lateAdaptive += adaptive.isAnomalous() ? 1 : 0;
                lateFixed += fixedLevel.isAnomalous() ? 1 : 0;
            }
        }
        assertThat(lateFixed).as("without the trailing median the shift alarms forever").isEqualTo(1000);
        // the median removes the new level; the larger spread of Q around it (a squared residual) still alarms
        // sometimes, see the class comment
        assertThat(lateAdaptive).as("with it the shift mostly becomes the new normal").isLessThan(lateFixed / 3);
    }

    @Test
    void nonFiniteSampleIsIgnoredWithoutTouchingState() {
        SplittableRandom r = new SplittableRandom(3);
        double[][] train = rows(r, 2000);
        double[][] test = rows(r, 300);
        PcaPotDetector a = new PcaPotDetector(small(100));
        PcaPotDetector b = new PcaPotDetector(small(100));
        a.fit(train);
        b.fit(train);
        for (int i = 0; i < test.length; i++) {
            if (i == 150) {
                assertThat(b.update(new double[] {Double.NaN, 0, 0, 0})).isZero();
                assertThat(b.isAnomalous()).isFalse();
                assertThat(b.update(new double[] {0, Double.POSITIVE_INFINITY, 0, 0})).isZero();
            }
            assertThat(b.update(test[i])).isEqualTo(a.update(test[i]));
        }
    }

    @Test
    void constantColumnsAndNonFiniteTrainingRowsAreHandled() {
        SplittableRandom r = new SplittableRandom(4);
        double[][] train = new double[1000][];
        for (int i = 0; i < train.length; i++) {
            train[i] = new double[] {0.5 + 0.1 * r.nextGaussian(), 0.0, 1.0, 0.2 * r.nextDouble()};
        }
        train[10] = new double[] {Double.NaN, 0, 1, 0};
        PcaPotDetector d = new PcaPotDetector(small(200));
        d.fit(train);
        assertThat(d.threshold()).isFinite().isPositive();
        double s = d.update(new double[] {0.5, 0.0, 1.0, 0.1});
        assertThat(s).isBetween(0.0, 1.0);
        d.update(new double[] {0.5, 0.9, 1.0, 0.1}); // a constant metric moves
        for (int i = 0; i < 4; i++) {
            d.update(new double[] {0.5, 0.9, 1.0, 0.1});
        }
        assertThat(d.isAnomalous()).isTrue();
    }

    @Test
    void scoreIsMonotoneInTheStatisticAndHalfAtTheThreshold() {
        SplittableRandom r = new SplittableRandom(5);
        PcaPotDetector d = new PcaPotDetector(small(300));
        d.fit(rows(r, 3000));
        for (int i = 0; i < 2000; i++) {
            double s = d.update(row(r, i % 97 < 3, 0));
            assertThat(s).isBetween(0.0, 1.0);
            assertThat(s > 0.5).isEqualTo(d.isAnomalous());
        }
    }

    @Test
    void fitIsDeterministic() {
        double[][] train = rows(new SplittableRandom(6), 3000);
        double[][] test = rows(new SplittableRandom(7), 500);
        PcaPotDetector a = new PcaPotDetector(4);
        PcaPotDetector b = new PcaPotDetector(4);
        a.fit(train);
        b.fit(train);
        assertThat(a.threshold()).isEqualTo(b.threshold());
        for (double[] x : test) {
            assertThat(a.update(x)).isEqualTo(b.update(x));
        }
    }

    @Test
    void badInputGetsClearErrors() {
        PcaPotDetector d = new PcaPotDetector(small(10));
        assertThat(d.isWarmingUp()).isTrue();
        assertThat(d.update(new double[] {1, 2, 3, 4})).isZero();
        assertThatThrownBy(() -> d.fit(new double[][] {{1, 2, 3, 4}, {1, 2, 3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("training row 1 has 3 values");
        assertThatThrownBy(() -> d.fit(rows(new SplittableRandom(8), 9)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 10 finite");
        assertThatThrownBy(() -> d.update(new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expects 4 values");
        assertThatThrownBy(() -> new PcaPotDetector.Config(4, 0.9, 0, 10, 5, 0.98, 1e-2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PcaPotDetector.Config(4, 0.9, 5, 10, 5, 0.98, 0.05))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("risk");
    }

    @Test
    void resetForgetsTheModel() {
        PcaPotDetector d = new PcaPotDetector(small(50));
        d.fit(rows(new SplittableRandom(9), 1000));
        d.reset();
        assertThat(d.isWarmingUp()).isTrue();
        assertThat(d.threshold()).isNaN();
        assertThat(d.update(new double[] {0.5, 0.5, 0.3, 0.2})).isZero();
    }
}
