package dev.helix.nexus.core.spi;

import java.util.Set;

/**
 * Read access to the latest value of each series, as seen by the tick that is running.
 *
 * <p>Valid only during the tick that handed it out; not thread-safe.
 */
public interface TelemetrySnapshot {

    /** Every series that has a value. */
    Set<MetricKey> keys();

    /** The latest value of a series, or NaN when it has none. */
    double latest(MetricKey key);
}
