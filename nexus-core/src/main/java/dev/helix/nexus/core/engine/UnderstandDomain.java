package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.bus.Message;
import dev.helix.nexus.core.bus.Priority;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Feeds each series of each {@link Observation} to its own detector and sends every anomaly (the detector's own
 * fixed-threshold verdict) to Reason and Memory, with an event.
 *
 * <p>Detectors are created lazily per series by the factory, which returns {@code null} for series not to watch.
 * Tick thread only.
 */
public final class UnderstandDomain implements DomainHandler {

    private final Function<MetricKey, Detector> factory;
    private final Map<MetricKey, Detector> detectors = new HashMap<>();
    private final Map<MetricKey, Boolean> unwatched = new HashMap<>();
    private long anomalies;

    public UnderstandDomain(Function<MetricKey, Detector> factory) {
        this.factory = factory;
    }

    @Override
    public Domain domain() {
        return Domain.UNDERSTAND;
    }

    @Override
    public void onTick(TickContext ctx) {
        for (Message m : ctx.inbox()) {
            if (m.payload() instanceof Observation o) {
                for (MetricKey key : o.telemetry().keys()) {
                    Detector d = detectorFor(key);
                    if (d == null) {
                        continue;
                    }
                    double v = o.telemetry().latest(key);
                    if (!Double.isFinite(v)) {
                        continue;
                    }
                    double score = d.update(v);
                    if (d.isAnomalous()) {
                        anomalies++;
                        Anomaly a = new Anomaly(key, v, score, d.name(), o.timestampMillis());
                        ctx.send(Domain.REASON, Priority.HIGH, a);
                        ctx.send(Domain.MEMORY, Priority.NORMAL, a);
                        Map<String, Object> ev = new LinkedHashMap<>();
                        ev.put("value", v);
                        ev.put("score", score);
                        ev.put("detector", d.name());
                        ctx.event(new NexusEvent(o.timestampMillis(), EventCategory.DETECTION, "anomaly", key.toString(),
                                "value " + v + " is anomalous for " + key.name(), ev));
                    }
                }
            }
        }
    }

    private Detector detectorFor(MetricKey key) {
        Detector d = detectors.get(key);
        if (d == null && !unwatched.containsKey(key)) {
            d = factory.apply(key);
            if (d == null) {
                unwatched.put(key, Boolean.TRUE);
            } else {
                detectors.put(key, d);
            }
        }
        return d;
    }

    /** Anomalies found so far. */
    public long anomalies() {
        return anomalies;
    }

    /** Number of series with a detector. */
    public int watched() {
        return detectors.size();
    }
}
