package dev.helix.nexus.detect.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SortedWindowTest {

    @Property(tries = 200)
    void orderStatisticsMatchANaiveSort(@ForAll @Size(min = 1, max = 300) List<@IntRange(min = -50, max = 50) Integer> xs,
                                        @ForAll @IntRange(min = 1, max = 40) int cap) {
        SortedWindow w = new SortedWindow(cap);
        ArrayDeque<Double> ref = new ArrayDeque<>();
        for (int x : xs) {
            w.add(x);
            ref.addLast((double) x);
            if (ref.size() > cap) {
                ref.removeFirst();
            }
            double[] s = ref.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            assertThat(w.size()).isEqualTo(s.length);
            for (int i = 0; i < s.length; i++) {
                assertThat(w.get(i)).isEqualTo(s[i]);
            }
            double med = s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
            assertThat(w.median()).isCloseTo(med, within(1e-9));
            double[] dev = Arrays.stream(s).map(v -> Math.abs(v - med)).sorted().toArray();
            double mad = dev.length % 2 == 1 ? dev[dev.length / 2] : 0.5 * (dev[dev.length / 2 - 1] + dev[dev.length / 2]);
            assertThat(w.mad(med)).isCloseTo(mad, within(1e-9));
        }
    }

    /** Values that stress the replacement path: ties, both zeros, the smallest subnormals, extremes. */
    private static final double[] POOL = {
        -0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 2 * Double.MIN_VALUE, 1.0, -1.0, 1.5, 1e308, -1e308,
        Double.MAX_VALUE, -Double.MAX_VALUE
    };

    @Property(tries = 300)
    void contentsAreBitForBitANaiveSortInDoubleCompareOrder(
            @ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0, max = 40) Integer> picks,
            @ForAll @IntRange(min = 1, max = 33) int cap) {
        SortedWindow w = new SortedWindow(cap);
        ArrayDeque<Double> ref = new ArrayDeque<>();
        Random r = new Random(picks.size() * 31L + cap);
        for (int pick : picks) {
            // mostly pool values (ties, ±0), otherwise a random double of a random magnitude
            double x = pick < 2 * POOL.length ? POOL[pick % POOL.length]
                    : r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
            w.add(x);
            ref.addLast(x);
            if (ref.size() > cap) {
                ref.removeFirst();
            }
            double[] s = ref.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(s); // Double.compare order: -0.0 before 0.0
            double[] got = new double[w.size()];
            for (int i = 0; i < got.length; i++) {
                got[i] = w.get(i);
            }
            assertThat(got).containsExactly(s); // Double.equals: bitwise, so -0.0 != 0.0
        }
    }

    @Test
    void quantilesUseType7Interpolation() {
        SortedWindow w = new SortedWindow(10);
        for (double v : new double[] {1, 2, 3, 4}) {
            w.add(v);
        }
        // numpy.quantile([1,2,3,4], [.25,.5,.75]) = 1.75, 2.5, 3.25
        assertThat(w.quantile(0.25)).isEqualTo(1.75);
        assertThat(w.median()).isEqualTo(2.5);
        assertThat(w.quantile(0.75)).isEqualTo(3.25);
    }

    @Test
    void randomStreamsStayConsistentAfterManyEvictions() {
        Random r = new Random(7);
        SortedWindow w = new SortedWindow(64);
        for (int i = 0; i < 10_000; i++) {
            w.add(r.nextGaussian());
        }
        for (int i = 1; i < w.size(); i++) {
            assertThat(w.get(i)).isGreaterThanOrEqualTo(w.get(i - 1));
        }
    }

    @Test
    void oldestIsTheValueTheNextAddEvictsOnceFull() {
        SortedWindow w = new SortedWindow(3);
        w.add(5);
        w.add(1);
        assertThat(w.oldest()).isNaN(); // not full: nothing is evicted
        w.add(3);
        assertThat(w.oldest()).isEqualTo(5.0);
        w.add(5); // evicts the 5, adds a bitwise equal 5: the sorted contents stay [1, 3, 5]
        assertThat(new double[] {w.get(0), w.get(1), w.get(2)}).containsExactly(1.0, 3.0, 5.0);
        assertThat(w.oldest()).isEqualTo(1.0);
    }
}
