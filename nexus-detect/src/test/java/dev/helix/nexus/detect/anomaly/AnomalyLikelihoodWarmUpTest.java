package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.Detector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AnomalyLikelihoodDetector} and a base that warms up: the base's placeholder scores (0 while it warms up)
 * must not become part of the likelihood's notion of normal (issue-5 audit, constant-series defect).
 */
class AnomalyLikelihoodWarmUpTest {

    /**
     * Test base: scores its first {@code warmUp} samples 0 and reports warmed up from the last of them on (as the
     * Isolation Forest does: it fits on its last warm-up sample), then returns the sample value itself as its raw
     * score, so a test controls the raw scores directly.
     */
    private static final class ScriptedBase implements Detector {
        private final int warmUp;
        private int seen;

        ScriptedBase(int warmUp) {
            this.warmUp = warmUp;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public double update(double value) {
            if (!Double.isFinite(value)) {
                return 0.0;
            }
            seen++;
            return seen <= warmUp ? 0.0 : value;
        }

        @Override
        public boolean isAnomalous() {
            return false;
        }

        @Override
        public boolean isWarmingUp() {
            return seen < warmUp;
        }

        @Override
        public void reset() {
            seen = 0;
        }
    }

    @Test
    void aConstantRawScoreAfterALongBaseWarmUpIsNeverUnlikely() {
        // raw score 0 for 259 rows (the shingled forest's warm-up), then a constant 0.5: the audit's defect alarmed
        // 72 times here because the Gaussian was fitted to zeros and a ramp of averages mixing zeros and 0.5
        Detector d = new AnomalyLikelihoodDetector("l", new ScriptedBase(259), false);
        int alarms = 0;
        for (int i = 0; i < 5000; i++) {
            double s = d.update(0.5);
            assertThat(s).as("row %d", i).isBetween(0.0, 1.0);
            if (d.isAnomalous()) {
                alarms++;
            }
        }
        assertThat(alarms).isZero();
    }

    @Test
    void scoringWaitsForEstimationSamplesOfRealBaseScoresAfterALongBaseWarmUp() {
        int baseWarmUp = 259;
        int learning = 288;
        int warm = baseWarmUp + AnomalyLikelihoodDetector.ESTIMATION_SAMPLES; // 359 > learning
        Detector d = new AnomalyLikelihoodDetector("l", new ScriptedBase(baseWarmUp), 10, 8640, 100, learning, false,
                0.5);
        for (int i = 0; i < warm; i++) {
            assertThat(d.update(0.5)).as("row %d", i).isZero();
            assertThat(d.isWarmingUp()).as("row %d", i).isTrue();
        }
        d.update(0.5);
        assertThat(d.isWarmingUp()).as("row %d, the first scored", warm).isFalse();
    }

    @Test
    void aBaseWithAShortWarmUpLeavesTheLearningPeriodAsTheOnlyWait() {
        int learning = 288;
        Detector d = new AnomalyLikelihoodDetector("l", new ScriptedBase(30), 10, 8640, 100, learning, false, 0.5);
        for (int i = 0; i < learning; i++) {
            d.update(0.5);
            assertThat(d.isWarmingUp()).as("row %d", i).isTrue();
        }
        d.update(0.5);
        assertThat(d.isWarmingUp()).as("row %d, the first after the learning period", learning).isFalse();
    }

    @Test
    void nonFiniteSamplesAreNotCountedTowardsTheWarmUp() {
        Detector d = new AnomalyLikelihoodDetector("l", new ScriptedBase(20), 10, 8640, 100, 50, false, 0.5);
        for (int i = 0; i < 20; i++) {
            d.update(0.5);
            d.update(Double.NaN);
        }
        for (int i = 0; i < AnomalyLikelihoodDetector.ESTIMATION_SAMPLES; i++) {
            d.update(0.5);
            d.update(Double.POSITIVE_INFINITY);
        }
        assertThat(d.isWarmingUp()).isTrue();
        d.update(0.5);
        assertThat(d.isWarmingUp()).isFalse();
    }

    @Test
    void aSustainedRiseInRawScoreAfterALongBaseWarmUpIsStillFlagged() {
        Random r = new Random(5);
        Detector d = new AnomalyLikelihoodDetector("l", new ScriptedBase(259), false);
        for (int i = 0; i < 3000; i++) {
            d.update(0.3 + 0.05 * r.nextGaussian());
            assertThat(d.isAnomalous()).as("row %d of ordinary raw scores", i).isFalse();
        }
        boolean flagged = false;
        for (int i = 0; i < 20; i++) {
            d.update(0.95);
            flagged |= d.isAnomalous();
        }
        assertThat(flagged).isTrue();
    }
}
