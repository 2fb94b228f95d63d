package dev.helix.nexus.detect.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link OrderStatisticWindow} (counted B+-tree) against {@link SortedWindow} (the sorted array it replaces in the
 * IQR and robust z-score detectors), used as the oracle: after every add the contents, quantiles, median, MAD and
 * ordered deviation sum must be the same bits, and the tree's structural invariants must hold.
 */
class OrderStatisticWindowTest {

    /** Values that stress the order: ties, both zeros, subnormals, infinities, extremes. */
    private static final double[] POOL = {
        -0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1.0, -1.0, 1.5, 1e308, -1e308, Double.MAX_VALUE,
        -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
    };

    /** Bitwise (Double.equals) comparison: ±0.0 differ, NaN equals NaN. */
    private static void assertSameBits(double got, double want, String what, int step) {
        assertThat(Double.doubleToLongBits(got)).as("%s at step %d: got %s, want %s", what, step, got, want)
                .isEqualTo(Double.doubleToLongBits(want));
    }

    private static void assertSameState(OrderStatisticWindow tree, SortedWindow oracle, int step) {
        assertThat(tree.size()).as("size at step %d", step).isEqualTo(oracle.size());
        for (int i = 0; i < oracle.size(); i++) {
            assertSameBits(tree.get(i), oracle.get(i), "rank " + i, step);
        }
        for (double q : new double[] {0.0, 0.25, 0.5, 0.75, 1.0}) {
            assertSameBits(tree.quantile(q), oracle.quantile(q), "quantile " + q, step);
        }
        double med = oracle.median();
        if (Double.isFinite(med)) {
            assertSameBits(tree.mad(med), oracle.mad(med), "MAD", step);
            double s = 0;
            for (int i = 0; i < oracle.size(); i++) {
                s += Math.abs(oracle.get(i) - med);
            }
            assertSameBits(tree.sumAbsDeviation(med), s, "deviation sum", step);
        }
    }

    /** The same stream into both; checks the full state every {@code every} adds (and at the end). */
    private static void replay(double[] xs, int cap, int every) {
        OrderStatisticWindow tree = new OrderStatisticWindow(cap);
        SortedWindow oracle = new SortedWindow(cap);
        for (int i = 0; i < xs.length; i++) {
            tree.add(xs[i]);
            oracle.add(xs[i]);
            if (i % every == 0 || i == xs.length - 1) {
                tree.checkInvariants();
                assertSameState(tree, oracle, i);
            }
        }
    }

    @Property(tries = 200)
    void smallWindowsOnDuplicateHeavyStreamsMatchTheSortedArray(
            @ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0, max = 40) Integer> picks,
            @ForAll @IntRange(min = 1, max = 140) int cap) {
        SplittableRandom r = new SplittableRandom(picks.size() * 31L + cap);
        double[] xs = new double[picks.size()];
        for (int i = 0; i < xs.length; i++) {
            int pick = picks.get(i);
            // mostly pool values (runs of ties, ±0, ±∞), otherwise a random double of a random magnitude
            xs[i] = pick < 2 * POOL.length ? POOL[pick % POOL.length]
                    : r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
        }
        replay(xs, cap, 1);
    }

    @Property(tries = 40)
    void largeWindowsThroughSplitsMergesAndBorrowsMatchTheSortedArray(
            @ForAll @IntRange(min = 200, max = 3000) int cap,
            @ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] xs = new double[3 * cap + 500];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = switch (kind) {
                case 0 -> r.nextGaussian();                          // continuous
                case 1 -> r.nextInt(5);                              // five values: long runs of ties
                case 2 -> i % 997 < 600 ? i : -i;                    // trends: evictions at one end, inserts at the other
                default -> (i / 300) % 2 == 0 ? r.nextGaussian() : 1e6 + r.nextInt(3); // regime shifts
            };
        }
        replay(xs, cap, 97);
    }

    @Test
    void heightGrowsLogarithmically() {
        OrderStatisticWindow w = new OrderStatisticWindow(100_000);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            w.add(r.nextDouble());
        }
        w.checkInvariants();
        // ≥ 31 keys per leaf and ≥ 7 children per internal node below the root: 100,000 / 31 < 3,226 leaves,
        // at most 1 + ⌈log₈ 3,226⌉ = 5 levels of internal nodes
        assertThat(w.height()).isBetween(2, 5);
        assertThat(w.quantile(0.5)).isBetween(0.49, 0.51);
    }

    @Test
    void clearEmptiesTheWindowAndItRefillsAsNew() {
        OrderStatisticWindow w = new OrderStatisticWindow(500);
        for (int i = 0; i < 2000; i++) {
            w.add(i % 17);
        }
        w.clear();
        assertThat(w.size()).isZero();
        assertThat(w.median()).isNaN();
        w.add(2);
        w.add(1);
        w.checkInvariants();
        assertThat(w.get(0)).isEqualTo(1.0);
        assertThat(w.median()).isEqualTo(1.5);
    }

    @Test
    void nanIsRejectedWithAMessage() {
        OrderStatisticWindow w = new OrderStatisticWindow(8);
        assertThatThrownBy(() -> w.add(Double.NaN)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> new OrderStatisticWindow(0)).hasMessageContaining("capacity");
    }

    @Test
    void keysFollowDoubleCompareOrderAndMapBackToTheSameBits() {
        assertThat(OrderStatisticWindow.value(OrderStatisticWindow.key(-0.0))).isEqualTo(-0.0);
        assertThat(OrderStatisticWindow.key(-0.0)).isLessThan(OrderStatisticWindow.key(0.0));
        assertThat(OrderStatisticWindow.key(-Double.MIN_VALUE)).isLessThan(OrderStatisticWindow.key(-0.0));
        assertThat(OrderStatisticWindow.key(Double.NEGATIVE_INFINITY)).isLessThan(OrderStatisticWindow.key(-Double.MAX_VALUE));
    }
}
