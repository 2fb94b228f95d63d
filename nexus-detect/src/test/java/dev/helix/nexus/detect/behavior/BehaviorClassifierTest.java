package dev.helix.nexus.detect.behavior;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BehaviorClassifierTest {
    private final BehaviorClassifier classifier = new BehaviorClassifier();

    /** Classifies 200 noisy samples of a synthetic trace; returns how often each pattern came first. */
    private Map<BehaviorPattern, Integer> run(long seed, Function<Random, BehaviorFeatures> trace) {
        Random r = new Random(seed);
        Map<BehaviorPattern, Integer> counts = new EnumMap<>(BehaviorPattern.class);
        for (int i = 0; i < 200; i++) {
            BehaviorVerdict v = classifier.top(trace.apply(r));
            assertThat(v.confidence()).isBetween(0.0, 1.0);
            assertThat(v.evidence()).isNotEmpty();
            counts.merge(v.pattern(), 1, Integer::sum);
        }
        return counts;
    }

    private static double n(Random r, double mean, double sd, double lo, double hi) {
        return Math.max(lo, Math.min(hi, mean + sd * r.nextGaussian()));
    }

    private static void assertMostly(Map<BehaviorPattern, Integer> counts, BehaviorPattern p) {
        assertThat(counts.getOrDefault(p, 0)).as("%s in %s", p, counts).isGreaterThanOrEqualTo(180);
    }

    @Test
    void idleHostIsNormal() {
        assertMostly(run(1, r -> new BehaviorFeatures(n(r, 0.15, 0.05, 0, 1), n(r, 0.05, 0.02, 0, 1),
                n(r, 0.01, 0.01, 0, 1), n(r, 0.3, 0.1, 0, 9), n(r, 0.5, 0.05, 0, 1), 0, 0, n(r, 1, 1, 0, 99),
                n(r, 3000, 500, 0, 1e6), 0, n(r, 100, 10, 0, 1e6), new double[0])), BehaviorPattern.NORMAL);
    }

    @Test
    void cpuBoundTrace() {
        assertMostly(run(2, r -> new BehaviorFeatures(n(r, 0.88, 0.03, 0, 1), n(r, 0.08, 0.02, 0, 1),
                n(r, 0.01, 0.01, 0, 1), n(r, 2.5, 0.4, 0, 9), n(r, 0.5, 0.05, 0, 1), 0, 0, 0,
                n(r, 4000, 500, 0, 1e6), 0, 100, new double[0])), BehaviorPattern.CPU_BOUND);
    }

    @Test
    void ioBoundTrace() {
        assertMostly(run(3, r -> new BehaviorFeatures(n(r, 0.1, 0.03, 0, 1), n(r, 0.08, 0.02, 0, 1),
                n(r, 0.45, 0.05, 0, 1), n(r, 0.5, 0.2, 0, 9), n(r, 0.6, 0.05, 0, 1), 0, 0, n(r, 2, 1, 0, 99),
                n(r, 5000, 500, 0, 1e6), 0, 20, new double[0])), BehaviorPattern.IO_BOUND);
    }

    @Test
    void memoryPressureTrace() {
        assertMostly(run(4, r -> new BehaviorFeatures(n(r, 0.3, 0.05, 0, 1), n(r, 0.1, 0.02, 0, 1),
                n(r, 0.02, 0.01, 0, 1), n(r, 0.5, 0.2, 0, 9), n(r, 0.975, 0.01, 0, 1), n(r, 2, 1, 0, 9),
                n(r, 20, 5, 0, 99), n(r, 5, 2, 0, 99), 4000, 0, 90, new double[0])), BehaviorPattern.MEMORY_PRESSURE);
    }

    @Test
    void thrashingTrace() {
        assertMostly(run(5, r -> new BehaviorFeatures(n(r, 0.08, 0.03, 0, 1), n(r, 0.15, 0.03, 0, 1),
                n(r, 0.5, 0.1, 0, 1), n(r, 3, 0.5, 0, 9), n(r, 0.98, 0.01, 0, 1), n(r, 900, 100, 0, 1e5),
                n(r, 1000, 100, 0, 1e5), n(r, 1200, 200, 0, 1e5), 5000, 0, 5, new double[0])), BehaviorPattern.THRASHING);
    }

    @Test
    void interruptStormTrace() {
        assertMostly(run(6, r -> new BehaviorFeatures(n(r, 0.1, 0.03, 0, 1), n(r, 0.55, 0.05, 0, 1),
                n(r, 0.01, 0.01, 0, 1), n(r, 0.7, 0.2, 0, 9), n(r, 0.5, 0.05, 0, 1), 0, 0, 0,
                n(r, 150_000, 20_000, 0, 1e7), 0, 40, new double[0])), BehaviorPattern.INTERRUPT_STORM);
    }

    @Test
    void deadlockTrace() {
        assertMostly(run(7, r -> new BehaviorFeatures(n(r, 0.01, 0.005, 0, 1), n(r, 0.01, 0.005, 0, 1),
                0, n(r, 0.05, 0.02, 0, 9), n(r, 0.5, 0.05, 0, 1), 0, 0, 0, 800, 6, 0, new double[0])),
                BehaviorPattern.DEADLOCK);
    }

    @Test
    void resourceLeakTrace() {
        assertMostly(run(8, r -> {
            double[] heap = new double[60];
            for (int i = 0; i < heap.length; i++) {
                heap[i] = 500 + 3 * i + 20 * r.nextGaussian(); // +3 MB per sample under noise
            }
            return new BehaviorFeatures(0.2, 0.05, 0.01, 0.3, 0.6, 0, 0, 0, 3000, 0, 100, heap);
        }), BehaviorPattern.RESOURCE_LEAK);
        // a stationary history is not a leak
        Map<BehaviorPattern, Integer> flat = run(9, r -> new BehaviorFeatures(0.2, 0.05, 0.01, 0.3, 0.6, 0, 0, 0,
                3000, 0, 100, r.doubles(60).map(v -> 500 + 20 * v).toArray()));
        assertThat(flat.getOrDefault(BehaviorPattern.RESOURCE_LEAK, 0)).isLessThan(20);
    }

    @Test
    void unknownFeaturesSkipTheirRules() {
        BehaviorFeatures f = new BehaviorFeatures(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null);
        List<BehaviorVerdict> v = classifier.classify(f);
        assertThat(v).hasSize(1);
        assertThat(v.get(0).pattern()).isEqualTo(BehaviorPattern.NORMAL);
        assertThat(v.get(0).confidence()).isEqualTo(1.0);
    }

    @Test
    void mannKendallMatchesTheClosedForm() {
        double[] up = new double[10];
        for (int i = 0; i < 10; i++) {
            up[i] = i;
        }
        MannKendall.Result r = MannKendall.test(up);
        assertThat(r.s()).isEqualTo(45);
        // Var(S) = 10*9*25/18 = 125, Z = (45-1)/sqrt(125)
        assertThat(r.z()).isCloseTo(44 / Math.sqrt(125), within(1e-12));
        assertThat(r.p()).isLessThan(1e-3);
        assertThat(r.slope()).isEqualTo(1.0);
        MannKendall.Result flat = MannKendall.test(new double[] {3, 3, 3, 3, 3});
        assertThat(flat.s()).isZero();
        assertThat(flat.p()).isEqualTo(1.0);
    }

    @Test
    void thrashingWithoutSwapIsRecognisedFromMajorFaultsAtTheMemoryLimit() {
        // no swap device: file pages evicted at the limit and read back; PSI memory full stays low on a fast disk
        BehaviorFeatures f = new BehaviorFeatures(0.02, 0.15, Double.NaN, 3, 0.999, Double.NaN, Double.NaN, 10_000,
                Double.NaN, Double.NaN, Double.NaN, null, 0.03, 0.6, Double.NaN, Double.NaN);
        List<BehaviorVerdict> v = classifier.classify(f);
        assertThat(v.get(0).pattern()).isEqualTo(BehaviorPattern.THRASHING);
        assertThat(v.get(0).evidence()).contains("major faults 10000/s", "memory used 100%");
        // the I/O waiting is paging, so it is not also called I/O-bound
        assertThat(v).noneMatch(x -> x.pattern() == BehaviorPattern.IO_BOUND);
        // the same faults with memory far from full: reading a mapped file, I/O-bound, not thrashing
        List<BehaviorVerdict> roomy = classifier.classify(new BehaviorFeatures(0.02, 0.15, Double.NaN, 3, 0.3,
                Double.NaN, Double.NaN, 10_000, Double.NaN, Double.NaN, Double.NaN, null, 0.0, 0.6, Double.NaN,
                Double.NaN));
        assertThat(roomy.get(0).pattern()).isEqualTo(BehaviorPattern.IO_BOUND);
        assertThat(roomy).noneMatch(x -> x.pattern() == BehaviorPattern.THRASHING);
    }

    @Test
    void memoryFullStallIsPressureAndWithMajorFaultsThrashing() {
        BehaviorFeatures stalled = BehaviorFeatures.unknown().withStalls(0.30, Double.NaN);
        assertThat(classifier.top(stalled).pattern()).isEqualTo(BehaviorPattern.MEMORY_PRESSURE);
        BehaviorFeatures paging = new BehaviorFeatures(0.05, 0.1, 0.2, 1, 0.7, Double.NaN, Double.NaN, 800,
                Double.NaN, Double.NaN, Double.NaN, null, 0.30, 0.5, Double.NaN, Double.NaN);
        BehaviorVerdict top = classifier.top(paging);
        assertThat(top.pattern()).isEqualTo(BehaviorPattern.THRASHING);
        assertThat(top.evidence()).contains("PSI memory full 30.0%");
    }

    @Test
    void ioStallsCountWhenOtherWorkHidesIowait() {
        // CPUs kept busy by other work: iowait reads 0, but PSI io "some" shows tasks waiting on the disk
        BehaviorFeatures f = new BehaviorFeatures(0.85, 0.12, 0.0, 5, 0.1, 0, 0, 0, 500, Double.NaN, Double.NaN,
                null, 0.0, 0.45, 1.2, Double.NaN);
        List<BehaviorVerdict> v = classifier.classify(f);
        assertThat(v.get(0).pattern()).isEqualTo(BehaviorPattern.IO_BOUND);
        assertThat(v.get(0).evidence()).contains("PSI io some 45%", "1.20 threads in D state on average");
        // the CPUs are saturated too (by the other work): that is CPU-bound as well, and ranks after the I/O
        assertThat(v).anyMatch(x -> x.pattern() == BehaviorPattern.CPU_BOUND && x.confidence() == 1.0);
        // a process (no iowait of its own) whose thread waits in D state is not CPU-bound however much it demands
        BehaviorFeatures writer = new BehaviorFeatures(0.9, Double.NaN, Double.NaN, 5, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, Double.NaN, Double.NaN, 0.6,
                Double.NaN);
        assertThat(classifier.classify(writer)).noneMatch(x -> x.pattern() == BehaviorPattern.CPU_BOUND);
        assertThat(classifier.top(writer).pattern()).isEqualTo(BehaviorPattern.IO_BOUND);
    }

    @Test
    void processThreadsInDStateAreIoBound() {
        BehaviorFeatures writer = BehaviorFeatures.unknown().withThreads(0.25, Double.NaN);
        BehaviorVerdict v = classifier.top(writer);
        assertThat(v.pattern()).isEqualTo(BehaviorPattern.IO_BOUND);
        assertThat(v.confidence()).isCloseTo(0.75, within(1e-12)); // ramp 0.10 -> 0.30, as iowait
        assertThat(classifier.top(BehaviorFeatures.unknown().withThreads(0.05, Double.NaN)).pattern())
                .isEqualTo(BehaviorPattern.NORMAL);
    }

    @Test
    void jvmReportedDeadlockIsADeadlockEvenWhileOtherThreadsWork() {
        BehaviorFeatures f = new BehaviorFeatures(0.6, Double.NaN, Double.NaN, 1, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, 2, Double.NaN, null, Double.NaN, Double.NaN, 0, 2);
        BehaviorVerdict v = classifier.top(f);
        assertThat(v.pattern()).isEqualTo(BehaviorPattern.DEADLOCK);
        assertThat(v.confidence()).isEqualTo(1.0);
        assertThat(v.evidence()).contains("JVM reports 2 deadlocked threads");
        // no cycle reported and the process is busy: blocked threads alone are contention, not a deadlock
        BehaviorFeatures contended = new BehaviorFeatures(0.6, Double.NaN, Double.NaN, 1, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, 2, Double.NaN, null, Double.NaN, Double.NaN, 0, 0);
        assertThat(classifier.classify(contended)).noneMatch(x -> x.pattern() == BehaviorPattern.DEADLOCK);
    }

    @Test
    void aSignificantButTinyTrendIsNotALeak() {
        // RSS creeping by one page now and then: Mann-Kendall finds the trend, the growth (0.04%) is immaterial
        double[] rss = new double[40];
        for (int i = 0; i < rss.length; i++) {
            rss[i] = 200e6 + 4096 * (i / 2);
        }
        assertThat(MannKendall.test(rss).increasing(0.001)).isTrue();
        BehaviorFeatures f = BehaviorFeatures.unknown();
        f = new BehaviorFeatures(f.cpuUser(), f.cpuSystem(), f.ioWait(), f.runQueuePerCore(), f.memoryUsed(),
                f.swapInPerSec(), f.swapOutPerSec(), f.majorFaultsPerSec(), f.interruptsPerCore(), f.blockedThreads(),
                f.throughputPerSec(), rss);
        assertThat(classifier.classify(f)).noneMatch(x -> x.pattern() == BehaviorPattern.RESOURCE_LEAK);
    }

    @Test
    void evidenceNeverMentionsUnmeasuredFeatures() {
        Random r = new Random(10);
        for (int i = 0; i < 500; i++) {
            double[] v = new double[16];
            for (int k = 0; k < v.length; k++) {
                v[k] = r.nextInt(3) == 0 ? Double.NaN : r.nextDouble() * (k == 8 ? 2e5 : k == 7 ? 1e3 : 1);
            }
            BehaviorFeatures f = new BehaviorFeatures(v[0], v[1], v[2], v[3] * 3, v[4], v[5] * 600, v[6] * 600,
                    v[7], v[8], v[9] * 4, v[10], null, v[11], v[12], v[13], v[14] * 3);
            for (BehaviorVerdict x : classifier.classify(f)) {
                assertThat(x.evidence()).as("%s for %s", x, f).isNotEmpty().noneMatch(e -> e.contains("NaN"));
            }
        }
    }
}
