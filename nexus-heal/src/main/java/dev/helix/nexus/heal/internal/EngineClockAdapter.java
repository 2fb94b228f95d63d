package dev.helix.nexus.heal.internal;

import dev.helix.nexus.core.clock.EngineClock;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A {@link java.time.Clock} view of an {@link EngineClock}, so resilience4j runs on the engine's time. Thread-safe. */
public final class EngineClockAdapter extends Clock {

    private final EngineClock clock;

    public EngineClockAdapter(EngineClock clock) {
        this.clock = clock;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(clock.wallMillis());
    }

    @Override
    public long millis() {
        return clock.wallMillis();
    }
}
