package dev.helix.nexus.detect.anomaly;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The streaming {@link ExtendedIsolationForestDetector}: warm-up, verdicts, bad input, determinism, allocation. */
class ExtendedIsolationForestDetectorTest {

    private static double[] correlated(Random r) {
        double x = r.nextGaussian();
        return new double[] {x, x + 0.05 * r.nextGaussian()};
    }

    @Test
    void warmsUpForPsiSamplesThenFlagsACorrelationBreak() {
        ExtendedIsolationForestDetector d = new ExtendedIsolationForestDetector(
                ExtendedIsolationForestDetector.Config.defaults(2));
        assertThat(d.name()).isEqualTo("eiforest");
        assertThat(d.config().extension()).as("default: fully extended").isEqualTo(1);
        Random r = new Random(2);
        for (int i = 0; i < 255; i++) {
            assertThat(d.update(correlated(r))).isZero();
            assertThat(d.isWarmingUp()).isTrue();
        }
        d.update(correlated(r));
        assertThat(d.isWarmingUp()).as("fitted after psi = 256 samples").isFalse();
        for (int i = 0; i < 3000; i++) {
            d.update(correlated(r));
        }
        double normal = d.update(new double[] {1.0, 1.0});
        assertThat(d.isAnomalous()).isFalse();
        double broken = d.update(new double[] {1.0, -1.0});
        assertThat(d.isAnomalous()).isTrue();
        assertThat(broken).isGreaterThan(normal + 0.1);
    }

    @Test
    void nonFiniteSampleIsIgnoredWithoutChangingState() {
        ExtendedIsolationForestDetector a = new ExtendedIsolationForestDetector(
                ExtendedIsolationForestDetector.Config.defaults(2));
        ExtendedIsolationForestDetector b = new ExtendedIsolationForestDetector(
                ExtendedIsolationForestDetector.Config.defaults(2));
        Random ra = new Random(4);
        Random rb = new Random(4);
        for (int i = 0; i < 1500; i++) {
            double[] s = correlated(ra);
            double sa = a.update(s);
            double sb = b.update(correlated(rb));
            assertThat(sa).isEqualTo(sb);
            if (i % 100 == 50) {
                assertThat(a.update(new double[] {Double.NaN, 1})).isZero();
                assertThat(a.isAnomalous()).isFalse();
                assertThat(a.update(new double[] {1, Double.NEGATIVE_INFINITY})).isZero();
            }
        }
    }

    @Test
    void batchFitSkipsNonFiniteRowsAndRejectsTooFewFiniteOnes() {
        ExtendedIsolationForestDetector d = new ExtendedIsolationForestDetector(
                ExtendedIsolationForestDetector.Config.defaults(2).withFrozen(true));
        Random r = new Random(6);
        double[][] train = new double[500][];
        for (int i = 0; i < train.length; i++) {
            train[i] = i % 10 == 0 ? new double[] {Double.NaN, 0} : correlated(r);
        }
        d.fit(train);
        assertThat(d.isWarmingUp()).isFalse();
        double first = d.update(new double[] {0.5, 0.5});
        for (int i = 0; i < 1000; i++) {
            d.update(correlated(r));
        }
        assertThat(d.update(new double[] {0.5, 0.5})).as("frozen: same model").isEqualTo(first);
        assertThatThrownBy(() -> d.fit(new double[][] {{1, 1}, {Double.NaN, 2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 finite");
        assertThatThrownBy(() -> d.fit(new double[][] {{1, 1}, {1, 2, 3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1");
        assertThatThrownBy(() -> d.update(new double[] {1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.update(1.0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configRejectsExtensionOutsideTheDimensions() {
        assertThatThrownBy(() -> ExtendedIsolationForestDetector.Config.defaults(3).withExtension(3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extension=3");
        assertThatThrownBy(() -> ExtendedIsolationForestDetector.Config.defaults(3).withMemory(100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memory=100");
    }

    @Test
    void seededRunsAreIdenticalAndResetReplays() {
        ExtendedIsolationForestDetector d = new ExtendedIsolationForestDetector(
                ExtendedIsolationForestDetector.Config.defaults(2));
        double[] first = run(d, 1);
        d.reset();
        assertThat(run(d, 1)).containsExactly(first);
        ExtendedIsolationForestDetector other = new ExtendedIsolationForestDetector(
                ExtendedIsolationForestDetector.Config.defaults(2).withSeed(43));
        assertThat(run(other, 1)).isNotEqualTo(first);
    }

    private static double[] run(ExtendedIsolationForestDetector d, long dataSeed) {
        Random r = new Random(dataSeed);
        double[] out = new double[1200];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.update(correlated(r));
        }
        return out;
    }

    /** Steady-state updates over 38 columns, streaming with refits every 256 samples, allocate nothing. */
    @Test
    void steadyStateUpdatesDoNotAllocate() {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        var mx = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "no allocation counter on this JVM");
        int dims = 38;
        ExtendedIsolationForestDetector d = new ExtendedIsolationForestDetector(
                ExtendedIsolationForestDetector.Config.defaults(dims));
        Random r = new Random(3);
        double[][] stream = new double[6000][dims];
        for (double[] row : stream) {
            double z = r.nextDouble();
            for (int j = 0; j < dims; j++) {
                row[j] = (j % 3 == 0 ? z : r.nextDouble()) + 0.05 * r.nextGaussian();
            }
        }
        double sink = 0;
        for (int i = 0; i < 3000; i++) {
            sink += d.update(stream[i]);
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 3000; i < 6000; i++) {
            sink += d.update(stream[i]);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(d.isWarmingUp()).isFalse();
        assertThat(sink).isPositive();
        // 3,000 updates including 11 refits: a small constant for the measurement itself
        assertThat(allocated).as("bytes allocated over 3k updates").isLessThan(2_000);
    }
}
