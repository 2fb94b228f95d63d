package dev.helix.nexus.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class CounterRatesTest {

    @Test
    void firstReadingGivesNoRateThenRatePerSecond() {
        CounterRates r = new CounterRates();
        assertThat(r.rate("k", 100, 1_000)).isNaN();
        assertThat(r.rate("k", 600, 3_000)).isEqualTo(250.0);
    }

    @Test
    void resetGivesNoRateForThatTickThenRatesFromNewBase() {
        CounterRates r = new CounterRates();
        r.rate("k", 1_000_000, 1_000);
        assertThat(r.rate("k", 50, 2_000)).isNaN();
        assertThat(r.resets()).isEqualTo(1);
        assertThat(r.rate("k", 150, 3_000)).isEqualTo(100.0);
    }

    @Test
    void wrapOf32BitCounterUsesWrappedDelta() {
        CounterRates r = new CounterRates();
        r.rate("k", 0xFFFF_FF00L, 1_000, 32);
        assertThat(r.rate("k", 0x100L, 2_000, 32)).isEqualTo(512.0);
        assertThat(r.wraps()).isEqualTo(1);
    }

    @Test
    void wrapOf64BitCounterUsesUnsignedDelta() {
        CounterRates r = new CounterRates();
        r.rate("k", -10L, 1_000); // 2^64 - 10 as unsigned
        assertThat(r.rate("k", 10L, 2_000)).isEqualTo(20.0);
    }

    @Test
    void smallDropOf32BitCounterIsAResetNotAWrap() {
        CounterRates r = new CounterRates();
        r.rate("k", 1_000, 1_000, 32);
        assertThat(r.rate("k", 5, 2_000, 32)).isNaN();
    }

    @Test
    void sameOrEarlierTimestampGivesNoRateAndKeepsOldReading() {
        CounterRates r = new CounterRates();
        r.rate("k", 100, 1_000);
        assertThat(r.rate("k", 200, 1_000)).isNaN();
        assertThat(r.rate("k", 200, 500)).isNaN();
        assertThat(r.rate("k", 300, 2_000)).isEqualTo(200.0);
    }

    /** Whatever the sequence of readings, a rate is NaN or a finite non-negative number no larger than possible. */
    @Property(tries = 500)
    void rateIsNeverNegativeNorASpike(@ForAll long a, @ForAll long b, @ForAll @IntRange(min = 1, max = 100_000) int dt,
                                      @ForAll boolean narrow) {
        CounterRates r = new CounterRates();
        int width = narrow ? 32 : 64;
        r.rate("k", a, 0, width);
        double rate = r.rate("k", b, dt, width);
        if (!Double.isNaN(rate)) {
            assertThat(rate).isFinite().isGreaterThanOrEqualTo(0);
            // a wrap or an increase is at most a quarter of the range (for wraps) or the plain difference
            double max = Math.max(Texts.unsignedToDouble(b - a), 0) * 1000.0 / dt;
            assertThat(rate).isLessThanOrEqualTo(max * (1 + 1e-12) + 1e-9);
        }
    }

    @Property(tries = 300)
    void monotonicCounterGivesExactRate(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 4) long start,
                                        @ForAll @LongRange(min = 0, max = 1_000_000_000L) long inc,
                                        @ForAll @IntRange(min = 1, max = 60_000) int dt) {
        CounterRates r = new CounterRates();
        r.rate("k", start, 10);
        assertThat(r.rate("k", start + inc, 10 + dt)).isCloseTo(inc * 1000.0 / dt, org.assertj.core.data.Offset.offset(1e-6 * (1 + inc * 1000.0 / dt)));
    }
}
