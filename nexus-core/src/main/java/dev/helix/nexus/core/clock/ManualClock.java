package dev.helix.nexus.core.clock;

import java.time.Duration;

/**
 * A clock that moves only when told to: {@link #advance(Duration)}, or {@link #sleepNanos(long)} which advances
 * instead of waiting. Shipped in main (as Micrometer ships {@code MockClock}) so every module's tests can use it.
 *
 * <p>Thread-safe.
 */
public final class ManualClock implements EngineClock {

    private long wallMillis;
    private long nanos;

    /** Starts at the given wall time, monotonic reading 0. */
    public ManualClock(long startWallMillis) {
        this.wallMillis = startWallMillis;
    }

    /** Starts at 2026-01-01T00:00:00Z. */
    public ManualClock() {
        this(1_767_225_600_000L);
    }

    @Override
    public synchronized long wallMillis() {
        return wallMillis;
    }

    @Override
    public synchronized long monotonicNanos() {
        return nanos;
    }

    /** Moves both readings forward. */
    public synchronized void advance(Duration d) {
        advanceNanos(d.toNanos());
    }

    /** Moves both readings forward by {@code delta} nanoseconds (not backward). */
    public synchronized void advanceNanos(long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException("a clock does not go backwards: " + delta + " ns");
        }
        long before = nanos;
        nanos += delta;
        wallMillis += (nanos / 1_000_000L) - (before / 1_000_000L);
    }

    @Override
    public void sleepNanos(long nanos) {
        if (nanos > 0) {
            advanceNanos(nanos);
        }
    }
}
