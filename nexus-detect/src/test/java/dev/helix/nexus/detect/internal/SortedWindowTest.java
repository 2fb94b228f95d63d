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
}
