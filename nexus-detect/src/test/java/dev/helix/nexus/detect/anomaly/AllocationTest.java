package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.DetectorCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Steady-state updates must not allocate (measured with the HotSpot per-thread allocation counter). */
class AllocationTest {

    static Stream<String> names() {
        return DetectorCatalog.univariateNames().stream();
    }

    @ParameterizedTest
    @MethodSource("names")
    void steadyStateUpdatesDoNotAllocate(String name) {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        var mx = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(), "no allocation counter on this JVM");
        Detector d = DetectorCatalog.univariate(name).get();
        Random r = new Random(1);
        double[] xs = new double[20_000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.sin(i / 30.0) + 0.2 * r.nextGaussian() + (i % 997 == 0 ? 5 : 0);
        }
        double sink = 0;
        for (int i = 0; i < 10_000; i++) { // warm up, including the JIT
            sink += d.update(xs[i]);
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 10_000; i < 20_000; i++) {
            sink += d.update(xs[i]);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(sink).isNotNaN();
        // 10,000 updates: allow a small constant for the measurement itself, far below one object per update
        assertThat(allocated).as(name + " bytes allocated over 10k updates").isLessThan(2_000);
    }
}
