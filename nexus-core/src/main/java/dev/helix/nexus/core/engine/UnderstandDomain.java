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
 * fixed-threshold verdict) to Reason and Memory. An {@code anomaly} event is written when a series <em>enters</em>
 * the anomalous state (its previous verdict was normal), not for every anomalous sample, so a series that stays
 * anomalous for minutes writes one event rather than one per tick; the event carries the number of anomalous samples
 * of the series' previous episode. {@link #anomalies()} still counts every anomalous sample.
 *
 * <p>Detectors are created lazily per series by the factory, which returns {@code null} for series not to watch.
 * Tick thread only.
 */
public final class UnderstandDomain implements DomainHandler {

    private final Function<MetricKey, Detector> factory;
    private final Map<MetricKey, Detector> detectors = new HashMap<>();
    private final Map<MetricKey, Boolean> unwatched = new HashMap<>();
    /** Series whose last verdict was anomalous, with the length of the current episode in samples. */
    private final Map<MetricKey, long[]> episodes = new HashMap<>();
    /** Length of each series' last finished episode (for the next event's evidence). */
    private final Map<MetricKey, Long> lastEpisode = new HashMap<>();
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
                        long[] episode = episodes.get(key);
                        if (episode != null) {
                            episode[0]++; // still anomalous: no new event
                            continue;
                        }
                        episodes.put(key, new long[] {1});
                        Map<String, Object> ev = new LinkedHashMap<>();
                        ev.put("value", v);
                        ev.put("score", score);
                        ev.put("detector", d.name());
                        Long previous = lastEpisode.get(key);
                        if (previous != null) {
                            ev.put("previousEpisodeSamples", previous);
                        }
                        ctx.event(new NexusEvent(o.timestampMillis(), EventCategory.DETECTION, "anomaly", key.toString(),
                                "value " + v + " is anomalous for " + key.name(), ev));
                    } else {
                        long[] ended = episodes.remove(key);
                        if (ended != null) {
                            lastEpisode.put(key, ended[0]);
                        }
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
