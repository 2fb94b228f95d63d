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
}
