package dev.helix.nexus.agent.live;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.bus.Message;
import dev.helix.nexus.core.engine.DomainHandler;
import dev.helix.nexus.core.engine.Observation;
import dev.helix.nexus.core.engine.TickContext;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.detect.anomaly.HostConsensus;
import dev.helix.nexus.detect.anomaly.HostVectorForest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The per-host decision of the live agent: every {@code host_*} series' detector is wrapped by {@link #watch} so that
 * its score and verdict also reach a {@link HostConsensus}; after the Understand domain has run the per-series
 * detectors of a tick, this handler (registered after it, in the same domain) fuses them into one host verdict and
 * writes a {@link EventCategory#DETECTION} event when the host turns anomalous ({@value #ANOMALY}) and when it clears
 * ({@value #CLEARED}), with the fused score, tail probability, the number of metrics, the vote (alarmed metrics, how
 * surprising their number is, the learned base alarm rate) and the top contributing series as evidence.
 *
 * <p>A detector still warming up reports no score to the consensus (its 0 is "no opinion", not "very normal"); a
 * series without a finite value this tick is not fed by Understand and so is missing, not normal. Ticks without an
 * {@link Observation} (Sense disabled or paused) are not fused.
 *
 * <p><b>Host vector.</b> Optionally (the live wiring does) a {@link HostVectorForest} judges the host's metric vector
 * ({@link HostFeatures}) as a whole: the series of each feature reach it through the same taps (a feature series
 * without a per-series detector gets a tap that only records), and it ends its tick with the consensus. The host
 * state is the OR of the two verdicts: anomalous when the consensus (series agreeing more than they usually do) or
 * the forest (a vector as isolated as at most {@code alpha} of this host's normal vectors) says so, cleared when
 * neither does. Why OR, and not the forest as one more input of the consensus: the consensus needs at least two
 * agreeing alarms and dilutes a single input's p-value by about e·ln(n)·n over n ≈ 265 host series, so one
 * multivariate judgement would almost never count; it is a different kind of evidence (a joint pattern, which no
 * single series may show), so it is a second way to the same verdict. The cost: up to twice the nominal false
 * verdicts (two tests at 1e-5 per tick). Events say which source(s) judged the host anomalous ({@code "by"}) and carry
 * the forest's score, tail probability and most unusual features (largest robust |z|).
 *
 * <p>Cost per tick: O(1) per watched series (one array store, plus one for a feature series) plus the consensus'
 * O(series) and the forest's O(features + trees·log ψ) (and its periodic refit); allocation-free except for the two
 * events. Not thread-safe: the tick thread creates detectors (through the engine's factory) and runs this handler.
 */
public final class HostAnomalyMonitor implements DomainHandler {

    /** Event type when the host becomes anomalous. */
    public static final String ANOMALY = "host.anomaly";
    /** Event type when the host's anomaly clears. */
    public static final String CLEARED = "host.anomaly.cleared";

    private final HostConsensus consensus;
    private final HostVectorForest forest;
    private final HostFeatures features;
    private final List<MetricKey> slots = new ArrayList<>();
    private final Map<MetricKey, Integer> slotOf = new HashMap<>();
    private boolean hostAnomalous;

    /** @param consensus the fusion (owned by this monitor from now on); no host-vector forest */
    public HostAnomalyMonitor(HostConsensus consensus) {
        this.consensus = Objects.requireNonNull(consensus, "consensus");
        this.forest = null;
        this.features = null;
    }

    /**
     * @param consensus the fusion (owned by this monitor from now on)
     * @param features  the host vector's features
     * @param forest    the host-vector detector, one dimension per feature (owned by this monitor from now on)
     */
    public HostAnomalyMonitor(HostConsensus consensus, HostFeatures features, HostVectorForest forest) {
        this.consensus = Objects.requireNonNull(consensus, "consensus");
        this.features = Objects.requireNonNull(features, "features");
        this.forest = Objects.requireNonNull(forest, "forest");
        if (forest.dimensions() != features.size()) {
            throw new IllegalArgumentException("forest has " + forest.dimensions() + " dimensions but there are "
                    + features.size() + " features");
        }
    }

    /** The live assembly: {@link HostConsensus#withDefaults()} and a default forest over {@link HostFeatures#standard()}. */
    public static HostAnomalyMonitor standard() {
        HostFeatures f = HostFeatures.standard();
        return new HostAnomalyMonitor(HostConsensus.withDefaults(), f, new HostVectorForest(f.names()));
    }

    /** Whether a series belongs to the host decision: the host-wide {@code host_*} series. */
    public static boolean isHostSeries(MetricKey key) {
        return key.name().startsWith("host_");
    }

    /**
     * The detector to give the engine for a series: for a host series, {@code d} wrapped so that its scores reach the
     * consensus; otherwise {@code d} itself (null stays null).
     */
    public Detector watch(MetricKey key, Detector d) {
        if (!isHostSeries(key)) {
            return d;
        }
        int dim = forest == null ? -1 : features.dimensionOf(key);
        HostFeatures.Aggregate agg = dim < 0 ? null : features.features().get(dim).aggregate();
        if (d == null) {
            return dim < 0 ? null : new Tap(null, -1, dim, agg);
        }
        Integer slot = slotOf.get(key);
        if (slot == null) {
            slot = slots.size();
            slots.add(key);
            slotOf.put(key, slot);
        }
        return new Tap(d, slot, dim, agg);
    }

    /** The host decision's sources, e.g. "consensus or forest". */
    public String sources() {
        return forest == null ? "consensus" : "consensus or forest";
    }

    /** The consensus (for status and tests). */
    public HostConsensus consensus() {
        return consensus;
    }

    /** The host-vector forest, or null when this monitor has none. */
    public HostVectorForest forest() {
        return forest;
    }

    /** The host state after the last observed tick: the consensus' or the forest's verdict. */
    public boolean isAnomalous() {
        return hostAnomalous;
    }

    @Override
    public Domain domain() {
        return Domain.UNDERSTAND;
    }

    @Override
    public void onTick(TickContext ctx) {
        boolean observed = false;
        List<Message> inbox = ctx.inbox();
        for (int i = 0; i < inbox.size() && !observed; i++) {
            observed = inbox.get(i).payload() instanceof Observation;
        }
        if (!observed) {
            return;
        }
        consensus.endTick();
        boolean forestOn = false;
        if (forest != null) {
            forest.endTick();
            forestOn = forest.isAnomalous();
        }
        boolean on = consensus.isAnomalous() || forestOn;
        if (on == hostAnomalous) {
            return;
        }
        hostAnomalous = on;
        List<Map<String, Object>> top = new ArrayList<>();
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < consensus.topCount(); i++) {
            MetricKey key = slots.get(consensus.topSlot(i));
            double p = consensus.topTailProbability(i);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("metric", key.toString());
            t.put("tailProbability", p);
            t.put("score", HostConsensus.scoreOf(p));
            top.add(t);
            names.append(i == 0 ? "" : ", ").append(key).append(String.format(Locale.ROOT, " (p %.1e)", p));
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("score", consensus.score());
        ev.put("tailProbability", consensus.hostTailProbability());
        ev.put("metrics", consensus.metrics());
        ev.put("alarmedMetrics", consensus.votes());
        ev.put("voteSurprise", consensus.voteSurprise());
        ev.put("baseAlarmRate", consensus.baseRate());
        ev.put("top", top);
        List<String> by = new ArrayList<>();
        if (consensus.isAnomalous()) {
            by.add("consensus");
        }
        if (forestOn) {
            by.add("forest");
        }
        ev.put("by", by);
        StringBuilder vector = new StringBuilder();
        if (forest != null) {
            List<Map<String, Object>> unusual = new ArrayList<>();
            for (int i = 0; i < forest.topCount(); i++) {
                int dim = forest.topDimension(i);
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("feature", forest.name(dim));
                t.put("value", forest.topValue(i));
                t.put("z", forest.topZ(i));
                unusual.add(t);
                vector.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.3g (z %.1f)",
                        forest.name(dim), forest.topValue(i), forest.topZ(i)));
            }
            Map<String, Object> fv = new LinkedHashMap<>();
            fv.put("anomalous", forestOn);
            fv.put("warmingUp", forest.isWarmingUp());
            fv.put("score", forest.score());
            fv.put("tailProbability", forest.tailProbability());
            fv.put("mostUnusual", unusual);
            ev.put("forest", fv);
        }
        String reason = String.format(Locale.ROOT, "%s%s: host score %.2f (p %.1e) over %d metrics; %d alarmed recently "
                        + "(P %.1e at the base rate %.1e per series and tick); top: %s",
                on ? "host anomalous" : "host back to normal", on ? " by " + String.join(" and ", by) : "",
                consensus.score(), consensus.hostTailProbability(),
                consensus.metrics(), consensus.votes(), consensus.voteSurprise(), consensus.baseRate(), names);
        if (forest != null && !forest.isWarmingUp()) {
            reason += String.format(Locale.ROOT, "; host vector: forest score %.3f (p %.1e), most unusual: %s",
                    forest.score(), forest.tailProbability(), vector);
        }
        ctx.event(new NexusEvent(ctx.timestampMillis(), EventCategory.DETECTION, on ? ANOMALY : CLEARED, "host",
                reason, ev));
    }

    /**
     * A detector that also reports each score and verdict to the consensus slot of its series (when it wraps one) and
     * each value to its host-vector dimension (when it feeds one; {@code d} null: it only records, never alarms).
     */
    private final class Tap implements Detector {
        private final Detector d;
        private final int slot;
        private final int dim;
        private final HostFeatures.Aggregate agg;

        Tap(Detector d, int slot, int dim, HostFeatures.Aggregate agg) {
            this.d = d;
            this.slot = slot;
            this.dim = dim;
            this.agg = agg;
        }

        @Override
        public String name() {
            return d == null ? "host-vector" : d.name();
        }

        @Override
        public double update(double value) {
            if (dim >= 0) {
                switch (agg) {
                    case ONE -> forest.set(dim, value);
                    case SUM -> forest.add(dim, value);
                    case MAX -> forest.max(dim, value);
                }
            }
            if (d == null) {
                return 0.0;
            }
            double s = d.update(value);
            consensus.score(slot, d.isWarmingUp() ? Double.NaN : s, d.isAnomalous());
            return s;
        }

        @Override
        public boolean isAnomalous() {
            return d != null && d.isAnomalous();
        }

        @Override
        public boolean isWarmingUp() {
            return d == null || d.isWarmingUp();
        }

        @Override
        public void reset() {
            if (d != null) {
                d.reset();
            }
        }
    }
}
