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
 * <p>Detectors are created lazily per series by the factory, which returns {@code null} for series not to watch
 * (asked once per series). Each series costs one hash-map lookup per tick (its detector, or the mark that it is not
 * watched, and its episode counters live in one entry), plus, for a snapshot other than the engine's own
 * {@link LatestValues}, the snapshot's lookup of its value. O(series) per tick; allocation-free for normal verdicts.
 * Tick thread only.
 */
public final class UnderstandDomain implements DomainHandler {

    /**
     * What Understand keeps for one series: its detector ({@code null} for a series not watched, see
     * {@link #UNWATCHED}), the length in samples of its current anomalous episode (0 while its last verdict was
     * normal) and of its last finished episode (-1 before the first one ended).
     */
    private static final class Series {
        final Detector detector;
        long episode;
        long lastEpisode = -1;

        Series(Detector detector) {
            this.detector = detector;
        }
    }

    /** The one state shared by every series the factory declined to watch (it holds nothing per series). */
    private static final Series UNWATCHED = new Series(null);

    private final Function<MetricKey, Detector> factory;
    /** One entry per series seen: one lookup per series per tick, watched or not. */
    private final Map<MetricKey, Series> series = new HashMap<>();
    private int watched;
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
                long ts = o.timestampMillis();
                if (o.telemetry() instanceof LatestValues lv) {
                    // same series, values and order as keys() + latest(key), without a second lookup per series
                    lv.forEachLatest((key, v) -> observe(ctx, key, v, ts));
                } else {
                    for (MetricKey key : o.telemetry().keys()) {
                        observe(ctx, key, o.telemetry().latest(key), ts);
                    }
                }
            }
        }
    }

    /** Feeds one series' latest value to its detector, if it has one. One map lookup; allocation-free when normal. */
    private void observe(TickContext ctx, MetricKey key, double v, long ts) {
        Series s = seriesFor(key);
        Detector d = s.detector;
        if (d == null || !Double.isFinite(v)) {
            return;
        }
        double score = d.update(v);
        if (d.isAnomalous()) {
            anomalies++;
            Anomaly a = new Anomaly(key, v, score, d.name(), ts);
            ctx.send(Domain.REASON, Priority.HIGH, a);
            ctx.send(Domain.MEMORY, Priority.NORMAL, a);
            if (s.episode > 0) {
                s.episode++; // still anomalous: no new event
                return;
            }
            s.episode = 1;
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("value", v);
            ev.put("score", score);
            ev.put("detector", d.name());
            if (s.lastEpisode >= 0) {
                ev.put("previousEpisodeSamples", s.lastEpisode);
            }
            ctx.event(new NexusEvent(ts, EventCategory.DETECTION, "anomaly", key.toString(),
                    "value " + v + " is anomalous for " + key.name(), ev));
        } else if (s.episode > 0) {
            s.lastEpisode = s.episode;
            s.episode = 0;
        }
    }

    private Series seriesFor(MetricKey key) {
        Series s = series.get(key);
        if (s == null) {
            Detector d = factory.apply(key);
            if (d == null) {
                s = UNWATCHED;
            } else {
                s = new Series(d);
                watched++;
            }
            series.put(key, s);
        }
        return s;
    }

    /** Anomalies found so far. */
    public long anomalies() {
        return anomalies;
    }

    /** Number of series with a detector. */
    public int watched() {
        return watched;
    }
}
