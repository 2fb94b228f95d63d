package dev.helix.nexus.telemetry.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The bounded selection of reported processes gives the same processes in the same order as the three stable sorts
 * of one list that {@link ProcessSensor} used before (CPU, then RSS, then growth, each descending, taking the first N
 * of each and stopping at the first idle/non-growing process), on value sets full of ties, zeros and NaNs.
 */
class TopSelectionProperties {

    /** The former picking: sort the list in place three times, taking the top N after each sort. */
    static List<Integer> reference(double[] cpu, long[] rss, double[] growth, int n, int topN) {
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            live.add(i);
        }
        List<Integer> report = new ArrayList<>();
        boolean[] reported = new boolean[n];
        Comparator<Integer> byCpu = Comparator.comparingDouble((Integer i) -> Double.isNaN(cpu[i]) ? -1 : cpu[i])
                .reversed();
        Comparator<Integer> byRss = Comparator.comparingLong((Integer i) -> rss[i]).reversed();
        Comparator<Integer> byGrowth = Comparator.comparingDouble(
                (Integer i) -> Double.isNaN(growth[i]) ? Double.NEGATIVE_INFINITY : growth[i]).reversed();
        List<Comparator<Integer>> orders = List.of(byCpu, byRss, byGrowth);
        for (int ranking = 0; ranking < 3; ranking++) {
            live.sort(orders.get(ranking));
            for (int k = 0; k < topN && k < live.size(); k++) {
                int i = live.get(k);
                if ((ranking == 0 && !(cpu[i] > 0)) || (ranking == 2 && !(growth[i] > 0))) {
                    break;
                }
                if (!reported[i]) {
                    reported[i] = true;
                    report.add(i);
                }
            }
        }
        return report;
    }

    @Provide
    Arbitrary<double[]> rates() {
        // few distinct values, so ties are the rule: NaN (not rated yet), 0, negative (shrinking), small multiples
        Arbitrary<Double> v = Arbitraries.of(Double.NaN, 0.0, -4096.0, 0.01, 0.02, 0.5, 4096.0, 8192.0, 1e9);
        return v.array(double[].class).ofMaxSize(120);
    }

    @Provide
    Arbitrary<long[]> sizes() {
        return Arbitraries.of(0L, 4096L, 8192L, 1L << 20, 1L << 30).array(long[].class).ofMaxSize(120);
    }

    @Property(tries = 2000)
    void selectionEqualsTheThreeStableSorts(@ForAll("rates") double[] cpu, @ForAll("sizes") long[] rss,
                                            @ForAll("rates") double[] growth,
                                            @ForAll @IntRange(min = 1, max = 12) int topN) {
        int n = Math.min(cpu.length, Math.min(rss.length, growth.length));
        TopSelection s = new TopSelection();
        int[] out = new int[n];
        int m = s.select(cpu, rss, growth, n, topN, out);
        assertThat(Arrays.stream(out, 0, m).boxed().toList()).isEqualTo(reference(cpu, rss, growth, n, topN));
        // the same instance again (scratch reused) gives the same answer
        assertThat(s.select(cpu, rss, growth, n, topN, new int[n])).isEqualTo(m);
    }

    @Property(tries = 300)
    void distinctValuesGiveTheTopByEachRanking(
            @ForAll @Size(max = 60) List<@IntRange(min = 1, max = 1_000_000) Integer> xs,
            @ForAll @IntRange(min = 1, max = 5) int topN) {
        int n = xs.size();
        double[] cpu = new double[n];
        long[] rss = new long[n];
        double[] growth = new double[n];
        for (int i = 0; i < n; i++) {
            cpu[i] = xs.get(i) + i * 1e-7; // distinct
            rss[i] = (long) i * 7919 % 1009;
            growth[i] = -1;
        }
        int[] out = new int[n];
        int m = new TopSelection().select(cpu, rss, growth, n, topN, out);
        assertThat(m).isEqualTo(reference(cpu, rss, growth, n, topN).size());
        assertThat(Arrays.stream(out, 0, m).boxed().toList()).isEqualTo(reference(cpu, rss, growth, n, topN));
    }
}
