package dev.helix.nexus.core.clock;

/**
 * The engine's source of time, injected everywhere so that tests can step time by hand ({@link ManualClock}).
 *
 * <p>Implementations are thread-safe.
 */
public interface EngineClock {

    /** Wall-clock time in milliseconds since the epoch. */
    long wallMillis();

    /** A monotonic reading in nanoseconds, for measuring durations; its origin is arbitrary. */
    long monotonicNanos();

    /**
     * Waits until {@link #monotonicNanos()} has advanced by at least {@code nanos}. The manual clock advances itself
     * instead of waiting, which makes a scheduled loop deterministic in tests.
     */
    void sleepNanos(long nanos) throws InterruptedException;

    /** The real system clock. */
    static EngineClock system() {
        return SystemClock.INSTANCE;
    }
}
