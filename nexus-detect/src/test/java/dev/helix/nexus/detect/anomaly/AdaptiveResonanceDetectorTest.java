package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.DetectorCatalog;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdaptiveResonanceDetectorTest {

    private static final AdaptiveResonanceDetector.Config DEFAULTS = AdaptiveResonanceDetector.Config.defaults();
    /** Samples before the first model: initSteps steps of the smallest downsampling step. */
    private static final int WARM_UP = DEFAULTS.initSteps() * DEFAULTS.downsample();

    private static AdaptiveResonanceDetector art() {
        return new AdaptiveResonanceDetector("art", DEFAULTS);
    }

    /** A daily-like cycle of 96 samples with noise. */
    private static double cycle(int i, Random r) {
        return 50 + 20 * Math.sin(2 * Math.PI * i / 96.0) + r.nextGaussian();
    }

    private static double[] run(AdaptiveResonanceDetector d, double[] xs) {
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = d.update(xs[i]);
        }
        return out;
    }

    private static double[] cycleWithSpikes(int n, long seed) {
        Random r = new Random(seed);
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = cycle(i, r) + (i % 997 == 500 ? 60 : 0);
        }
        return xs;
    }

    @Test
    void scoreOfRowTDependsOnlyOnRowsUpToT() {
        double[] xs = cycleWithSpikes(4000, 4);
        double[] ys = xs.clone();
        for (int i = 2500; i < ys.length; i++) {
            ys[i] = 1000 - 3 * ys[i]; // a different future, with new extremes that rebuild the model
        }
        double[] a = run(art(), xs);
        AdaptiveResonanceDetector other = art();
        double[] b = run(other, ys);
        assertThat(Arrays.copyOf(b, 2500)).containsExactly(Arrays.copyOf(a, 2500));
        assertThat(other.rebuilds()).as("the different future did rebuild the model").isGreaterThan(1);
    }

    @Test
    void sameInputGivesSameScores() {
        double[] xs = cycleWithSpikes(6000, 5);
        assertThat(run(art(), xs)).containsExactly(run(art(), xs));
    }

    @Test
    void scoresAreZeroOrAReportedAnomalyOfAtLeastOneHalfAndTheVerdictFollowsTheScore() {
        double[] xs = cycleWithSpikes(8000, 6);
        AdaptiveResonanceDetector d = art();
        int reported = 0;
        for (double x : xs) {
            double s = d.update(x);
            assertThat(s).isBetween(0.0, 1.0);
            assertThat(s == 0.0 || s >= 0.5).as("score %s", s).isTrue();
            assertThat(d.isAnomalous()).isEqualTo(s >= 0.5);
            reported += s >= 0.5 ? 1 : 0;
        }
        assertThat(reported).as("the spikes are reported").isPositive();
    }

    @Test
    void reportsASustainedLevelShiftInAPeriodicSeriesSoonAfterItStarts() {
        Random r = new Random(8);
        double[] xs = new double[4000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = cycle(i, r) + (i >= 3000 ? 45 : 0);
        }
        double[] s = run(art(), xs);
        int first = -1;
        for (int i = 3000; i < xs.length && first < 0; i++) {
            if (s[i] >= 0.5) {
                first = i;
            }
        }
        // one step of 5 samples plus the window of 8 steps: the shift is fully visible after 40 samples
        assertThat(first).as("first alarm after the shift").isBetween(3000, 3000 + 8 * DEFAULTS.maxDownsample());
    }

    @Test
    void warmsUpUntilTheInitialBatchThenScores() {
        AdaptiveResonanceDetector d = art();
        Random r = new Random(9);
        for (int i = 0; i < WARM_UP - 1; i++) {
            assertThat(d.update(cycle(i, r))).isZero();
            assertThat(d.isWarmingUp()).isTrue();
        }
        assertThat(d.rebuilds()).isZero();
        assertThat(d.update(cycle(WARM_UP - 1, r))).isZero();
        assertThat(d.rebuilds()).as("first model built on the warm-up samples").isEqualTo(1);
        assertThat(d.isWarmingUp()).isFalse();
        assertThat(d.categoryCount()).isPositive();
        d.reset();
        assertThat(d.isWarmingUp()).isTrue();
        assertThat(d.categoryCount()).isZero();
        assertThat(d.rebuilds()).isZero();
    }

    @Test
    void nonFiniteSamplesAreIgnoredWithoutChangingLaterScores() {
        double[] xs = cycleWithSpikes(3000, 10);
        double[] plain = run(art(), xs);
        AdaptiveResonanceDetector d = art();
        int k = 0;
        for (int i = 0; i < xs.length; i++) {
            if (i % 101 == 7) {
                assertThat(d.update(i % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY)).isZero();
                assertThat(d.isAnomalous()).isFalse();
            }
            assertThat(d.update(xs[i])).as("sample %d", i).isEqualTo(plain[k++]);
        }
    }

    @Test
    void constantSeriesNeverAlarmsAndAStepAwayFromItIsReported() {
        AdaptiveResonanceDetector d = art();
        for (int i = 0; i < 3000; i++) {
            assertThat(d.update(7.0)).isZero();
        }
        assertThat(d.isWarmingUp()).isFalse();
        double max = 0;
        for (int i = 0; i < 200; i++) {
            max = Math.max(max, d.update(9.0));
        }
        assertThat(max).as("a new level after a constant stretch").isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void extremeFiniteValuesKeepScoresInTheUnitInterval() {
        AdaptiveResonanceDetector d = art();
        Random r = new Random(11);
        for (int i = 0; i < 2000; i++) {
            double x = switch (i % 4) {
                case 0 -> Double.MAX_VALUE;
                case 1 -> -Double.MAX_VALUE;
                case 2 -> r.nextGaussian();
                default -> Double.MIN_VALUE;
            };
            assertThat(d.update(x)).isBetween(0.0, 1.0);
        }
    }

    @Test
    void theStepGrowsWithTheRowsSeenAndEachGrowthRebuildsTheModel() {
        // integer cycle: every extreme is seen in the warm-up, so only the step changes rebuild the model
        AdaptiveResonanceDetector d = art();
        int n = 0;
        while (n < 4159) {
            d.update(n++ % 24);
        }
        assertThat(d.rebuilds()).isEqualTo(1);
        d.update(n++ % 24); // n = 4160: ⌊0.15 · 4160 / 104⌋ = 6
        assertThat(d.rebuilds()).isEqualTo(2);
        while (n < 4853) {
            d.update(n++ % 24);
        }
        assertThat(d.rebuilds()).isEqualTo(2);
        d.update(n++ % 24); // n = 4854: ⌊728.1 / 104⌋ = 7 = maxDownsample
        assertThat(d.rebuilds()).isEqualTo(3);
        while (n < 20_000) {
            d.update(n++ % 24);
        }
        assertThat(d.rebuilds()).as("the step stays at its maximum").isEqualTo(3);
    }

    @Test
    void categoriesStayBoundedOnEndlessNoise() {
        // one step per sample and a short history make the bound reachable in a short test
        AdaptiveResonanceDetector.Config small = new AdaptiveResonanceDetector.Config(1, 1, 8, 30, 104, 80, 0.075,
                0.10, 200, 0.0, 201, 0.8, 0.97, 0.19, DEFAULTS.activation());
        AdaptiveResonanceDetector d = new AdaptiveResonanceDetector("art-small", small);
        Random r = new Random(12);
        long before = -1;
        for (int i = 0; i < 20_000; i++) {
            d.update(r.nextDouble());
            assertThat(d.categoryCount()).isLessThanOrEqualTo(201);
            if (i == 1000) {
                before = d.rebuilds();
            }
        }
        assertThat(d.rebuilds()).as("rebuilt when the bound was reached").isGreaterThan(before);
    }

    @Test
    void primedRangeIsALookAheadOnlyForFreshDetectors() {
        AdaptiveResonanceDetector d = art();
        d.primeRange(0, 100);
        for (int i = 0; i < 500; i++) {
            d.update(50 + 10 * Math.sin(i / 10.0));
        }
        assertThat(d.rebuilds()).as("no widening with a known range").isZero();
        AdaptiveResonanceDetector late = art();
        late.update(1);
        assertThatThrownBy(() -> late.primeRange(0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsInvalidSettingsNamingTheSetting() {
        assertThatThrownBy(() -> new AdaptiveResonanceDetector.Config(5, 4, 8, 30, 104, 80, 0.075, 0.1, 2016, 0,
                2000, 0.8, 0.97, 0.19, DEFAULTS.activation())).hasMessageContaining("maxDownsample");
        assertThatThrownBy(() -> new AdaptiveResonanceDetector.Config(5, 7, 6, 30, 104, 80, 0.075, 0.1, 2016, 0,
                2000, 0.8, 0.97, 0.19, DEFAULTS.activation())).hasMessageContaining("window");
        assertThatThrownBy(() -> new AdaptiveResonanceDetector.Config(5, 7, 8, 30, 104, 80, 0.075, 0.1, 100, 0,
                2000, 0.8, 0.97, 0.19, DEFAULTS.activation())).hasMessageContaining("history");
        assertThatThrownBy(() -> new AdaptiveResonanceDetector.Config(5, 7, 8, 30, 104, 80, 0.075, 0.1, 2016, 0,
                2000, 0.8, 0.97, 0.19, null)).hasMessageContaining("activation");
        assertThatThrownBy(() -> new AdaptiveResonanceDetector("", DEFAULTS)).hasMessageContaining("name");
    }

    @Test
    void catalogueListsArtAsALearningDetectorWithItsReportLevel() {
        assertThat(DetectorCatalog.learningNames()).contains("art");
        assertThat(DetectorCatalog.univariateNames()).doesNotContain("art");
        assertThat(DetectorCatalog.fixedThreshold("art")).isEqualTo(0.5);
        assertThat(DetectorCatalog.univariate("art").get()).isInstanceOf(AdaptiveResonanceDetector.class);
    }
}
