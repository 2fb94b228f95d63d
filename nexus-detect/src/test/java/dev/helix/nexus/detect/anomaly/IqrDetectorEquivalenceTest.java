package dev.helix.nexus.detect.anomaly;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IqrDetector} against a naive reference of its documented rule (copy the window, sort it, type-7 quartiles,
 * IQR floored at 1e-12·max(1, |median|), d / (d + k)): the scores and verdicts must be identical bit for bit.
 */
class IqrDetectorEquivalenceTest {

    /** The documented IQR rule, computed from scratch for every sample. */
    private static final class NaiveIqr {
        private final int window;
        private final double k;
        private final int minSamples;
        private final ArrayDeque<Double> values = new ArrayDeque<>();
        boolean anomalous;

        NaiveIqr(int window, double k, int minSamples) {
            this.window = window;
            this.k = k;
            this.minSamples = minSamples;
        }

        private static double quantile(double[] s, double q) {
            double h = (s.length - 1) * q;
            int lo = (int) Math.floor(h);
            int hi = Math.min(lo + 1, s.length - 1);
            return s[lo] + (h - lo) * (s[hi] - s[lo]);
        }

        double update(double x) {
            anomalous = false;
            if (!Double.isFinite(x)) {
                return 0.0;
            }
            double score = 0.0;
            if (values.size() >= minSamples) {
                double[] s = values.stream().mapToDouble(Double::doubleValue).toArray();
                Arrays.sort(s);
                double q1 = quantile(s, 0.25);
                double q3 = quantile(s, 0.75);
                double iqr = Math.max(q3 - q1, 1e-12 * Math.max(1.0, Math.abs(quantile(s, 0.5))));
                double d = x > q3 ? (x - q3) / iqr : (x < q1 ? (q1 - x) / iqr : 0.0);
                if (d > 1e12) {
                    d = 1e12;
                }
                anomalous = d > k;
                score = d / (d + k);
            }
            values.addLast(x);
            if (values.size() > window) {
                values.removeFirst();
            }
            return score;
        }
    }

    private static void assertSame(double[] xs, int window, double k, int minSamples) {
        IqrDetector fast = new IqrDetector(window, k, minSamples);
        NaiveIqr ref = new NaiveIqr(window, k, minSamples);
        for (int i = 0; i < xs.length; i++) {
            double want = ref.update(xs[i]);
            double got = fast.update(xs[i]);
            assertThat(got).as("sample %d (x = %s), window %d", i, xs[i], window).isEqualTo(want);
            assertThat(fast.isAnomalous()).as("verdict at sample %d", i).isEqualTo(ref.anomalous);
        }
    }

    @Test
    void defaultDetectorOnNoisySpikyStreamsWithPlateausIsBitIdentical() {
        SplittableRandom r = new SplittableRandom(5);
        double[] xs = new double[6000];
        for (int i = 0; i < xs.length; i++) {
            int regime = (i / 700) % 4;
            xs[i] = switch (regime) {
                case 0 -> 50 + 5 * r.nextGaussian() + (r.nextDouble() < 0.01 ? 30 : 0);
                case 1 -> 3.0; // constant: zero IQR, floored
                case 2 -> r.nextInt(3) == 0 ? -0.0 : (r.nextBoolean() ? 0.0 : 1e-13 * r.nextInt(3)); // tiny IQR
                default -> r.nextDouble() < 0.02 ? Double.NaN : 1e9 + r.nextGaussian(); // large level, NaN gaps
            };
        }
        assertSame(xs, 512, 1.5, 30);
    }

    @Property(tries = 100)
    void randomWindowsAndStreamsAreBitIdentical(@ForAll @Size(min = 1, max = 300) List<@IntRange(min = -3, max = 3) Integer> steps,
                                                @ForAll @IntRange(min = 4, max = 40) int window,
                                                @ForAll @IntRange(min = 0, max = 36) int warm) {
        int minSamples = Math.min(window, 4 + warm);
        double[] xs = new double[steps.size()];
        double level = 0;
        for (int i = 0; i < xs.length; i++) {
            level += steps.get(i) * 0.25;
            xs[i] = steps.get(i) == 0 ? -0.0 : level; // random walk on a coarse grid: many ties, signed zeros
        }
        assertSame(xs, window, 1.5, minSamples);
    }
}
