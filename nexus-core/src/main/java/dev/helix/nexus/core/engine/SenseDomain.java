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
 * {@link LinkageError} or an {@link InternalError}) or reports FAILED is reported as a problem (see
 * {@link TickContext#reportProblem}), and the other sensors go on.
 *
 * <p>A {@code sensor.health} event is logged when a sensor's status or source changes, and when its reason changes to
 * a text not yet logged since the status last changed (at most {@value #MAX_REASONS_LOGGED} texts per status, so a
 * reason that carries a changing number, such as "no answer after 1014 ms", cannot log every tick).
 *
 * <p>Tick thread only, except {@link #health()} which may be read from any thread.
 */
public final class SenseDomain implements DomainHandler {

    private final List<Sensor> sensors = new CopyOnWriteArrayList<>();
    private final LatestValues latest = new LatestValues();
    /** Most distinct reasons logged for one sensor while its status stays the same. */
    public static final int MAX_REASONS_LOGGED = 16;

    private final Map<String, SensorHealth> health = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, java.util.Set<String>> reasonsLogged = new java.util.HashMap<>();
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
            if (shouldLog(s.name(), before, h)) {
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("status", h.status().name());
                ev.put("source", h.source());
                ctx.event(new NexusEvent(ts, EventCategory.OBSERVATION, "sensor.health", "sensor:" + s.name(),
                        h.isHealthy() ? "sensor healthy again" : h.reason(), ev));
            }
        }
        ctx.send(Domain.UNDERSTAND, Priority.NORMAL, new Observation(latest, ts));
    }

    /** Whether a health change is worth a {@code sensor.health} event; remembers the reasons logged. */
    private boolean shouldLog(String sensor, SensorHealth before, SensorHealth now) {
        java.util.Set<String> logged = reasonsLogged.computeIfAbsent(sensor, k -> new java.util.HashSet<>());
        if (before == null || before.status() != now.status() || !before.source().equals(now.source())) {
            logged.clear();
            logged.add(now.reason());
            return before == null ? !now.isHealthy() : true;
        }
        if (now.isHealthy() || before.reason().equals(now.reason()) || logged.size() >= MAX_REASONS_LOGGED) {
            return false;
        }
        return logged.add(now.reason());
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
