package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.bus.Priority;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs every sensor once per tick, keeps the latest values, forwards each sample to an optional downstream sink (the
 * telemetry store) and sends one {@link Observation} to Understand. A sensor that throws (an exception, a
 * {@link LinkageError} or an {@link InternalError}) or reports FAILED/DEGRADED is reported as a problem, logged once per
 * change of health, and the other sensors go on.
 *
 * <p>Tick thread only, except {@link #health()} which may be read from any thread.
 */
public final class SenseDomain implements DomainHandler {

    private final List<Sensor> sensors = new CopyOnWriteArrayList<>();
    private final LatestValues latest = new LatestValues();
    private final Map<String, SensorHealth> health = new java.util.concurrent.ConcurrentHashMap<>();
    private final MetricSink sink;

    /** @param downstream receives every sample after the latest-value table (may be {@code null}) */
    public SenseDomain(List<Sensor> sensors, MetricSink downstream) {
        this.sensors.addAll(sensors);
        this.sink = downstream == null ? latest : new Tee(latest, downstream);
    }

    /** Adds a sensor at run time. */
    public void add(Sensor s) {
        sensors.add(s);
    }

    @Override
    public Domain domain() {
        return Domain.SENSE;
    }

    @Override
    public void onTick(TickContext ctx) {
        long ts = ctx.timestampMillis();
        for (Sensor s : sensors) {
            SensorHealth h;
            try {
                s.sample(sink, ts);
                h = s.health();
            } catch (Exception | LinkageError | InternalError e) {
                // InternalError: the JDK's management natives throw it for an OS error, e.g.
                // UnixOperatingSystemMXBean.getOpenFileDescriptorCount where /proc/self/fd cannot be opened
                h = SensorHealth.failed(s.name(), e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (h == null) {
                h = SensorHealth.failed(s.name(), "sensor returned no health");
            }
            SensorHealth before = health.put(s.name(), h);
            if (h.status() == SensorHealth.Status.FAILED) {
                ctx.reportProblem("sensor:" + s.name(), h.reason());
            }
            if (before == null ? !h.isHealthy() : !before.equals(h)) {
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("status", h.status().name());
                ev.put("source", h.source());
                ctx.event(new NexusEvent(ts, EventCategory.OBSERVATION, "sensor.health", "sensor:" + s.name(),
                        h.isHealthy() ? "sensor healthy again" : h.reason(), ev));
            }
        }
        ctx.send(Domain.UNDERSTAND, Priority.NORMAL, new Observation(latest, ts));
    }

    /** The latest values of every series. */
    public LatestValues latest() {
        return latest;
    }

    /** Health of every sensor after its last sample. */
    public Map<String, SensorHealth> health() {
        return Map.copyOf(health);
    }

    /** The sensors. */
    public List<Sensor> sensors() {
        return List.copyOf(sensors);
    }

    private record Tee(MetricSink a, MetricSink b) implements MetricSink {
        @Override
        public void record(MetricKey key, double value, long timestampMillis) {
            a.record(key, value, timestampMillis);
            b.record(key, value, timestampMillis);
        }
    }
}
