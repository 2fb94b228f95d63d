package dev.helix.nexus.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class DurationsPropertyTest {

    /** Up to 100 years: far beyond any sensible setting, within what a Duration can hold in nanoseconds. */
    private static final long MAX_MILLIS = 100L * 365 * 24 * 3600 * 1000;

    @Property(tries = 2000)
    void formatThenParseIsIdentityForPositiveMillis(@ForAll @LongRange(min = 1, max = MAX_MILLIS) long millis) {
        Duration d = Duration.ofMillis(millis);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }

    @Property(tries = 500)
    void formatThenParseIsIdentityForAnyNanos(@ForAll @LongRange(min = 0, max = 9_000_000_000_000_000_000L) long nanos) {
        Duration d = Duration.ofNanos(nanos);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
}
