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
 * <p>Cost per tick: O(1) per watched series (one array store) plus the consensus' O(series); allocation-free except
 * for the two events. Not thread-safe: the tick thread creates detectors (through the engine's factory) and runs this
 * handler.
 */
public final class HostAnomalyMonitor implements DomainHandler {

    /** Event type when the host becomes anomalous. */
    public static final String ANOMALY = "host.anomaly";
    /** Event type when the host's anomaly clears. */
    public static final String CLEARED = "host.anomaly.cleared";

    private final HostConsensus consensus;
    private final List<MetricKey> slots = new ArrayList<>();
    private final Map<MetricKey, Integer> slotOf = new HashMap<>();

    /** @param consensus the fusion (owned by this monitor from now on) */
    public HostAnomalyMonitor(HostConsensus consensus) {
        this.consensus = Objects.requireNonNull(consensus, "consensus");
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
        if (d == null || !isHostSeries(key)) {
            return d;
        }
        Integer slot = slotOf.get(key);
        if (slot == null) {
            slot = slots.size();
            slots.add(key);
            slotOf.put(key, slot);
        }
        return new Tap(d, slot);
    }

    /** The consensus (for status and tests). */
    public HostConsensus consensus() {
        return consensus;
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
        if (!consensus.changed()) {
            return;
        }
        boolean on = consensus.isAnomalous();
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
        String reason = String.format(Locale.ROOT, "%s: host score %.2f (p %.1e) over %d metrics; %d alarmed recently "
                        + "(P %.1e at the base rate %.1e per series and tick); top: %s",
                on ? "host anomalous" : "host back to normal", consensus.score(), consensus.hostTailProbability(),
                consensus.metrics(), consensus.votes(), consensus.voteSurprise(), consensus.baseRate(), names);
        ctx.event(new NexusEvent(ctx.timestampMillis(), EventCategory.DETECTION, on ? ANOMALY : CLEARED, "host",
                reason, ev));
    }

    /** A detector that also reports each score and verdict to the consensus slot of its series. */
    private final class Tap implements Detector {
        private final Detector d;
        private final int slot;

        Tap(Detector d, int slot) {
            this.d = d;
            this.slot = slot;
        }

        @Override
        public String name() {
            return d.name();
        }

        @Override
        public double update(double value) {
            double s = d.update(value);
            consensus.score(slot, d.isWarmingUp() ? Double.NaN : s, d.isAnomalous());
            return s;
        }

        @Override
        public boolean isAnomalous() {
            return d.isAnomalous();
        }

        @Override
        public boolean isWarmingUp() {
            return d.isWarmingUp();
        }

        @Override
        public void reset() {
            d.reset();
        }
    }
}
