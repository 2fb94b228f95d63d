package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IqrDetector} and {@link RobustZScoreDetector} over the counted B+-tree window must give the same scores
 * (bit for bit) and verdicts as the sorted-array implementations they replaced ({@link ReferenceSortedArrayDetectors}),
 * on random, duplicate-heavy and NaN/±Inf-laced streams, for windows from the minimum to several tree levels.
 */
class SortedWindowEquivalenceProperties {

    /** Stream kinds: 0 Gaussian with spikes, 1 few distinct values (MAD = 0, IQR = 0 plateaus), 2 NaN/±Inf-laced
     * random walk with signed zeros, 3 regime shifts between tiny and huge levels, 4 integer counts with bursts. */
    static double[] stream(int kind, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] xs = new double[n];
        double level = 0;
        for (int i = 0; i < n; i++) {
            xs[i] = switch (kind) {
                case 0 -> 50 + 5 * r.nextGaussian() + (r.nextDouble() < 0.02 ? 40 * r.nextGaussian() : 0);
                case 1 -> r.nextDouble() < 0.7 ? 3.0 : r.nextInt(4);
                case 2 -> {
                    double u = r.nextDouble();
                    if (u < 0.05) {
                        yield Double.NaN;
                    } else if (u < 0.07) {
                        yield r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                    } else if (u < 0.2) {
                        yield r.nextBoolean() ? 0.0 : -0.0;
                    }
                    level += 0.25 * (r.nextInt(7) - 3);
                    yield level;
                }
                case 3 -> (i / 150) % 2 == 0 ? 1e-13 * r.nextInt(3) : 1e9 + r.nextGaussian();
                default -> r.nextDouble() < 0.05 ? 100 + r.nextInt(50) : r.nextInt(3);
            };
        }
        return xs;
    }

    private static void assertSame(Detector fast, ReferenceSortedArrayDetectors.Scored ref, double[] xs, String what) {
        for (int i = 0; i < xs.length; i++) {
            double want = ref.update(xs[i]);
            double got = fast.update(xs[i]);
            assertThat(Double.doubleToLongBits(got)).as("%s: score at sample %d (x = %s): got %s, want %s",
                    what, i, xs[i], got, want).isEqualTo(Double.doubleToLongBits(want));
            assertThat(fast.isAnomalous()).as("%s: verdict at sample %d", what, i).isEqualTo(ref.isAnomalous());
            assertThat(fast.isWarmingUp()).as("%s: warm-up at sample %d", what, i).isEqualTo(ref.isWarmingUp());
        }
    }

    @Property(tries = 150)
    void iqrScoresAreBitIdenticalToTheSortedArray(@ForAll @IntRange(min = 4, max = 700) int window,
                                                  @ForAll @IntRange(min = 0, max = 4) int kind,
                                                  @ForAll @IntRange(min = 0, max = 100) int warm,
                                                  @ForAll long seed) {
        int minSamples = Math.min(window, 4 + warm);
        double[] xs = stream(kind, 2 * window + 300, seed);
        // the tree forced at small windows (where the public constructor picks the array) and the shipped choice
        assertSame(new IqrDetector(window, 1.5, minSamples, true),
                new ReferenceSortedArrayDetectors.Iqr(window, 1.5, minSamples), xs, "iqr (tree) window " + window + " kind " + kind);
        assertSame(new IqrDetector(window, 1.5, minSamples),
                new ReferenceSortedArrayDetectors.Iqr(window, 1.5, minSamples), xs, "iqr window " + window + " kind " + kind);
    }

    @Property(tries = 150)
    void robustZScoresAreBitIdenticalToTheSortedArray(@ForAll @IntRange(min = 3, max = 700) int window,
                                                      @ForAll @IntRange(min = 0, max = 4) int kind,
                                                      @ForAll @IntRange(min = 0, max = 100) int warm,
                                                      @ForAll long seed) {
        int minSamples = Math.min(window, 3 + warm);
        double[] xs = stream(kind, 2 * window + 300, seed);
        assertSame(new RobustZScoreDetector(window, 3.5, minSamples),
                new ReferenceSortedArrayDetectors.RobustZ(window, 3.5, minSamples), xs,
                "robust-zscore window " + window + " kind " + kind);
    }

    @Test
    void largeWindowsOverEveryStreamKindAreBitIdentical() {
        for (int kind = 0; kind <= 4; kind++) {
            double[] xs = stream(kind, 12_000, 100 + kind);
            assertSame(new IqrDetector(4096, 1.5, 30, true), new ReferenceSortedArrayDetectors.Iqr(4096, 1.5, 30), xs,
                    "iqr (tree) 4096 kind " + kind);
            assertSame(new RobustZScoreDetector(2000, 3.5, 30), new ReferenceSortedArrayDetectors.RobustZ(2000, 3.5, 30),
                    xs, "robust-zscore 2000 kind " + kind);
        }
    }

    @Test
    void iqrAboveTheCutoverUsesTheTreeAndStaysBitIdentical() {
        int window = IqrDetector.TREE_ABOVE + 904;
        for (int kind : new int[] {0, 1, 2}) {
            double[] xs = stream(kind, 3 * window, 40 + kind);
            assertSame(new IqrDetector(window, 1.5, 30), new ReferenceSortedArrayDetectors.Iqr(window, 1.5, 30), xs,
                    "iqr " + window + " kind " + kind);
        }
    }

    @Test
    void resetStartsAgainLikeANewDetector() {
        double[] xs = stream(0, 3000, 9);
        IqrDetector fast = new IqrDetector(300, 1.5, 30, true);
        for (double x : stream(1, 1000, 8)) {
            fast.update(x);
        }
        fast.reset();
        assertThat(fast.isWarmingUp()).isTrue();
        assertSame(fast, new ReferenceSortedArrayDetectors.Iqr(300, 1.5, 30), xs, "iqr after reset");
    }
}
