package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Behaviour of the live per-series detector: calibrated verdicts on quantised, heavy-tailed and shifting series. */
class LiveSeriesDetectorTest {

    /**
     * Samples fed before the default detector's first verdict: 3 fill the median window, the next 300 deviations fill
     * the learning history (it stops warming up after the last of them).
     */
    private static final int LEARNING = 303;

    /** Student-t with {@code dof} degrees of freedom (heavy-tailed: only moments below dof exist). */
    private static double studentT(Random r, int dof) {
        double chi2 = 0;
        for (int i = 0; i < dof; i++) {
            double g = r.nextGaussian();
            chi2 += g * g;
        }
        return r.nextGaussian() / Math.sqrt(chi2 / dof);
    }

    @Test
    void aQuantisedCounterDoesNotAlarmOnItsOrdinaryValuesButDoesOnAFarLargerOne() {
        // mostly 0 (MAD = 0 in any window), sometimes 1..3: an errors-per-second counter
        LiveSeriesDetector d = new LiveSeriesDetector();
        Random r = new Random(7);
        int alarms = 0;
        for (int i = 0; i < 20_000; i++) {
            double x = r.nextDouble() < 0.97 ? 0 : 1 + r.nextInt(3);
            d.update(x);
            if (d.isAnomalous()) {
                alarms++;
            }
        }
        assertThat(alarms).as("alarms on the counter's ordinary values").isZero();
        d.update(60);
        assertThat(d.isAnomalous()).as("60 on a counter that was at most 3").isTrue();
        assertThat(d.lastTailProbability()).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void aCounterThatWasAlwaysZeroCannotCallItsFirstChangeRarerThanItsHistoryShows() {
        LiveSeriesDetector d = new LiveSeriesDetector();
        for (int i = 0; i < 1_000; i++) {
            d.update(0);
        }
        d.update(5);
        // 997 deviations, all 0: the conformal p-value of an unseen deviation is 1/(n + 1)
        assertThat(d.lastTailProbability()).isCloseTo(1.0 / 998, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(d.isAnomalous()).isFalse();
    }

    @Test
    void aLevelShiftAlarmsAtOnceThenBecomesTheNewNormal() {
        LiveSeriesDetector d = new LiveSeriesDetector();
        Random r = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            d.update(10 + r.nextGaussian());
        }
        List<Integer> alarmsAfterShift = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            d.update(30 + r.nextGaussian());
            if (d.isAnomalous()) {
                alarmsAfterShift.add(i);
            }
        }
        assertThat(alarmsAfterShift).as("samples after the shift that alarmed").startsWith(0)
                .hasSizeLessThanOrEqualTo(3) // the default re-learns after 3 consecutive alarms
                .allMatch(i -> i < 3);
    }

    @Test
    void aStationaryHeavyTailedSeriesHasNoBurstWhereLearningEndsAndAlarmsNearItsNominalRate() {
        int series = 200;
        int scored = 2_000;
        int early = 0;
        int total = 0;
        for (int s = 0; s < series; s++) {
            LiveSeriesDetector d = new LiveSeriesDetector();
            Random r = new Random(1000 + s);
            for (int i = 0; i < LEARNING + scored; i++) {
                d.update(5 + studentT(r, 3));
                if (i < LEARNING) {
                    assertThat(d.isWarmingUp()).isEqualTo(i < LEARNING - 1);
                    assertThat(d.isAnomalous()).isFalse();
                    continue;
                }
                assertThat(d.isWarmingUp()).isFalse();
                if (d.isAnomalous()) {
                    total++;
                    if (i < LEARNING + 100) {
                        early++;
                    }
                }
            }
        }
        // nominal 1e-5 per sample: 4 expected over 400,000 samples, 0.2 in the first 100 after learning
        assertThat(early).as("alarms in the first 100 scored samples of %d series", series).isLessThanOrEqualTo(2);
        assertThat(total).as("alarms over %d scored samples", series * scored).isLessThanOrEqualTo(40);
    }

    @Test
    void tailProbabilitiesAreCalibratedWhereTheHistoryCanTell() {
        // i.i.d. Gaussian: the share of samples with p <= q should be about q for q the history can resolve
        LiveSeriesDetector d = new LiveSeriesDetector();
        Random r = new Random(3);
        int n = 0;
        int below1 = 0;
        int below10 = 0;
        for (int i = 0; i < 200_000; i++) {
            d.update(r.nextGaussian());
            if (d.isWarmingUp()) {
                continue;
            }
            n++;
            double p = d.lastTailProbability();
            below10 += p <= 0.10 ? 1 : 0;
            below1 += p <= 0.01 ? 1 : 0;
        }
        assertThat((double) below10 / n).isBetween(0.08, 0.12);
        assertThat((double) below1 / n).isBetween(0.005, 0.015);
    }

    @Test
    void nanAndInfinityAreIgnoredAndLeaveTheStateUnchanged() {
        LiveSeriesDetector clean = new LiveSeriesDetector();
        LiveSeriesDetector dirty = new LiveSeriesDetector();
        Random r = new Random(5);
        for (int i = 0; i < 2_000; i++) {
            double x = r.nextGaussian() + (i % 500 == 499 ? 40 : 0);
            if (i % 7 == 0) {
                for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                    assertThat(dirty.update(bad)).isZero();
                    assertThat(dirty.isAnomalous()).isFalse();
                }
            }
            assertThat(dirty.update(x)).isEqualTo(clean.update(x));
            assertThat(dirty.isAnomalous()).isEqualTo(clean.isAnomalous());
        }
    }

    @Test
    void scoresStayInTheUnitIntervalAndAnOverflowingDeviationScoresOne() {
        LiveSeriesDetector d = new LiveSeriesDetector();
        Random r = new Random(9);
        for (int i = 0; i < 1_000; i++) {
            assertThat(d.update(-Double.MAX_VALUE / 2 + r.nextDouble())).isBetween(0.0, 1.0);
        }
        double s = d.update(Double.MAX_VALUE); // |x − median| overflows to +∞
        assertThat(s).isEqualTo(1.0);
        assertThat(d.isAnomalous()).isTrue();
        for (int i = 0; i < 1_000; i++) {
            double x = switch (i % 4) {
                case 0 -> Double.MAX_VALUE;
                case 1 -> -Double.MAX_VALUE;
                case 2 -> Double.MIN_VALUE;
                default -> r.nextGaussian() * 1e300;
            };
            assertThat(d.update(x)).isBetween(0.0, 1.0);
        }
    }

    @Test
    void theVerdictIsTheScoreAtOneHalfOnTheHostConsensusScale() {
        LiveSeriesDetector d = new LiveSeriesDetector();
        Random r = new Random(13);
        for (int i = 0; i < 5_000; i++) {
            double s = d.update(r.nextGaussian() + (i % 1000 == 999 ? 12 : 0));
            if (!d.isWarmingUp()) {
                assertThat(s).isEqualTo(HostConsensus.scoreOf(d.lastTailProbability()));
                assertThat(d.isAnomalous()).isEqualTo(d.lastTailProbability() <= 1e-5);
            }
        }
    }

    @Test
    void resetForgetsEverything() {
        LiveSeriesDetector d = new LiveSeriesDetector();
        Random r = new Random(2);
        for (int i = 0; i < 1_000; i++) {
            d.update(r.nextGaussian());
        }
        d.reset();
        assertThat(d.isWarmingUp()).isTrue();
        LiveSeriesDetector fresh = new LiveSeriesDetector();
        for (int i = 0; i < 1_000; i++) {
            double x = r.nextGaussian();
            assertThat(d.update(x)).isEqualTo(fresh.update(x));
        }
    }

    @Test
    void invalidParametersAreRejectedByName() {
        assertThatThrownBy(() -> new LiveSeriesDetector("x", 300, 3000, 300, 1, 10, 0.02, 1e-5, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relearn");
        assertThatThrownBy(() -> new LiveSeriesDetector("x", 2, 3000, 300, 3, 10, 0.02, 1e-5, 1))
                .hasMessageContaining("window");
        assertThatThrownBy(() -> new LiveSeriesDetector("x", 300, 100, 300, 3, 10, 0.02, 1e-5, 1))
                .hasMessageContaining("history");
        assertThatThrownBy(() -> new LiveSeriesDetector("x", 300, 3000, 5, 3, 10, 0.02, 1e-5, 1))
                .hasMessageContaining("learning");
        assertThatThrownBy(() -> new LiveSeriesDetector("x", 300, 3000, 300, 3, 2, 0.02, 1e-5, 1))
                .hasMessageContaining("minPeaks");
        assertThatThrownBy(() -> new LiveSeriesDetector("x", 300, 3000, 300, 3, 10, 0.6, 1e-5, 1))
                .hasMessageContaining("tailFraction");
        assertThatThrownBy(() -> new LiveSeriesDetector("x", 300, 3000, 300, 3, 10, 0.02, 0, 1))
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> new LiveSeriesDetector("x", 300, 3000, 300, 3, 10, 0.02, 1e-5, -1))
                .hasMessageContaining("shapeMargin");
    }
}
