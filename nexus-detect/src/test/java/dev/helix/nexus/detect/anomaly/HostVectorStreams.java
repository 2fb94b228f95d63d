package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded host-like vector streams and the allocation check shared by the tests of both host-vector detectors. */
final class HostVectorStreams {

    /** Dimensions of the test vectors. */
    static final int D = 12;

    private HostVectorStreams() {
    }

    /** Names m0 .. m(D−1). */
    static List<String> names() {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < D; i++) {
            n.add("m" + i);
        }
        return n;
    }

    /** The unit of metric i: 10^(i mod 7), so units differ by 6 decades. */
    static double unit(int i) {
        return Math.pow(10, i % 7);
    }

    /** {@link #normalExcept} reporting every metric. */
    static void normal(HostVectorDetector f, Random r) {
        normalExcept(f, r, -1);
    }

    /**
     * Reports a host-like normal vector: a shared load factor moves metrics 0-5 together (as CPU, run queue and context
     * switches do), the rest are independent; metric i is unit(i)·(10 + x). Metric {@code skip} (−1: none) is drawn
     * but not reported, so a stream with a skipped metric stays in step with one without.
     */
    static void normalExcept(HostVectorDetector f, Random r, int skip) {
        double load = r.nextGaussian();
        for (int i = 0; i < D; i++) {
            double x = i < 6 ? load + 0.3 * r.nextGaussian() : r.nextGaussian();
            if (i != skip) {
                f.set(i, unit(i) * (10 + x));
            }
        }
    }

    /**
     * Asserts that 3000 steady-state ticks with the default refit period (10 refits) allocate under 2,000 bytes, after
     * 3000 warm-up ticks (learning, first fit, refits and the JIT) of 500 repeated Gaussian vectors; the measured ticks
     * report through {@link HostVectorDetector#add} or, with {@code viaMax}, {@link HostVectorDetector#max}. Skips
     * when the JVM has no per-thread allocation counter.
     */
    static void assertSteadyStateDoesNotAllocate(HostVectorDetector f, boolean viaMax) {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        var mx = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "no allocation counter on this JVM");
        double[] v = new double[500 * D];
        Random r = new Random(2);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * unit(i % D);
        }
        for (int t = 0; t < 3000; t++) {
            for (int i = 0; i < D; i++) {
                f.set(i, v[(t % 500) * D + i]);
            }
            f.endTick();
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        int fits = f.refits();
        for (int t = 0; t < 3000; t++) {
            for (int i = 0; i < D; i++) {
                if (viaMax) {
                    f.max(i, v[(t % 500) * D + i]);
                } else {
                    f.add(i, v[(t % 500) * D + i]);
                }
            }
            f.endTick();
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(f.refits() - fits).isEqualTo(10);
        assertThat(allocated).as("bytes allocated over 3000 ticks with 10 refits").isLessThan(2_000);
    }
}
