package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HostConsensusTest {

    /** A calm metric: a tail probability drawn uniformly from (0.01, 1), as a calibrated detector gives under no anomaly. */
    private static double calm(Random r) {
        return HostConsensus.scoreOf(0.01 + 0.99 * r.nextDouble());
    }

    @Test
    void scoreAndTailProbabilityAreInverseOnTheLikelihoodScale() {
        assertThat(HostConsensus.scoreOf(1e-5)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(HostConsensus.tailProbability(0.5)).isCloseTo(1e-5, org.assertj.core.data.Offset.offset(1e-8));
        assertThat(HostConsensus.tailProbability(0)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(HostConsensus.tailProbability(1)).isEqualTo(HostConsensus.P_FLOOR);
        assertThat(HostConsensus.tailProbability(Double.NaN)).isNaN();
    }

    @Test
    void noMetricElevatedGivesALowScoreAndNoAlarm() {
        HostConsensus c = HostConsensus.withDefaults();
        Random r = new Random(7);
        double max = 0;
        for (int t = 0; t < 500; t++) {
            for (int i = 0; i < 40; i++) {
                c.score(i, calm(r), false);
            }
            c.endTick();
            assertThat(c.isAnomalous()).isFalse();
            max = Math.max(max, c.score());
        }
        assertThat(c.metrics()).isEqualTo(40);
        assertThat(max).isLessThan(0.2); // host p stays above 1e-2
    }

    @Test
    void manyMildlyElevatedMetricsAddUpButNeverClaimMoreThanOneOfThemUnderDependence() {
        double mild = HostConsensus.scoreOf(1e-4); // each below its own alarm threshold (1e-5)
        double one = hostScore(40, 1, mild);
        double ten = hostScore(40, 10, mild);
        double all = hostScore(40, 40, mild);
        assertThat(ten).isGreaterThan(one);
        assertThat(all).isGreaterThan(ten);
        // perfectly correlated metrics carry the evidence of one: the fused p is never below the common p
        assertThat(HostConsensus.tailProbability(all)).isGreaterThanOrEqualTo(1e-4);
    }

    private static double hostScore(int n, int elevated, double elevatedScore) {
        HostConsensus c = HostConsensus.withDefaults();
        for (int i = 0; i < n; i++) {
            c.score(i, i < elevated ? elevatedScore : HostConsensus.scoreOf(0.5), false);
        }
        c.endTick();
        return c.score();
    }

    /** Ticks of calm metrics (no alarm), so that the base rate is learned. */
    private static void calmTicks(HostConsensus c, Random r, int metrics, int ticks) {
        for (int t = 0; t < ticks; t++) {
            for (int i = 0; i < metrics; i++) {
                c.score(i, calm(r), false);
            }
            c.endTick();
        }
    }

    @Test
    void aSingleExtremeMetricGivesStrongEvidenceAndLeadsButNeedsOtherAlarmedMetricsForTheVerdict() {
        HostConsensus c = HostConsensus.withDefaults();
        Random r = new Random(3);
        calmTicks(c, r, 50, 1000);
        assertThat(c.isAnomalous()).isFalse();
        for (int i = 0; i < 50; i++) {
            c.score(i, i == 17 ? 1.0 : calm(r), i == 17);
        }
        assertThat(c.endTick()).isFalse();
        assertThat(c.votes()).isEqualTo(1);
        assertThat(c.score()).isGreaterThanOrEqualTo(0.5).isLessThanOrEqualTo(1.0);
        assertThat(c.topCount()).isEqualTo(3);
        assertThat(c.topSlot(0)).isEqualTo(17);
        assertThat(c.topTailProbability(0)).isEqualTo(HostConsensus.P_FLOOR);
        assertThat(c.topTailProbability(1)).isGreaterThanOrEqualTo(c.topTailProbability(0));
        assertThat(c.topTailProbability(2)).isGreaterThanOrEqualTo(c.topTailProbability(1));
        // two more metrics alarming within the window, with the evidence still there: the host is anomalous
        for (int i = 0; i < 50; i++) {
            c.score(i, i == 17 ? 1.0 : i == 3 || i == 5 ? 0.55 : calm(r), i == 3 || i == 5);
        }
        assertThat(c.endTick()).isTrue();
        assertThat(c.changed()).isTrue();
        assertThat(c.votes()).isEqualTo(3);
        assertThat(c.voteSurprise()).isLessThanOrEqualTo(HostConsensus.VOTE_ALPHA);
        assertThat(c.topSlot(0)).isEqualTo(17);
    }

    @Test
    void scatteredAlarmsAtAHighBaseRateDoNotMakeTheHostAnomalousButABurstWellAboveItDoes() {
        HostConsensus c = HostConsensus.withDefaults();
        Random r = new Random(19);
        int n = 200;
        double rate = 2e-3; // 200 times the nominal 1e-5: like a live host whose detectors still learn their ranges
        int entered = 0;
        for (int t = 0; t < 3000; t++) {
            for (int i = 0; i < n; i++) {
                boolean alarm = r.nextDouble() < rate;
                c.score(i, alarm ? 1.0 : calm(r), alarm);
            }
            c.endTick();
            entered += c.isAnomalous() && c.changed() ? 1 : 0;
        }
        assertThat(entered).isZero();
        assertThat(c.baseRate()).isCloseTo(rate, org.assertj.core.data.Offset.offset(rate / 2));
        // a burst: 30 metrics alarm together
        for (int i = 0; i < n; i++) {
            c.score(i, i < 30 ? 1.0 : calm(r), i < 30);
        }
        assertThat(c.endTick()).isTrue();
        assertThat(c.changed()).isTrue();
    }

    @Test
    void poissonTailMatchesClosedFormsWithoutCancellation() {
        double lambda = 3e-3;
        assertThat(HostConsensus.poissonTail(0, lambda)).isEqualTo(1.0);
        assertThat(HostConsensus.poissonTail(1, lambda)).isCloseTo(-Math.expm1(-lambda),
                org.assertj.core.data.Percentage.withPercentage(1e-6));
        // P(X >= 3) ~ lambda^3 / 6 for small lambda: far below what 1 - (lower sum) could resolve
        assertThat(HostConsensus.poissonTail(3, lambda)).isCloseTo(lambda * lambda * lambda / 6 * Math.exp(-lambda),
                org.assertj.core.data.Percentage.withPercentage(0.5));
        assertThat(HostConsensus.poissonTail(2, 4.0)).isCloseTo(1 - Math.exp(-4) * (1 + 4),
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(HostConsensus.poissonTail(5, 0)).isZero();
        assertThat(HostConsensus.poissonTail(300, 4.0)).isBetween(0.0, 1e-200);
    }

    @Test
    void nanAndUnscoredMetricsAreIgnored() {
        HostConsensus with = HostConsensus.withDefaults();
        HostConsensus without = HostConsensus.withDefaults();
        double[] s = {0.1, 0.3, 0.05, 0.45, 0.2};
        for (int i = 0; i < s.length; i++) {
            with.score(i, s[i], false);
            without.score(i, s[i], false);
        }
        with.score(5, Double.NaN, true); // missing, and its "alarm" does not count
        with.score(40, Double.NaN, false);
        with.endTick();
        without.endTick();
        assertThat(with.metrics()).isEqualTo(5);
        assertThat(with.votes()).isZero();
        assertThat(with.score()).isEqualTo(without.score());
        // a slot scored in one tick and not the next is missing in the next
        with.score(0, 0.9, false);
        with.endTick();
        assertThat(with.metrics()).isEqualTo(1);
    }

    @Test
    void anEmptyTickScoresZeroAndRaisesNothing() {
        HostConsensus c = HostConsensus.withDefaults();
        assertThat(c.endTick()).isFalse();
        assertThat(c.score()).isZero();
        assertThat(c.metrics()).isZero();
        assertThat(c.topCount()).isZero();
    }

    @Test
    void alarmsOfDifferentMetricsAtDifferentTicksReachTheQuorumAndTheVerdictHoldsWhileTwoStillAgree() {
        HostConsensus c = new HostConsensus(10, 2, 3, 0.5, 3);
        Random r = new Random(11);
        int entered = 0;
        int cleared = 0;
        long enteredAt = -1;
        long clearedAt = -1;
        for (int t = 0; t < 1060; t++) {
            for (int i = 0; i < 30; i++) {
                // after 1000 calm ticks, metrics 0, 1, 2 alarm once each at ticks 1000, 1003, 1006 with a score that
                // alone is not host evidence
                boolean alarm = (i == 0 && t == 1000) || (i == 1 && t == 1003) || (i == 2 && t == 1006);
                c.score(i, alarm ? 0.5 : calm(r), alarm);
            }
            c.endTick();
            if (c.changed()) {
                if (c.isAnomalous()) {
                    entered++;
                    enteredAt = t;
                } else {
                    cleared++;
                    clearedAt = t;
                }
            }
        }
        assertThat(entered).isEqualTo(1);
        assertThat(cleared).isEqualTo(1);
        assertThat(enteredAt).isEqualTo(1006);
        // two agreeing alarms hold the verdict until metric 1's alarm (tick 23) leaves the 10-tick window
        assertThat(clearedAt).isEqualTo(1003 + 10);
    }

    @Test
    void scoresStayInTheUnitIntervalForAnyInput() {
        HostConsensus c = HostConsensus.withDefaults();
        Random r = new Random(5);
        for (int t = 0; t < 2000; t++) {
            int n = r.nextInt(100);
            for (int i = 0; i < n; i++) {
                double s = switch (r.nextInt(5)) {
                    case 0 -> Double.NaN;
                    case 1 -> 1.0;
                    case 2 -> 0.0;
                    default -> r.nextDouble();
                };
                c.score(r.nextInt(120), s, r.nextInt(50) == 0);
            }
            c.endTick();
            assertThat(c.score()).isBetween(0.0, 1.0);
            assertThat(c.hostTailProbability()).isBetween(HostConsensus.P_FLOOR, 1.0);
        }
    }

    @Test
    void steadyStateTicksDoNotAllocate() {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        var mx = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "no allocation counter on this JVM");
        HostConsensus c = HostConsensus.withDefaults();
        Random r = new Random(2);
        double[] s = new double[200 * 64];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextDouble();
        }
        for (int t = 0; t < 5000; t++) { // warm-up, including the JIT
            for (int i = 0; i < 64; i++) {
                c.score(i, s[(t % 200) * 64 + i], s[i] > 0.99);
            }
            c.endTick();
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int t = 0; t < 5000; t++) {
            for (int i = 0; i < 64; i++) {
                c.score(i, s[(t % 200) * 64 + i], s[i] > 0.99);
            }
            c.endTick();
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(c.ticks()).isEqualTo(10_000);
        assertThat(allocated).as("bytes allocated over 5000 ticks of 64 metrics").isLessThan(2_000);
    }

    @Test
    void badParametersAreRefusedByName() {
        assertThatThrownBy(() -> new HostConsensus(0, 2, 3, 0.5, 3)).hasMessageContaining("voteWindow");
        assertThatThrownBy(() -> new HostConsensus(10, 0, 3, 0.5, 3)).hasMessageContaining("agreeing");
        assertThatThrownBy(() -> new HostConsensus(10, 2, 1, 0.5, 3)).hasMessageContaining("quorum");
        assertThatThrownBy(() -> new HostConsensus(10, 2, 3, 0, 3)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> new HostConsensus(10, 2, 3, 0.5, 0)).hasMessageContaining("topK");
        assertThatThrownBy(() -> HostConsensus.withDefaults().score(-1, 0.1, false)).hasMessageContaining("slot");
    }
}
