package dev.helix.nexus.core.spi;

import java.util.Objects;

/**
 * The health of a telemetry source after its last sample: healthy, degraded (some metrics missing) or failed.
 *
 * @param status what state the source is in
 * @param source what was read (a file such as {@code /proc/pressure/io}, an URL, an MBean)
 * @param reason why it is not healthy; empty when healthy
 */
public record SensorHealth(Status status, String source, String reason) {

    /** The three states of a source. */
    public enum Status { HEALTHY, DEGRADED, FAILED }

    public SensorHealth {
        Objects.requireNonNull(status, "status");
        source = source == null ? "" : source;
        reason = reason == null ? "" : reason;
    }

    /** A healthy source. */
    public static SensorHealth healthy(String source) {
        return new SensorHealth(Status.HEALTHY, source, "");
    }

    /** A source that still produces some metrics but not all. */
    public static SensorHealth degraded(String source, String reason) {
        return new SensorHealth(Status.DEGRADED, source, reason);
    }

    /** A source that produced nothing. */
    public static SensorHealth failed(String source, String reason) {
        return new SensorHealth(Status.FAILED, source, reason);
    }

    /** True unless FAILED or DEGRADED. */
    public boolean isHealthy() {
        return status == Status.HEALTHY;
    }
}
