package dev.helix.nexus.core.spi;

import java.util.Objects;

/**
 * A configured source that cannot be read at all (a malformed target, say): {@link SensorHealth.Status#FAILED} with
 * the same reason on every tick, records nothing, so that the mistake shows in health reports instead of being
 * dropped. Made by {@link Sensor#unusable}. Immutable and thread-safe.
 */
record UnusableSensor(String name, SensorHealth health) implements Sensor {

    UnusableSensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(health, "health");
    }

    @Override
    public void sample(MetricSink sink, long timestampMillis) {
        // nothing to read: the health says why
    }
}
