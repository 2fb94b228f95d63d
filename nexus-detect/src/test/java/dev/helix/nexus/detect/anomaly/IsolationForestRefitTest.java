package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming {@link IsolationForestDetector} refits on recent <em>normal</em> data (issue 5): samples judged
 * anomalous stay out of the refit sample, within a budget of half the memory, so an incident is not learned as
 * normal but a lasting change is.
 */
class IsolationForestRefitTest {

    /** Univariate, shingle 4, 100 trees, psi 128, memory 1024 (budget 512), refit every 128, threshold 0.6. */
    private static IsolationForestDetector univariate(long seed) {
        return new IsolationForestDetector(new IsolationForestDetector.Config(1, 4, 100, 128, 1024, 128, 0.6, false,
                seed));
    }

    private static long rowsAbove(double[][] rows, double limit) {
        return Arrays.stream(rows).filter(row -> Arrays.stream(row).anyMatch(v -> v > limit)).count();
    }

    @Test
    void anInjectedBurstDoesNotEnterTheRefitSampleOfAShingledForest() {
        IsolationForestDetector d = univariate(42);
        Random r = new Random(11);
        for (int i = 0; i < 3000; i++) {
            d.update(r.nextGaussian());
        }
        long excludedBefore = d.excludedSamples();
        int shingle = d.config().shingle();
        int fullBurstAlarms = 0;
        int burstVectorsJudgedNormal = 0;
        for (int i = 0; i < 60; i++) {
            d.update(12 + r.nextGaussian());
            if (i >= shingle - 1) {
                fullBurstAlarms += d.isAnomalous() ? 1 : 0;
            }
            burstVectorsJudgedNormal += d.isAnomalous() ? 0 : 1;
        }
        // the shingle still holds burst values for shingle - 1 samples after the burst
        for (int i = 0; i < shingle - 1; i++) {
            d.update(r.nextGaussian());
            burstVectorsJudgedNormal += d.isAnomalous() ? 0 : 1;
        }
        // enough normal data afterwards for several refits (every 128 stored samples)
        for (int i = 0; i < 600; i++) {
            d.update(r.nextGaussian());
        }
        assertThat(fullBurstAlarms).as("alarms on vectors made only of burst values").isEqualTo(60 - (shingle - 1));
        assertThat(d.excludedSamples() - excludedBefore).as("samples excluded since the burst began")
                .isGreaterThanOrEqualTo(60 - burstVectorsJudgedNormal);
        assertThat(rowsAbove(d.refitSample(), 7.0))
                .as("vectors holding a burst value in the refit sample = those whose verdict was normal")
                .isEqualTo(burstVectorsJudgedNormal);
    }

    @Test
    void withRefitOnNormalOffABurstIsStoredAndItsRepeatIsPartlyLearned() {
        IsolationForestDetector on = univariate(42);
        IsolationForestDetector off = new IsolationForestDetector(on.config().withRefitOnNormal(false));
        Random r = new Random(12);
        int repeatAlarmsOn = 0;
        int repeatAlarmsOff = 0;
        for (int phase = 0; phase < 4; phase++) {
            boolean burst = phase % 2 == 1;
            int n = phase == 0 ? 2000 : burst ? 200 : 500;
            for (int i = 0; i < n; i++) {
                double v = burst ? 12 + r.nextGaussian() : r.nextGaussian();
                on.update(v);
                off.update(v);
                if (phase == 3) {
                    repeatAlarmsOn += on.isAnomalous() ? 1 : 0;
                    repeatAlarmsOff += off.isAnomalous() ? 1 : 0;
                }
            }
        }
        assertThat(off.excludedSamples()).isZero();
        assertThat(rowsAbove(off.refitSample(), 7.0)).as("burst vectors stored without the rule").isPositive();
        assertThat(repeatAlarmsOff).as("repeat alarms without the rule vs with it (%d)", repeatAlarmsOn)
                .isLessThan(repeatAlarmsOn);
    }

    @Test
    void aRepeatOfAnEarlierBurstIsStillAnomalousBecauseTheFirstWasNotLearned() {
        IsolationForestDetector d = univariate(42);
        int shingle = d.config().shingle();
        Random r = new Random(12);
        for (int i = 0; i < 2000; i++) {
            d.update(r.nextGaussian());
        }
        for (int i = 0; i < 200; i++) {
            d.update(12 + r.nextGaussian());
        }
        for (int i = 0; i < 500; i++) {
            d.update(r.nextGaussian());
        }
        int repeatAlarms = 0;
        for (int i = 0; i < 200; i++) {
            d.update(12 + r.nextGaussian());
            if (i >= shingle - 1) {
                repeatAlarms += d.isAnomalous() ? 1 : 0;
            }
        }
        assertThat(repeatAlarms).as("alarms on the repeat's vectors made only of burst values")
                .isEqualTo(200 - (shingle - 1));
    }

    @Test
    void aLastingLevelShiftIsLearnedOnceItOutlastsTheExclusionBudget() {
        IsolationForestDetector d = univariate(42);
        Random r = new Random(13);
        for (int i = 0; i < 3000; i++) {
            d.update(r.nextGaussian());
        }
        int memory = d.config().memory();
        int shift = 4000;
        boolean[] excluded = new boolean[shift];
        int lateAlarms = 0;
        long before = d.excludedSamples();
        for (int i = 0; i < shift; i++) {
            d.update(12 + r.nextGaussian());
            excluded[i] = d.excludedSamples() > before;
            before = d.excludedSamples();
            if (i >= shift - 2000 && d.isAnomalous()) {
                lateAlarms++;
            }
        }
        // every vector made only of new-level values is excluded at first
        for (int i = d.config().shingle() - 1; i < memory / 4; i++) {
            assertThat(excluded[i]).as("shift sample %d excluded", i).isTrue();
        }
        // the budget: no memory-long stretch has more than memory / 2 exclusions
        int inWindow = 0;
        for (int i = 0; i < shift; i++) {
            inWindow += excluded[i] ? 1 : 0;
            if (i >= memory) {
                inWindow -= excluded[i - memory] ? 1 : 0;
            }
            assertThat(inWindow).as("exclusions in the %d samples up to %d", memory, i).isLessThanOrEqualTo(memory / 2);
        }
        // learned: the new level alarms at a small rate, not on every sample (a stuck detector: 2000 of 2000)
        assertThat(lateAlarms).as("alarms in the last 2000 samples of the shift").isLessThan(2000 / 20);
        assertThat(rowsAbove(d.refitSample(), 7.0)).as("new-level vectors in the refit sample").isPositive();
    }

    @Test
    void aMultivariateBurstDoesNotEnterTheRefitSample() {
        IsolationForestDetector d = new IsolationForestDetector(IsolationForestDetector.Config.defaults(3));
        Random r = new Random(14);
        double[] v = new double[3];
        for (int i = 0; i < 4000; i++) {
            double x = r.nextGaussian();
            v[0] = x;
            v[1] = x + 0.1 * r.nextGaussian();
            v[2] = r.nextGaussian();
            d.update(v);
        }
        int burstAlarms = 0;
        for (int i = 0; i < 100; i++) {
            v[0] = 10 + r.nextGaussian();
            v[1] = -10 + r.nextGaussian();
            v[2] = r.nextGaussian();
            d.update(v);
            burstAlarms += d.isAnomalous() ? 1 : 0;
        }
        for (int i = 0; i < 1000; i++) {
            double x = r.nextGaussian();
            v[0] = x;
            v[1] = x + 0.1 * r.nextGaussian();
            v[2] = r.nextGaussian();
            d.update(v);
        }
        assertThat(burstAlarms).as("alarms during the burst").isEqualTo(100);
        assertThat(Arrays.stream(d.refitSample()).anyMatch(row -> row[0] > 6 && row[1] < -6))
                .as("a burst row in the refit sample").isFalse();
    }

    @Test
    void aFrozenForestExcludesNothingAndBeforeTheFirstFitEverySampleIsStored() {
        IsolationForestDetector d = new IsolationForestDetector(IsolationForestDetector.Config.defaults(1)
                .withFrozen(true));
        Random r = new Random(15);
        // before the first fit (psi = 256 vectors): an outlier has no verdict yet and is stored
        for (int i = 0; i < 100; i++) {
            d.update(r.nextGaussian());
        }
        d.update(50.0);
        for (int i = 0; i < 200; i++) {
            d.update(r.nextGaussian());
        }
        assertThat(rowsAbove(d.refitSample(), 40.0)).as("the pre-fit outlier in the sample").isOne();
        int rows = d.refitSample().length;
        for (int i = 0; i < 100; i++) {
            d.update(50.0);
        }
        assertThat(d.excludedSamples()).isZero();
        assertThat(d.refitSample().length).isEqualTo(rows);
    }
}
