package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.DetectorCatalog;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlarmUnionDetectorTest {

    /** Replays a script of (score, verdict) pairs, one per finite sample; counts the samples it saw. */
    private static final class Scripted implements Detector {
        final double[] scores;
        final boolean[] alarms;
        int seen;

        Scripted(double[] scores, boolean[] alarms) {
            this.scores = scores;
            this.alarms = alarms;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public double update(double value) {
            seen++;
            return scores[seen - 1];
        }

        @Override
        public boolean isAnomalous() {
            return alarms[seen - 1];
        }

        @Override
        public boolean isWarmingUp() {
            return seen < 2;
        }

        @Override
        public void reset() {
            seen = 0;
        }
    }

    @Test
    void fusedScoreReachesTheAlarmLevelExactlyWhenAMemberAlarmed() {
        // member a (level 0.75): quiet, alarm, quiet-but-high (e.g. in its own hold-off)
        Scripted a = new Scripted(new double[] {0.2, 0.9, 0.8, 0.1}, new boolean[] {false, true, false, false});
        // member b (level 0.6): quiet, quiet, quiet, alarm at exactly its level
        Scripted b = new Scripted(new double[] {0.5, 0.1, 0.3, 0.6}, new boolean[] {false, false, false, true});
        AlarmUnionDetector u = new AlarmUnionDetector("u", List.of(
                new AlarmUnionDetector.Member(a, 0.75), new AlarmUnionDetector.Member(b, 0.6)));
        boolean[] expected = {false, true, false, true};
        for (int i = 0; i < 4; i++) {
            double s = u.update(i);
            assertThat(u.isAnomalous()).as("row %d", i).isEqualTo(expected[i]);
            assertThat(s >= AlarmUnionDetector.ALARM_LEVEL).as("row %d score %s", i, s).isEqualTo(expected[i]);
        }
        assertThat(a.seen).isEqualTo(4);
        assertThat(b.seen).isEqualTo(4);
    }

    @Test
    void memberAtLevelThreeQuartersKeepsItsScore() {
        for (double s = 0; s <= 1.0; s += 0.05) {
            assertThat(AlarmUnionDetector.map(s, 0.75, s >= 0.75)).isCloseTo(s,
                    org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Property(tries = 200)
    void mapIsMonotoneAndInUnitInterval(@ForAll @DoubleRange(min = 0, max = 1) double s,
                                        @ForAll @DoubleRange(min = 0, max = 1) double t,
                                        @ForAll @DoubleRange(min = 0.01, max = 1) double level) {
        double lo = Math.min(s, t);
        double hi = Math.max(s, t);
        double mlo = AlarmUnionDetector.map(lo, level, lo >= level);
        double mhi = AlarmUnionDetector.map(hi, level, hi >= level);
        assertThat(mlo).isBetween(0.0, 1.0).isLessThanOrEqualTo(mhi);
        assertThat(mhi).isBetween(0.0, 1.0);
        assertThat(mhi >= AlarmUnionDetector.ALARM_LEVEL).isEqualTo(hi >= level);
    }

    @Test
    void warmsUpUntilAnyMemberIsReadyAndResetsEveryMember() {
        Scripted a = new Scripted(new double[] {0, 0, 0}, new boolean[3]);
        Scripted b = new Scripted(new double[] {0, 0, 0}, new boolean[3]);
        AlarmUnionDetector u = new AlarmUnionDetector("u", List.of(
                new AlarmUnionDetector.Member(a, 0.75), new AlarmUnionDetector.Member(b, 0.5)));
        assertThat(u.isWarmingUp()).isTrue();
        u.update(1);
        u.update(2);
        assertThat(u.isWarmingUp()).isFalse();
        u.reset();
        assertThat(a.seen).isZero();
        assertThat(b.seen).isZero();
        assertThat(u.isWarmingUp()).isTrue();
    }

    @Test
    void rejectsAnEmptyUnionAndBadLevels() {
        assertThatThrownBy(() -> new AlarmUnionDetector("u", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one member");
        assertThatThrownBy(() -> new AlarmUnionDetector.Member(new Scripted(new double[1], new boolean[1]), 0.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alarm level");
    }

    @Test
    void catalogNabDefaultAlarmsWhereverItsContextualMemberAlarms() {
        // nexus-nab contains nexus-nab-r2 unchanged: every nexus-nab-r2 alarm is a nexus-nab alarm at the same row
        Detector nab = DetectorCatalog.univariate("nexus-nab-r2").get();
        Detector union = DetectorCatalog.univariate(DetectorCatalog.NAB_DEFAULT).get();
        assertThat(DetectorCatalog.fixedThreshold(DetectorCatalog.NAB_DEFAULT)).isEqualTo(0.75);
        java.util.Random r = new java.util.Random(5);
        int nabAlarms = 0;
        for (int i = 0; i < 3000; i++) {
            double x = 10 + 3 * Math.sin(2 * Math.PI * i / 48) + 0.1 * r.nextGaussian() + (i % 701 == 0 ? 9 : 0);
            double n = nab.update(x);
            double u = union.update(x);
            assertThat(u).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(n);
            if (nab.isAnomalous()) {
                nabAlarms++;
                assertThat(union.isAnomalous()).as("row %d", i).isTrue();
            }
        }
        assertThat(nabAlarms).isPositive();
    }
}
