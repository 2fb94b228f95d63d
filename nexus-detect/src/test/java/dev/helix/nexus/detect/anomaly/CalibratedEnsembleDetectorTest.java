package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.anomaly.CalibratedEnsembleDetector.Config;
import dev.helix.nexus.detect.anomaly.CalibratedEnsembleDetector.Member;
import dev.helix.nexus.detect.anomaly.CalibratedEnsembleDetector.Statistic;
import dev.helix.nexus.detect.anomaly.CalibratedEnsembleDetector.TailProbability;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CalibratedEnsembleDetectorTest {

    /** Three correlated metrics (the second follows the first) and one independent, on a [0, 1]-like scale. */
    private static double[] row(SplittableRandom r, boolean broken) {
        double x = 0.5 + 0.1 * r.nextGaussian();
        double y = broken ? 1 - x : x + 0.01 * r.nextGaussian();
        return new double[] {x, y, 0.3 + 0.05 * r.nextGaussian(), 0.2 + 0.1 * r.nextGaussian()};
    }

    private static double[][] rows(SplittableRandom r, int n) {
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = row(r, false);
        }
        return a;
    }

    /** The SMD member set on 4 columns, with a trailing median short enough for small synthetic runs. */
    private static Config small() {
        return new Config(4, List.of(new Member(0.90, 5), new Member(0.90, 15), new Member(0.99, 5),
                new Member(0.99, 15)), 400, 5, 0.98, 1e-2);
    }

    /** {@link #small()} plus the two Hotelling T² members of {@link Config#smdWithHotelling(int)}. */
    private static Config smallWithHotelling() {
        List<Member> m = new java.util.ArrayList<>(small().members());
        m.add(new Member(0.90, 5, Statistic.HOTELLING));
        m.add(new Member(0.90, 15, Statistic.HOTELLING));
        return new Config(4, m, 400, 5, 0.98, 1e-2);
    }

    /** A training-like row moved far along the main correlation (x and y together): the correlation holds. */
    private static double[] movedAlong(SplittableRandom r) {
        double x = 0.5 + 0.7 + 0.1 * r.nextGaussian();
        return new double[] {x, x + 0.01 * r.nextGaussian(), 0.3 + 0.05 * r.nextGaussian(),
                0.2 + 0.1 * r.nextGaussian()};
    }

    @Test
    void aMoveInsideTheSubspaceIsSeenByTheHotellingMembersAndNotByTheResidualMembers() {
        double[][] train = rows(new SplittableRandom(31), 5000);
        CalibratedEnsembleDetector withT2 = new CalibratedEnsembleDetector(smallWithHotelling());
        CalibratedEnsembleDetector qOnly = new CalibratedEnsembleDetector(small());
        withT2.fit(train);
        qOnly.fit(train);
        SplittableRandom r = new SplittableRandom(32);
        for (int i = 0; i < 300; i++) {
            double[] x = row(r, false);
            withT2.update(x);
            qOnly.update(x);
        }
        int alarmsWithT2 = 0;
        int alarmsQOnly = 0;
        double worstQ = 1;
        double[] t2p = new double[2];
        for (int i = 0; i < 40; i++) {
            double[] x = movedAlong(r);
            withT2.update(x);
            qOnly.update(x);
            alarmsWithT2 += withT2.isAnomalous() ? 1 : 0;
            alarmsQOnly += qOnly.isAnomalous() ? 1 : 0;
            if (i >= 15) { // every member's window is full of moved rows
                for (int m = 0; m < 4; m++) {
                    worstQ = Math.min(worstQ, withT2.lastMemberP(m));
                }
                t2p[0] = Math.max(t2p[0], withT2.lastMemberP(4));
                t2p[1] = Math.max(t2p[1], withT2.lastMemberP(5));
            }
        }
        // 7 σ along the main component: T² of every row is ~50 against a training mean of k = 2
        assertThat(t2p[0]).as("T² (0.90, 5) p-value").isLessThan(1e-6);
        assertThat(t2p[1]).as("T² (0.90, 15) p-value").isLessThan(1e-6);
        assertThat(worstQ).as("smallest residual-member p-value").isGreaterThan(1e-3);
        assertThat(alarmsWithT2).isGreaterThanOrEqualTo(35);
        assertThat(alarmsQOnly).isLessThanOrEqualTo(4);
    }

    @Test
    void theHotellingMembersPValuesOnFreshTrainingLikeRowsAreCloseToUniform() {
        SplittableRandom r = new SplittableRandom(33);
        Config cfg = smallWithHotelling();
        CalibratedEnsembleDetector d = new CalibratedEnsembleDetector(cfg);
        d.fit(rows(r, 8000));
        int n = 20_000;
        double[][] p = new double[2][n];
        int alarms = 0;
        for (int i = 0; i < n; i++) {
            d.update(row(r, false));
            alarms += d.isAnomalous() ? 1 : 0;
            p[0][i] = d.lastMemberP(4);
            p[1][i] = d.lastMemberP(5);
        }
        for (int j = 0; j < 2; j++) {
            int m = 4 + j;
            double[] s = p[j];
            Arrays.sort(s);
            double ks = 0;
            for (int i = 0; i < n; i++) {
                ks = Math.max(ks, Math.max(Math.abs(s[i] - (double) i / n), Math.abs(s[i] - (i + 1.0) / n)));
            }
            // same two-sample bound as for the residual members (one value per smoothing window)
            int w = cfg.members().get(m).smoothing();
            double bound = 1.63 * Math.sqrt(w / (double) n + w / (double) d.calibrationPValues(m).length);
            assertThat(ks).as("member %d KS distance of fresh p-values to uniform", m).isLessThan(bound);
        }
        // the fused threshold keeps its budget with six members
        assertThat((double) alarms / n).isBetween(1e-2 / 3, 3e-2);
    }

    @Test
    void theSmdConfigurationsAndNames() {
        assertThat(new CalibratedEnsembleDetector(38).name()).isEqualTo(CalibratedEnsembleDetector.NAME);
        CalibratedEnsembleDetector two = CalibratedEnsembleDetector.smdWithHotelling(38);
        assertThat(two.name()).isEqualTo(CalibratedEnsembleDetector.NAME_HOTELLING).isEqualTo("pca-ens2");
        List<Member> members = two.config().members();
        assertThat(members.subList(0, 4)).isEqualTo(Config.smdDefaults(38).members());
        assertThat(members.subList(4, 6)).containsExactly(new Member(0.90, 5, Statistic.HOTELLING),
                new Member(0.90, 15, Statistic.HOTELLING));
        Config one = Config.smdDefaults(38);
        Config t2 = two.config();
        assertThat(List.of(t2.baseline(), t2.folds(), t2.level(), t2.risk()))
                .isEqualTo(List.of(one.baseline(), one.folds(), one.level(), one.risk()));
        assertThat(new Member(0.9, 5)).isEqualTo(new Member(0.9, 5, Statistic.RESIDUAL));
        assertThatThrownBy(() -> new Member(0.9, 5, null)).hasMessageContaining("statistic");
        assertThatThrownBy(() -> new CalibratedEnsembleDetector(" ", Config.smdDefaults(4)))
                .hasMessageContaining("name");
        CalibratedEnsembleDetector named = new CalibratedEnsembleDetector("pca-ens2", smallWithHotelling());
        assertThatThrownBy(() -> named.update(new double[3])).hasMessageContaining("pca-ens2 expects 4 values");
    }

    @Test
    void flagsACorrelationBreakAndRarelyAlarmsOnFreshNormalRows() {
        SplittableRandom r = new SplittableRandom(1);
        CalibratedEnsembleDetector d = new CalibratedEnsembleDetector(small());
        d.fit(rows(r, 5000));
        assertThat(d.isWarmingUp()).isFalse();
        assertThat(d.threshold()).isPositive();
        int normalAlarms = 0;
        for (int i = 0; i < 5000; i++) {
            d.update(row(r, false));
            normalAlarms += d.isAnomalous() ? 1 : 0;
        }
        // risk q = 1e-2 per row on data like the training data; smoothing makes alarms come in runs
        assertThat(normalAlarms).isLessThan(5000 * 3 / 100);
        int hits = 0;
        for (int i = 0; i < 50; i++) {
            double s = d.update(row(r, true));
            if (d.isAnomalous()) {
                hits++;
                assertThat(s).isGreaterThan(0.5).isLessThan(1.0);
            }
        }
        // once the short members' 5-row means are full of broken rows, the fused evidence is far above z
        assertThat(hits).isGreaterThanOrEqualTo(45);
    }

    @Test
    void sameDataGiveIdenticalScoresAndAlerts() {
        double[][] train = rows(new SplittableRandom(3), 3000);
        double[][] test = rows(new SplittableRandom(4), 1000);
        for (int i = 500; i < 520; i++) {
            test[i] = row(new SplittableRandom(i), true);
        }
        CalibratedEnsembleDetector a = new CalibratedEnsembleDetector(small());
        CalibratedEnsembleDetector b = new CalibratedEnsembleDetector(small());
        a.fit(train);
        b.fit(train);
        assertThat(a.threshold()).isEqualTo(b.threshold());
        for (double[] x : test) {
            assertThat(a.update(x)).isEqualTo(b.update(x));
            assertThat(a.isAnomalous()).isEqualTo(b.isAnomalous());
        }
    }

    @Test
    void aNonFiniteTestRowScoresZeroAndLeavesTheStateUnchanged() {
        double[][] train = rows(new SplittableRandom(5), 3000);
        double[][] test = rows(new SplittableRandom(6), 300);
        CalibratedEnsembleDetector clean = new CalibratedEnsembleDetector(small());
        CalibratedEnsembleDetector gappy = new CalibratedEnsembleDetector(small());
        clean.fit(train);
        gappy.fit(train);
        for (int i = 0; i < test.length; i++) {
            if (i == 100) {
                assertThat(gappy.update(new double[] {0.5, Double.NaN, 0.3, 0.2})).isZero();
                assertThat(gappy.isAnomalous()).isFalse();
                assertThat(gappy.update(new double[] {Double.POSITIVE_INFINITY, 0.5, 0.3, 0.2})).isZero();
            }
            assertThat(gappy.update(test[i])).isEqualTo(clean.update(test[i]));
        }
    }

    @Test
    void nonFiniteTrainingRowsAreSkipped() {
        double[][] train = rows(new SplittableRandom(7), 3000);
        double[][] gappy = new double[train.length + 2][];
        System.arraycopy(train, 0, gappy, 0, 1000);
        gappy[1000] = new double[] {Double.NaN, 0, 0, 0};
        gappy[1001] = new double[] {0, 0, Double.NEGATIVE_INFINITY, 0};
        System.arraycopy(train, 1000, gappy, 1002, 2000);
        CalibratedEnsembleDetector a = new CalibratedEnsembleDetector(small());
        CalibratedEnsembleDetector b = new CalibratedEnsembleDetector(small());
        a.fit(train);
        b.fit(gappy);
        assertThat(b.threshold()).isEqualTo(a.threshold());
    }

    @Test
    void theThresholdDependsOnTrainingRowsOnlyAndStaysFixedWhileStreaming() {
        double[][] train = rows(new SplittableRandom(8), 3000);
        CalibratedEnsembleDetector d = new CalibratedEnsembleDetector(small());
        d.fit(train);
        double z = d.threshold();
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < 2000; i++) {
            d.update(row(r, i % 3 == 0)); // a stream full of anomalies
        }
        assertThat(d.threshold()).isEqualTo(z);
        // refitting on the same rows after that stream gives the same threshold and the same first scores as a
        // detector that never saw the stream
        d.fit(train);
        CalibratedEnsembleDetector fresh = new CalibratedEnsembleDetector(small());
        fresh.fit(train);
        assertThat(d.threshold()).isEqualTo(z);
        double[] x = row(new SplittableRandom(10), false);
        assertThat(d.update(x)).isEqualTo(fresh.update(x));
    }

    @Test
    void scoresStayInTheUnitIntervalForExtremeAndOrdinaryRows() {
        CalibratedEnsembleDetector d = new CalibratedEnsembleDetector(small());
        d.fit(rows(new SplittableRandom(11), 3000));
        SplittableRandom r = new SplittableRandom(12);
        for (int i = 0; i < 3000; i++) {
            double[] x = switch (i % 4) {
                case 0 -> row(r, false);
                case 1 -> row(r, true);
                case 2 -> new double[] {1e6 * r.nextGaussian(), -1e6, 1e-9, 1e300};
                default -> new double[] {0, 0, 0, 0};
            };
            double s = d.update(x);
            assertThat(s).isBetween(0.0, 1.0);
            assertThat(d.lastFused()).isGreaterThanOrEqualTo(0.0).isFinite();
            assertThat(d.isAnomalous()).isEqualTo(s > 0.5);
        }
    }

    /**
     * The calibration behind the fusion: on fresh rows from the training distribution, each member's p-value is close
     * to uniform, so the members' -log p are on one scale. The p-map is itself estimated from a finite calibration
     * sample, so the bound is the two-sample Kolmogorov-Smirnov 1 % critical value 1.63·√(1/n₁ + 1/n₂); the
     * smoothing makes neighbouring values dependent, so each sample counts one value per smoothing window
     * (n₁ = fresh rows / W, n₂ = calibration values / W).
     */
    @Test
    void eachMembersPValuesOnFreshTrainingLikeRowsAreCloseToUniform() {
        SplittableRandom r = new SplittableRandom(13);
        CalibratedEnsembleDetector d = new CalibratedEnsembleDetector(small());
        d.fit(rows(r, 8000));
        int members = small().members().size();
        int n = 20_000;
        double[][] p = new double[members][n];
        for (int i = 0; i < n; i++) {
            d.update(row(r, false));
            for (int m = 0; m < members; m++) {
                p[m][i] = d.lastMemberP(m);
            }
        }
        for (int m = 0; m < members; m++) {
            double[] s = p[m];
            Arrays.sort(s);
            double ks = 0;
            for (int i = 0; i < n; i++) {
                ks = Math.max(ks, Math.max(Math.abs(s[i] - (double) i / n), Math.abs(s[i] - (i + 1.0) / n)));
            }
            int w = small().members().get(m).smoothing();
            double calibration = d.calibrationPValues(m).length;
            double bound = 1.63 * Math.sqrt(w / (double) n + w / calibration);
            assertThat(ks).as("member %d KS distance of fresh p-values to uniform", m).isLessThan(bound);
            assertThat(s[0]).isPositive();
            assertThat(s[n - 1]).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void theFusedThresholdIsExceededOnAboutTheBudgetedShareOfTrainingLikeRows() {
        SplittableRandom r = new SplittableRandom(14);
        CalibratedEnsembleDetector d = new CalibratedEnsembleDetector(small());
        d.fit(rows(r, 8000));
        int alarms = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            d.update(row(r, false));
            alarms += d.isAnomalous() ? 1 : 0;
        }
        // q = 1e-2 is a per-row budget; the estimate from one calibration run is within a factor of 3 of it
        assertThat((double) alarms / n).isBetween(1e-2 / 3, 3e-2);
    }

    @Test
    void tailProbabilityIsConformalInTheBulkAndDecreasingBeyondTheData() {
        double[] c = new double[1000];
        SplittableRandom r = new SplittableRandom(15);
        for (int i = 0; i < c.length; i++) {
            c[i] = -Math.log(1 - r.nextDouble()); // exponential
        }
        TailProbability t = TailProbability.of(c, 0.98);
        double[] s = c.clone();
        Arrays.sort(s);
        // bulk: (1 + #{c >= a}) / (n + 1)
        assertThat(t.p(s[499])).isCloseTo((1.0 + 501) / 1001, within(1e-15));
        assertThat(t.p(-1)).isEqualTo(1.0);
        // tail: continuous extension, strictly decreasing past the largest value, in log space far beyond it
        double max = s[999];
        assertThat(t.p(max + 1)).isLessThan(t.p(max)).isPositive();
        assertThat(t.p(max + 1)).isLessThan(1.0 / 1001);
        assertThat(t.logP(1e6)).isLessThan(t.logP(1e5)).isFinite();
    }

    @Test
    void aBoundedFittedTailStillOrdersValuesBeyondItsEndPoint() {
        // uniform data: the fitted GPD shape is negative (a finite end point just above the largest value)
        double[] c = new double[2000];
        SplittableRandom r = new SplittableRandom(16);
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextDouble();
        }
        assertThat(PotThreshold.fit(c, 0.98, 1e-2).shape()).isNegative();
        TailProbability t = TailProbability.of(c, 0.98);
        double previous = t.logP(1.0);
        for (double a = 1.5; a < 100; a += 0.5) {
            double now = t.logP(a);
            assertThat(now).as("ln p at %s", a).isLessThan(previous).isFinite();
            previous = now;
        }
    }

    @Test
    void badInputIsRejectedWithWhatAndWhere() {
        CalibratedEnsembleDetector d = new CalibratedEnsembleDetector(small());
        double[][] train = rows(new SplittableRandom(18), 100);
        train[42] = new double[] {1, 2, 3};
        assertThatThrownBy(() -> d.fit(train)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 42").hasMessageContaining("expected 4");
        assertThatThrownBy(() -> d.fit(rows(new SplittableRandom(17), 19)))
                .hasMessageContaining("at least 20 finite training rows, got 19");
        assertThatThrownBy(() -> d.update(new double[3])).hasMessageContaining("expects 4 values, got 3");
        assertThatThrownBy(() -> d.calibrationPValues(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Config(4, List.of(), 10, 5, 0.98, 1e-2))
                .hasMessageContaining("at least one member");
        assertThatThrownBy(() -> new Member(1.5, 5)).hasMessageContaining("varianceKept");
        assertThatThrownBy(() -> new Member(0.9, 0)).hasMessageContaining("smoothing");
        assertThatThrownBy(() -> new Config(4, List.of(new Member(0.9, 5)), 10, 5, 0.98, 0.05))
                .hasMessageContaining("risk");
        assertThat(d.update(new double[] {0.5, 0.5, 0.3, 0.2})).as("unfitted: no score").isZero();
        assertThat(d.isWarmingUp()).isTrue();
    }
}
