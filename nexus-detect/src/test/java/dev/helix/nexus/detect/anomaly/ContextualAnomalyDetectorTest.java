package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.DetectorCatalog;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContextualAnomalyDetectorTest {

    private static final int REST = 30;

    private static ContextualAnomalyDetector cad() {
        return new ContextualAnomalyDetector("cad", 3, 150, 2016, 0.0, 7, 15, 0.75, REST);
    }

    /** A periodic pattern of period 24 over 8 distinct values, plus a little noise that never changes its level. */
    private static double pattern(int i, Random r) {
        return 10 + 3 * Math.sin(2 * Math.PI * i / 24.0) + 0.001 * r.nextGaussian();
    }

    private static double[] run(ContextualAnomalyDetector d, double[] xs) {
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = d.update(xs[i]);
        }
        return out;
    }

    @Test
    void learnedContextsStayBoundedOnEndlessNoise() {
        // a small history makes the bound (32 x 160 = 5,120 contexts) reachable in a short test
        ContextualAnomalyDetector d = new ContextualAnomalyDetector("cad", 3, 150, 160, 0.0, 7, 15, 0.75, REST);
        Random r = new Random(7);
        int peak = 0;
        for (int i = 0; i < 20_000; i++) {
            double score = d.update(r.nextDouble());
            assertThat(score).isBetween(0.0, 1.0);
            peak = Math.max(peak, d.contextCount());
        }
        assertThat(d.maxContexts()).isEqualTo(ContextualAnomalyDetector.CONTEXTS_PER_HISTORY * 160);
        // the sample that crosses the bound may add a handful of contexts before the rebuild that follows it
        assertThat(peak).isLessThan(d.maxContexts() + 200);
        assertThat(d.rebuilds()).as("rebuilt when the bound was crossed").isGreaterThan(1);
    }

    @Test
    void constantSeriesScoresZeroAndWaitsForARange() {
        ContextualAnomalyDetector d = cad();
        for (int i = 0; i < 3000; i++) {
            assertThat(d.update(5.0)).isZero();
            assertThat(d.isAnomalous()).isFalse();
        }
        assertThat(d.isWarmingUp()).as("no range yet, so no grid").isTrue();
        assertThat(d.contextCount()).isZero();
        assertThat(d.rebuilds()).isZero();
    }

    @Test
    void nonFiniteSamplesAreIgnored() {
        ContextualAnomalyDetector a = cad();
        ContextualAnomalyDetector b = cad();
        Random r = new Random(7);
        for (int i = 0; i < 1200; i++) {
            double v = pattern(i, r);
            if (i % 50 == 0) {
                assertThat(b.update(Double.NaN)).isZero();
                assertThat(b.isAnomalous()).isFalse();
                assertThat(b.update(Double.NEGATIVE_INFINITY)).isZero();
            }
            assertThat(b.update(v)).as("sample %d", i).isEqualTo(a.update(v));
            assertThat(b.isAnomalous()).isEqualTo(a.isAnomalous());
        }
    }

    @Test
    void learnedPatternIsQuietAndASpikeAlarms() {
        ContextualAnomalyDetector d = cad();
        Random r = new Random(1);
        double maxLate = 0;
        for (int i = 0; i < 1500; i++) {
            double s = d.update(pattern(i, r));
            if (i >= 1000) {
                maxLate = Math.max(maxLate, s);
                assertThat(d.isAnomalous()).as("sample %d of a learned pattern", i).isFalse();
            }
        }
        assertThat(maxLate).isLessThan(0.75);
        long before = d.rebuilds();
        double spike = d.update(40);
        assertThat(d.rebuilds()).as("a new extreme widens the grid").isEqualTo(before + 1);
        assertThat(spike).isGreaterThanOrEqualTo(0.75);
        assertThat(d.isAnomalous()).isTrue();
    }

    @Test
    void aStepChangeAlarmsOnceThenRests() {
        ContextualAnomalyDetector d = cad();
        Random r = new Random(2);
        for (int i = 0; i < 1500; i++) {
            d.update(pattern(i, r));
        }
        int firstAlarm = -1;
        double[] after = new double[REST + 20];
        for (int i = 0; i < after.length; i++) {
            after[i] = d.update(pattern(1500 + i, r) + 30); // the same shape, shifted far above the range
            if (d.isAnomalous() && firstAlarm < 0) {
                firstAlarm = i;
            }
        }
        assertThat(firstAlarm).as("alarm at the step").isBetween(0, 2);
        for (int i = firstAlarm + 1; i <= firstAlarm + REST; i++) {
            assertThat(after[i]).as("rest period, sample %d after the alarm", i - firstAlarm).isZero();
        }
    }

    /** A stream that keeps surprising the model: a learned pattern, then bursts of noise over ever wider ranges. */
    private static double[] burstyStream() {
        Random r = new Random(11);
        double[] xs = new double[3000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = pattern(i, r) + (i >= 1000 && (i / 100) % 3 == 0 ? (i / 100.0) * r.nextGaussian() : 0.0);
        }
        return xs;
    }

    /** The rest rules written out over the raw scores (a rest-0 detector's output), as a reference. */
    private static double[] expectedOutput(double[] raw, boolean[] warm, ContextualAnomalyDetector.RestMode mode) {
        double[] out = new double[raw.length];
        int resting = 0;
        boolean started = false;
        for (int i = 0; i < raw.length; i++) {
            if (!started && !warm[i]) {
                started = true;
                resting = REST; // the initial rest starts with the grid
            }
            boolean silent = resting > 0;
            out[i] = silent ? 0.0 : raw[i];
            if (silent) {
                resting--;
            }
            boolean alarm = raw[i] >= 0.75;
            if (mode == ContextualAnomalyDetector.RestMode.SLIDING ? alarm : alarm && !silent) {
                resting = REST;
            }
        }
        return out;
    }

    @Test
    void restModesFollowTheirRuleExactly() {
        double[] xs = burstyStream();
        ContextualAnomalyDetector rawDetector = new ContextualAnomalyDetector("raw", 3, 150, 2016, 0.0, 7, 15, 0.75,
                0);
        double[] raw = new double[xs.length];
        boolean[] warm = new boolean[xs.length];
        for (int i = 0; i < xs.length; i++) {
            raw[i] = rawDetector.update(xs[i]);
            warm[i] = rawDetector.isWarmingUp();
        }
        double[][] outs = new double[2][];
        for (ContextualAnomalyDetector.RestMode mode : ContextualAnomalyDetector.RestMode.values()) {
            ContextualAnomalyDetector d = new ContextualAnomalyDetector("cad", 3, 150, 2016, 0.0, 7, 15, 0.75, REST,
                    mode);
            assertThat(d.restMode()).isEqualTo(mode);
            double[] out = run(d, xs);
            assertThat(out).as("%s", mode).containsExactly(expectedOutput(raw, warm, mode));
            outs[mode.ordinal()] = out;
        }
        long slidingAlarms = Arrays.stream(outs[0]).filter(v -> v >= 0.75).count();
        long holdOffAlarms = Arrays.stream(outs[1]).filter(v -> v >= 0.75).count();
        assertThat(slidingAlarms).as("the stream raises alarms").isPositive();
        assertThat(holdOffAlarms).as("a surprised model is silenced only %d samples by the hold-off", REST)
                .isGreaterThan(slidingAlarms);
    }

    @Test
    void holdOffNeverReportsTwiceWithinTheRestPeriod() {
        ContextualAnomalyDetector d = new ContextualAnomalyDetector("cad", 3, 150, 2016, 0.0, 7, 15, 0.75, REST,
                ContextualAnomalyDetector.RestMode.HOLD_OFF);
        double[] xs = burstyStream();
        int last = -REST - 1;
        int alarms = 0;
        for (int i = 0; i < xs.length; i++) {
            d.update(xs[i]);
            if (d.isAnomalous()) {
                assertThat(i - last).as("gap before the alarm at sample %d", i).isGreaterThan(REST);
                last = i;
                alarms++;
            }
        }
        assertThat(alarms).isGreaterThan(1);
    }

    @Test
    void scoresAreInUnitIntervalAndDeterministic() {
        Random r = new Random(3);
        double[] xs = new double[4000];
        double x = 0;
        for (int i = 0; i < xs.length; i++) {
            x += r.nextGaussian();
            xs[i] = i % 700 == 699 ? x + 50 : x;
        }
        double[] a = run(cad(), xs);
        double[] b = run(cad(), xs);
        assertThat(a).containsExactly(b);
        for (double s : a) {
            assertThat(s).isBetween(0.0, 1.0);
        }
        assertThat(Arrays.stream(a).filter(s -> s >= 0.75).count()).as("a random walk does raise alarms").isPositive();
    }

    @Test
    void scoreOfRowTDependsOnlyOnRowsUpToT() {
        Random r = new Random(4);
        double[] xs = new double[1200];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = pattern(i, r) + (i % 37 == 0 ? 2 : 0);
        }
        double[] ys = xs.clone();
        for (int i = 800; i < ys.length; i++) {
            ys[i] = 1000 - ys[i]; // a different future, including new extremes that rebuild the model
        }
        double[] a = run(cad(), xs);
        double[] b = run(cad(), ys);
        assertThat(Arrays.copyOf(b, 800)).containsExactly(Arrays.copyOf(a, 800));
    }

    @Test
    void warmsUpForTheLearningSamplesAndTheFirstRestPeriod() {
        ContextualAnomalyDetector d = cad();
        Random r = new Random(5);
        for (int i = 0; i < 150; i++) {
            assertThat(d.isWarmingUp()).isTrue();
            assertThat(d.update(r.nextGaussian())).isZero();
        }
        assertThat(d.rebuilds()).as("grid fixed at the 150th sample").isEqualTo(1);
        assertThat(d.contextCount()).as("the learning samples were replayed").isPositive();
        for (int i = 1; i < REST; i++) {
            assertThat(d.isWarmingUp()).as("initial rest, model sample %d", i + 1).isTrue();
            assertThat(d.update(r.nextGaussian())).isZero();
        }
        assertThat(d.isWarmingUp()).isFalse();
        d.reset();
        assertThat(d.isWarmingUp()).isTrue();
        assertThat(d.contextCount()).isZero();
    }

    @Test
    void rejectsInvalidConfigurationAndLateRangePriming() {
        assertThatThrownBy(() -> new ContextualAnomalyDetector("c", 3, 150, 2016, 0.0, 7, 15, 0.75, 30, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("restMode");
        assertThatThrownBy(() -> new ContextualAnomalyDetector("c", 0, 150, 2016, 0, 7, 15, 0.75, 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bits");
        assertThatThrownBy(() -> new ContextualAnomalyDetector("c", 3, 150, 100, 0, 7, 15, 0.75, 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("history");
        assertThatThrownBy(() -> new ContextualAnomalyDetector("c", 3, 150, 2016, 0, 7, 15, 1.5, 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alarmLevel");
        ContextualAnomalyDetector d = cad();
        d.update(1.0);
        assertThatThrownBy(() -> d.primeRange(0, 2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void primedRangeScoresFromTheFirstSampleAfterTheRestPeriod() {
        ContextualAnomalyDetector d = new ContextualAnomalyDetector("cad", 3, 150, 2016, 0.0, 7, 15, 0.75, 5);
        d.primeRange(0, 7);
        for (int i = 0; i < 6; i++) {
            d.update(i % 8);
        }
        assertThat(d.isWarmingUp()).isFalse();
        assertThat(d.rebuilds()).as("a primed grid is never rebuilt").isZero();
        d.update(100);
        assertThat(d.rebuilds()).isZero();
    }

    @Test
    void catalogResolvesTheNabConfigurationsAsLearningDetectors() {
        assertThat(DetectorCatalog.learningNames()).contains(DetectorCatalog.NAB_DEFAULT, "nexus-nab-r2");
        assertThat(DetectorCatalog.univariateNames()).doesNotContain(DetectorCatalog.NAB_DEFAULT, "nexus-nab-r2")
                .contains("nexus-nab-v1");
        assertThat(DetectorCatalog.univariate(DetectorCatalog.NAB_DEFAULT).get())
                .isInstanceOf(AlarmUnionDetector.class);
        assertThat(DetectorCatalog.fixedThreshold(DetectorCatalog.NAB_DEFAULT)).isEqualTo(0.75);
        assertThat(DetectorCatalog.univariate("nexus-nab-r2").get()).isInstanceOf(ContextualAnomalyDetector.class);
        assertThat(DetectorCatalog.fixedThreshold("nexus-nab-r2")).isEqualTo(0.75);
        assertThat(((ContextualAnomalyDetector) DetectorCatalog.univariate("nexus-nab-r2").get())
                .restMode()).isEqualTo(ContextualAnomalyDetector.RestMode.HOLD_OFF);
        assertThat(DetectorCatalog.learningNames()).contains("nexus-nab-r1");
        assertThat(((ContextualAnomalyDetector) DetectorCatalog.univariate("nexus-nab-r1").get()).restMode())
                .isEqualTo(ContextualAnomalyDetector.RestMode.SLIDING);
    }

    @Test
    void catalogedLearningDetectorsResetToTheirInitialBehaviour() {
        for (String name : DetectorCatalog.learningNames()) {
            Detector d = DetectorCatalog.univariate(name).get();
            Random r = new Random(9);
            double[] xs = new double[1500];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = pattern(i, r) + (i % 211 == 0 ? 8 : 0);
            }
            double[] first = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                first[i] = d.update(xs[i]);
            }
            d.reset();
            assertThat(d.isWarmingUp()).isTrue();
            for (int i = 0; i < xs.length; i++) {
                assertThat(d.update(xs[i])).as("%s sample %d", name, i).isEqualTo(first[i]);
            }
        }
    }

    @Provide
    Arbitrary<List<Double>> streams() {
        Arbitrary<Double> any = Arbitraries.oneOf(
                Arbitraries.doubles().between(-1e308, 1e308),
                Arbitraries.doubles().between(-10, 10),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
                        Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE));
        return any.list().ofMinSize(1).ofMaxSize(700);
    }

    /** Whatever the input (huge, tiny, negative, NaN, infinite), every learning detector's score is in [0, 1]. */
    @Property(tries = 30)
    void scoresAreAlwaysInUnitInterval(@ForAll("streams") List<Double> xs) {
        for (String name : DetectorCatalog.learningNames()) {
            Detector d = DetectorCatalog.univariate(name).get();
            for (double x : xs) {
                assertThat(d.update(x)).as("%s on %s", name, x).isBetween(0.0, 1.0);
            }
        }
    }
}
