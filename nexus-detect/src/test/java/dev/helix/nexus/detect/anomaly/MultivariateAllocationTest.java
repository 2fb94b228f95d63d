package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.helix.nexus.core.spi.Detector;
import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Steady-state updates of the multivariate detectors, over a 38-dimensional vector (SMD's width), do not allocate
 * (issue 5: "allocation-free after warm-up"), measured with the HotSpot per-thread allocation counter. The streaming
 * Isolation Forest is measured while it refits on its recent window every 256 samples, so refits are included.
 */
class MultivariateAllocationTest {

    private static final int D = 38;

    static Stream<Arguments> detectors() {
        return Stream.of(
                Arguments.of("iforest streaming, refit every 256", (Supplier<Detector>) () ->
                        new IsolationForestDetector(IsolationForestDetector.Config.defaults(D)), false),
                Arguments.of("iforest fitted and frozen", (Supplier<Detector>) () ->
                        new IsolationForestDetector(IsolationForestDetector.Config.defaults(D).withFrozen(true)), true),
                Arguments.of("pca", (Supplier<Detector>) () -> new PcaDetector(D), true),
                Arguments.of("pca-pot", (Supplier<Detector>) () -> new PcaPotDetector(D), true),
                Arguments.of("pca-ens", (Supplier<Detector>) () -> new CalibratedEnsembleDetector(D), true),
                Arguments.of("pca-ens2", (Supplier<Detector>) () -> CalibratedEnsembleDetector.smdWithHotelling(D),
                        true));
    }

    private static double[][] rows(Random r, int n) {
        double[][] x = new double[n][D];
        for (int i = 0; i < n; i++) {
            double z = r.nextDouble();
            for (int j = 0; j < D; j++) {
                x[i][j] = (j % 3 == 0 ? z : r.nextDouble()) + 0.05 * r.nextGaussian() + (i % 997 == 0 ? 3 : 0);
            }
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("detectors")
    void steadyStateVectorUpdatesDoNotAllocate(String name, Supplier<Detector> factory, boolean fit) throws Exception {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        var mx = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "no allocation counter on this JVM");
        Random r = new Random(3);
        Detector d = factory.get();
        if (fit) {
            d.getClass().getMethod("fit", double[][].class).invoke(d, (Object) rows(r, 3000));
        }
        double[][] stream = rows(r, 12_000);
        double sink = 0;
        for (int i = 0; i < 6_000; i++) { // warm up, including the JIT
            sink += d.update(stream[i]);
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 6_000; i < 12_000; i++) {
            sink += d.update(stream[i]);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(d.isWarmingUp()).as(name).isFalse();
        assertThat(sink).isNotNaN();
        // 6,000 updates (23 refits for the streaming forest): a small constant for the measurement itself
        assertThat(allocated).as(name + " bytes allocated over 6k updates").isLessThan(2_000);
    }
}
