package dev.helix.nexus.core.clock;

import java.util.concurrent.TimeUnit;

/** The real clock: {@link System#currentTimeMillis()} and {@link System#nanoTime()}. Thread-safe. */
public final class SystemClock implements EngineClock {

    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }
}
