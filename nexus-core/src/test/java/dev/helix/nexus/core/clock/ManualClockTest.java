package dev.helix.nexus.core.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void startsAtTheGivenWallTimeWithMonotonicZero() {
        ManualClock c = new ManualClock(42L);
        assertThat(c.wallMillis()).isEqualTo(42L);
        assertThat(c.monotonicNanos()).isZero();
        assertThat(new ManualClock().wallMillis()).isEqualTo(1_767_225_600_000L);
    }

    @Test
    void advanceMovesBothReadings() {
        ManualClock c = new ManualClock(1_000L);
        c.advance(Duration.ofMillis(1_500));
        assertThat(c.wallMillis()).isEqualTo(2_500L);
        assertThat(c.monotonicNanos()).isEqualTo(1_500_000_000L);
    }

    @Test
    void subMillisecondStepsAddUpOnTheWallClock() {
        ManualClock c = new ManualClock(0L);
        for (int i = 0; i < 10; i++) {
            c.advanceNanos(300_000); // 0.3 ms
        }
        assertThat(c.monotonicNanos()).isEqualTo(3_000_000L);
        assertThat(c.wallMillis()).isEqualTo(3L);
    }

    @Test
    void sleepAdvancesInsteadOfWaiting() {
        ManualClock c = new ManualClock(0L);
        c.sleepNanos(5_000_000L);
        c.sleepNanos(-1);
        c.sleepNanos(0);
        assertThat(c.monotonicNanos()).isEqualTo(5_000_000L);
        assertThat(c.wallMillis()).isEqualTo(5L);
    }

    @Test
    void doesNotGoBackwards() {
        ManualClock c = new ManualClock(0L);
        assertThatThrownBy(() -> c.advanceNanos(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not go backwards");
        assertThatThrownBy(() -> c.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void systemClockIsMonotonic() {
        EngineClock c = EngineClock.system();
        long a = c.monotonicNanos();
        long b = c.monotonicNanos();
        assertThat(b).isGreaterThanOrEqualTo(a);
        assertThat(c.wallMillis()).isPositive();
    }
}
