package dev.helix.nexus.telemetry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.HdrHistogram.IntCountsHistogram;

/**
 * The incrementally kept window of {@link SyscallLatencySensor.LatencyWindow} (a timing counted in on add, the
 * evicted one counted out) reports exactly what the round-3 code reported: a histogram reset and refilled from the
 * last {@code capacity} timings before every read, with its own maximum.
 */
class LatencyWindowEquivalenceProperties {

    private static final double[] QUANTILES = {0.0, 0.5, 0.9, 0.99, 0.999, 1.0};

    @Property(tries = 300)
    void quantilesAndMaximumEqualAHistogramRebuiltFromTheWindow(
            @ForAll("timings") List<Long> timings, @ForAll @IntRange(min = 1, max = 40) int capacity,
            @ForAll @IntRange(min = 1, max = 9) int readEvery) {
        SyscallLatencySensor.LatencyWindow w = new SyscallLatencySensor.LatencyWindow(capacity);
        for (int i = 0; i < timings.size(); i++) {
            w.add(timings.get(i));
            if ((i + 1) % readEvery == 0 || i == timings.size() - 1) {
                w.rebuild();
                IntCountsHistogram rebuilt = new IntCountsHistogram(1, SyscallLatencySensor.LatencyWindow.HIGHEST_NANOS, 2);
                for (int j = Math.max(0, i + 1 - capacity); j <= i; j++) {
                    rebuilt.recordValue(Math.max(1, Math.min(SyscallLatencySensor.LatencyWindow.HIGHEST_NANOS,
                            timings.get(j))));
                }
                assertThat(w.size()).isEqualTo((int) rebuilt.getTotalCount());
                for (double q : QUANTILES) {
                    assertThat(w.quantileNanos(q)).as("q=%s after %d timings", q, i + 1)
                            .isEqualTo(rebuilt.getValueAtPercentile(q * 100.0));
                }
                assertThat(w.maxNanos()).as("max after %d timings", i + 1).isEqualTo(rebuilt.getMaxValue());
            }
        }
    }

    @Provide
    Arbitrary<List<Long>> timings() {
        Arbitrary<Long> small = Arbitraries.longs().between(-5, 5_000); // includes values clamped to 1 ns
        Arbitrary<Long> wide = Arbitraries.longs().between(1, 20_000_000_000L); // includes values clamped to 10 s
        Arbitrary<Long> spike = Arbitraries.of(1L, 999L, 1_000_000L, Long.MAX_VALUE);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, small), net.jqwik.api.Tuple.of(3, wide), net.jqwik.api.Tuple.of(1, spike))
                .list().ofMinSize(1).ofMaxSize(150);
    }
}
