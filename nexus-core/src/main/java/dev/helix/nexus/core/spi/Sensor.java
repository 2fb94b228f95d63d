package dev.helix.nexus.core.spi;

/**
 * A telemetry source polled once per tick by the Sense domain (plug-in point of the Sense issue).
 *
 * <p>Contract: {@link #sample} writes every metric the sensor can read to the sink and returns; it must not
 * throw for expected trouble (a missing file, a malformed line, an endpoint that is down) but report it through
 * {@link #health()} and keep producing what it can. An exception escaping {@code sample} is treated by the engine
 * as a sensor failure: the engine goes to Degraded and keeps running the other sensors.
 *
 * <p>Sensors are called from the tick thread only; they need not be thread-safe unless documented.
 */
public interface Sensor extends AutoCloseable {

    /** A short stable name, e.g. {@code proc-stat}, used in logs, events and health reports. */
    String name();

    /**
     * Reads the source once and records each metric.
     *
     * @param sink            where samples go
     * @param timestampMillis the tick's wall-clock time, used as every sample's timestamp
     */
    void sample(MetricSink sink, long timestampMillis) throws Exception;

    /** The outcome of the last {@link #sample} call. */
    SensorHealth health();

    /**
     * A sensor for a configured source that cannot be read at all: FAILED with {@code reason} (from {@code source})
     * on every tick, records nothing — a typo in a target list shows in the health report instead of being dropped.
     */
    static Sensor unusable(String name, String source, String reason) {
        return new UnusableSensor(name, SensorHealth.failed(source, reason));
    }

    /** Releases files, connections or recordings held by the sensor. */
    @Override
    default void close() {
    }
}
