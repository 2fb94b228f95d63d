package dev.helix.nexus.detect.anomaly;

import static dev.helix.nexus.detect.anomaly.HostVectorStreams.D;
import static dev.helix.nexus.detect.anomaly.HostVectorStreams.names;
import static dev.helix.nexus.detect.anomaly.HostVectorStreams.normal;
import static dev.helix.nexus.detect.anomaly.HostVectorStreams.normalExcept;
import static dev.helix.nexus.detect.anomaly.HostVectorStreams.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostVectorPcaTest {

    private static HostVectorPca trained(HostVectorPca.Config cfg, Random r, int ticks) {
        HostVectorPca f = new HostVectorPca(names(), cfg);
        for (int t = 0; t < ticks; t++) {
            normal(f, r);
            f.endTick();
            assertThat(f.isAnomalous()).as("verdict on normal tick %d", t).isFalse();
        }
        assertThat(f.isWarmingUp()).isFalse();
        return f;
    }

    private static Set<Integer> topSet(HostVectorPca f) {
        Set<Integer> s = new java.util.HashSet<>();
        for (int i = 0; i < f.topCount(); i++) {
            s.add(f.topDimension(i));
        }
        return s;
    }

    @Test
    void aCorrelatedJumpAlongTheLoadAxisIsAT2VerdictNamingCorrelatedMetrics() {
        HostVectorPca f = trained(HostVectorPca.Config.defaults(), new Random(11), 1500);
        // metrics 0-5 (driven by one load factor) jump together by 100 sd of the load: along the usual direction
        Random r = new Random(12);
        normal(f, r);
        for (int i = 0; i < 6; i++) {
            f.set(i, unit(i) * (10 + 100));
        }
        f.endTick();
        assertThat(f.isAnomalous()).isTrue();
        assertThat(f.changed()).isTrue();
        assertThat(f.tailProbability()).isLessThanOrEqualTo(1e-5);
        assertThat(f.likelihoodScore()).isGreaterThanOrEqualTo(0.5);
        assertThat(f.evidenceStatistic()).isEqualTo(HostVectorPca.Statistic.T2);
        assertThat(f.topCount()).isEqualTo(3);
        assertThat(topSet(f)).isSubsetOf(0, 1, 2, 3, 4, 5);
        assertThat(f.topZ(0)).isGreaterThan(10);
        assertThat(f.topValue(0)).isEqualTo(unit(f.topDimension(0)) * 110);
        assertThat(f.topShare(0) + f.topShare(1) + f.topShare(2)).as("share of T² of the top 3").isGreaterThan(0.4);
    }

    @Test
    void aJumpAgainstTheUsualCorrelationIsAQVerdictNamingTheBrokenGroup() {
        HostVectorPca f = trained(HostVectorPca.Config.defaults(), new Random(11), 1500);
        // metrics 0-2 jump by 100 sd while 3-5, which normally move with them, stay: off the load axis
        normal(f, new Random(12));
        for (int i = 0; i < 3; i++) {
            f.set(i, unit(i) * (10 + 100));
        }
        f.endTick();
        assertThat(f.isAnomalous()).isTrue();
        assertThat(f.evidenceStatistic()).isEqualTo(HostVectorPca.Statistic.Q);
        assertThat(f.qTailProbability()).isLessThan(f.t2TailProbability());
        // which half of a correlated group "broke" is ambiguous; it is the group, never the independent metrics
        assertThat(topSet(f)).isSubsetOf(0, 1, 2, 3, 4, 5);
    }

    @Test
    void oneMetricFarBeyondItsLearnedRangeIsAVerdictNamingItAndGrowsWithTheDistance() {
        HostVectorPca.Config cfg = HostVectorPca.Config.defaults();
        double[] sd = {6, 20, 100, 1000};
        // at 6 and 20 sd the asinh-compressed statistic is not yet beyond 1e-5 against 4000 calibration values
        double[] p = new double[sd.length];
        for (int k = 0; k < sd.length; k++) {
            HostVectorPca f = trained(cfg, new Random(5), 1500);
            normal(f, new Random(6));
            f.set(8, unit(8) * (10 + sd[k]));
            f.endTick();
            p[k] = f.tailProbability();
            assertThat(f.topDimension(0)).as("top evidence at %s sd", sd[k]).isEqualTo(8);
            assertThat(f.topShare(0)).isGreaterThan(0.5);
            assertThat(f.isAnomalous()).as("verdict at %s sd (p %s)", sd[k], p[k]).isEqualTo(sd[k] >= 100);
        }
        // unlike the forest's isolation score, the statistic keeps growing beyond the fitted range
        for (int k = 1; k < sd.length; k++) {
            assertThat(p[k]).isLessThan(p[k - 1]);
        }
    }

    @Test
    void withoutCompressionASingleMetricReachesTheBudgetSooner() {
        HostVectorPca.Config cfg = HostVectorPca.Config.defaults().withPca(0.9, false);
        HostVectorPca f = trained(cfg, new Random(5), 1500);
        normal(f, new Random(6));
        f.set(8, unit(8) * (10 + 20));
        f.endTick();
        assertThat(f.isAnomalous()).isTrue();
        assertThat(f.topDimension(0)).isEqualTo(8);
    }

    @Test
    void stationaryNoiseGivesNoVerdictOverTwentyThousandTicks() {
        for (long seed = 1; seed <= 3; seed++) {
            HostVectorPca f = new HostVectorPca(names());
            Random r = new Random(seed);
            double minP = 1;
            int verdicts = 0;
            for (int t = 0; t < 20_000; t++) {
                normal(f, r);
                f.endTick();
                if (!f.isWarmingUp()) {
                    minP = Math.min(minP, f.tailProbability());
                }
                verdicts += f.isAnomalous() ? 1 : 0;
            }
            assertThat(verdicts).as("verdicts, seed %d", seed).isZero();
            assertThat(minP).as("smallest p, seed %d", seed).isGreaterThan(1e-5);
        }
    }

    @Test
    void withoutShapeMarginTheFalseVerdictRateOnNoiseIsNearTheNominalBudget() {
        // 5 × 20,000 ticks at 1e-5 per tick: about 1 onset expected by chance; Poisson(1) exceeds 5 with p 6e-4
        HostVectorPca.Config cfg = HostVectorPca.Config.defaults().withShapeMargin(0);
        int onsets = 0;
        for (long seed = 1; seed <= 5; seed++) {
            HostVectorPca f = new HostVectorPca(names(), cfg);
            Random r = new Random(seed);
            for (int t = 0; t < 20_000; t++) {
                normal(f, r);
                f.endTick();
                onsets += f.changed() && f.isAnomalous() ? 1 : 0;
            }
        }
        assertThat(onsets).isLessThanOrEqualTo(5);
    }

    @Test
    void missingMetricsAreNeutralAndNeverEvidenceAndSparseTicksAreSkipped() {
        HostVectorPca f = trained(HostVectorPca.Config.defaults(), new Random(13), 1000);
        Random r = new Random(14);
        long scored = f.scoredTicks();
        // metric 8 missing while the others jump: 8 is never named
        normalExcept(f, r, 8);
        for (int i = 6; i < D; i++) {
            if (i != 8) {
                f.set(i, unit(i) * (10 + 30));
            }
        }
        f.set(8, Double.NaN);
        f.set(7, Double.POSITIVE_INFINITY); // ignored: keeps the finite value set before
        f.endTick();
        assertThat(f.isAnomalous()).isTrue();
        assertThat(topSet(f)).doesNotContain(8);
        // a normal tick with one metric missing is judged normal
        normalExcept(f, r, 3);
        f.endTick();
        // fewer than half present: skipped, nothing changes
        for (int t = 0; t < 50; t++) {
            for (int i = 0; i < 5; i++) {
                f.set(i, unit(i) * 1000);
            }
            f.endTick();
        }
        assertThat(f.scoredTicks()).isEqualTo(scored + 2);
        assertThat(f.ticks()).isEqualTo(scored + 52);
    }

    @Test
    void aMetricConstantWhileLearningIsInactiveUntilARefitSeesItVary() {
        HostVectorPca f = new HostVectorPca(names(), HostVectorPca.Config.defaults().withRefit(300, 300));
        Random r = new Random(15);
        for (int t = 0; t < 400; t++) {
            normal(f, r);
            f.set(11, 0); // e.g. swap-in pages, always 0 so far
            f.endTick();
        }
        assertThat(f.scale(11)).isZero();
        normal(f, r);
        f.set(11, 1);
        f.endTick();
        assertThat(f.isAnomalous()).as("a first non-zero value of a never-moving counter alone").isFalse();
    }

    @Test
    void refitsLearnOnlyNormalVectorsUntilAnAnomalyLasts() {
        HostVectorPca f = trained(HostVectorPca.Config.defaults().withRefit(50, 100), new Random(21), 1200);
        Random r = new Random(22);
        int fits = f.refits();
        int on = 0;
        for (int t = 0; t < 60; t++) { // shorter than admitAfter = 100: anomalous throughout, not learned
            normal(f, r);
            f.set(8, unit(8) * (10 + 150));
            f.endTick();
            on += f.isAnomalous() ? 1 : 0;
        }
        assertThat(on).as("ticks judged anomalous during the incident").isEqualTo(60);
        assertThat(f.refits() - fits).as("refits during the incident").isEqualTo(1);
        for (int i = 0; i < f.stored(); i++) {
            assertThat(f.storedAbove(i, 8, unit(8) * 100)).as("stored vector %d has the incident's value", i).isFalse();
        }
        int lastOn = -1;
        for (int t = 0; t < 1500; t++) { // the same change lasting past admitAfter is learned and stops alarming
            normal(f, r);
            f.set(8, unit(8) * (10 + 150 + 0.5 * r.nextGaussian()));
            f.endTick();
            if (f.isAnomalous()) {
                lastOn = t;
            }
        }
        boolean learned = false;
        for (int i = 0; i < f.stored(); i++) {
            learned |= f.storedAbove(i, 8, unit(8) * 100);
        }
        assertThat(learned).isTrue();
        assertThat(lastOn).as("last anomalous tick of the lasting change").isBetween(40, 1400);
        assertThat(f.isAnomalous()).isFalse();
    }

    @Test
    void theSameTicksGiveTheSameStatistics() {
        HostVectorPca a = new HostVectorPca(names(), HostVectorPca.Config.defaults().withSmoothing(5));
        HostVectorPca b = new HostVectorPca(names(), HostVectorPca.Config.defaults().withSmoothing(5));
        Random ra = new Random(3);
        Random rb = new Random(3);
        for (int t = 0; t < 1000; t++) {
            normal(a, ra);
            normal(b, rb);
            a.endTick();
            b.endTick();
            assertThat(a.t2()).isEqualTo(b.t2());
            assertThat(a.q()).isEqualTo(b.q());
            assertThat(a.tailProbability()).isEqualTo(b.tailProbability());
        }
        assertThat(a.components()).isBetween(1, D - 1);
    }

    @Test
    void steadyStateTicksIncludingRefitsDoNotAllocate() {
        HostVectorStreams.assertSteadyStateDoesNotAllocate(
                new HostVectorPca(names(), HostVectorPca.Config.defaults().withSmoothing(5)), true);
    }

    @Test
    void badArgumentsAreRefusedByName() {
        assertThatThrownBy(() -> new HostVectorPca(List.of("only"))).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> HostVectorPca.Config.defaults().withLearning(5)).hasMessageContaining("learning");
        assertThatThrownBy(() -> HostVectorPca.Config.defaults().withPca(1.0, true))
                .hasMessageContaining("varianceKept");
        assertThatThrownBy(() -> HostVectorPca.Config.defaults().withSmoothing(100)).hasMessageContaining("smooth");
        assertThatThrownBy(() -> HostVectorPca.Config.defaults().withAlpha(1e-5, 1e-6))
                .hasMessageContaining("holdAlpha");
        assertThatThrownBy(() -> new HostVectorPca(names()).set(D, 1)).hasMessageContaining("dimension " + D);
        assertThatThrownBy(() -> new HostVectorPca(names()).topDimension(0)).hasMessageContaining("evidence 0");
    }
}
