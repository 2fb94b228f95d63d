package dev.helix.nexus.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.bus.Message;
import dev.helix.nexus.core.bus.Priority;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.TelemetrySnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link UnderstandDomain}: one state per series, the same verdicts and events from either kind of snapshot. */
class UnderstandDomainTest {

    /** Anomalous while the value is above 10; the score is the value. */
    private static final class Above10 implements Detector {
        boolean anomalous;
        int updates;

        @Override
        public String name() {
            return "above10";
        }

        @Override
        public double update(double value) {
            updates++;
            anomalous = value > 10;
            return value;
        }

        @Override
        public boolean isAnomalous() {
            return anomalous;
        }

        @Override
        public boolean isWarmingUp() {
            return false;
        }

        @Override
        public void reset() {
            anomalous = false;
        }
    }

    /** A snapshot that is not the engine's {@link LatestValues}: the generic keys() + latest(key) path. */
    private record MapSnapshot(Map<MetricKey, Double> values) implements TelemetrySnapshot {
        @Override
        public Set<MetricKey> keys() {
            return values.keySet();
        }

        @Override
        public double latest(MetricKey key) {
            return values.getOrDefault(key, Double.NaN);
        }
    }

    private static final class Ctx implements TickContext {
        final List<Message> inbox = new ArrayList<>();
        final List<NexusEvent> events = new ArrayList<>();
        final List<Object> sent = new ArrayList<>();

        @Override
        public long tick() {
            return 1;
        }

        @Override
        public long timestampMillis() {
            return 0;
        }

        @Override
        public NexusLevel level() {
            return NexusLevel.DETECTION;
        }

        @Override
        public NexusConfig config() {
            throw new UnsupportedOperationException("not needed");
        }

        @Override
        public Domain domain() {
            return Domain.UNDERSTAND;
        }

        @Override
        public List<Message> inbox() {
            return inbox;
        }

        @Override
        public boolean send(Domain target, Priority priority, Object payload) {
            sent.add(payload);
            return true;
        }

        @Override
        public void event(NexusEvent event) {
            events.add(event);
        }

        @Override
        public void reportProblem(String component, String reason) {
        }
    }

    private static final MetricKey WATCHED_A = MetricKey.of("host_a", "cpu", "0");
    private static final MetricKey WATCHED_B = MetricKey.of("host_b");
    private static final MetricKey IGNORED = MetricKey.of("process_rss_bytes", "pid", "1", "comm", "init");

    /** Runs the value script (one row per tick: a, b, ignored) and returns the events' text and evidence. */
    private static List<String> run(double[][] script, boolean latestValues, Map<MetricKey, Integer> asked,
            Map<MetricKey, Above10> detectors) {
        Function<MetricKey, Detector> factory = k -> {
            asked.merge(k, 1, Integer::sum);
            if (k.name().startsWith("process_")) {
                return null;
            }
            return detectors.computeIfAbsent(k, x -> new Above10());
        };
        UnderstandDomain u = new UnderstandDomain(factory);
        LatestValues lv = new LatestValues();
        Map<MetricKey, Double> plain = new HashMap<>();
        List<String> out = new ArrayList<>();
        long ts = 1000;
        for (double[] row : script) {
            // fresh but equal key instances every tick, as a parser hands out
            MetricKey[] keys = {MetricKey.of("host_a", "cpu", "0"), MetricKey.of("host_b"),
                    MetricKey.of("process_rss_bytes", "comm", "init", "pid", "1")};
            for (int i = 0; i < keys.length; i++) {
                lv.record(keys[i], row[i], ts);
                plain.put(keys[i], row[i]);
            }
            Ctx ctx = new Ctx();
            TelemetrySnapshot snap = latestValues ? lv : new MapSnapshot(new java.util.LinkedHashMap<>(plain));
            ctx.inbox.add(new Message(Domain.SENSE, Domain.UNDERSTAND, Priority.NORMAL, ts, new Observation(snap, ts)));
            u.onTick(ctx);
            ctx.events.forEach(e -> out.add(e.timestampMillis() + " " + e.component() + " " + e.reason() + " "
                    + e.evidence()));
            out.add(ts + " sent " + ctx.sent.size());
            ts += 1000;
        }
        out.add("anomalies " + u.anomalies() + " watched " + u.watched());
        return out;
    }

    private static final double[][] SCRIPT = {
            {1, 1, 99}, {20, 1, 99}, {21, 30, 99}, {1, 31, 99}, {2, 1, 99}, {22, Double.NaN, 99}, {23, 40, 99},
            {1, 1, 99}, {50, 1, 99}};

    @Test
    void eachSeriesIsAskedOfTheFactoryOnceWatchedOrNot() {
        Map<MetricKey, Integer> asked = new HashMap<>();
        Map<MetricKey, Above10> detectors = new HashMap<>();
        run(SCRIPT, true, asked, detectors);
        assertThat(asked).containsOnly(Map.entry(WATCHED_A, 1), Map.entry(WATCHED_B, 1), Map.entry(IGNORED, 1));
        assertThat(detectors.get(WATCHED_A).updates).isEqualTo(SCRIPT.length);
        assertThat(detectors.get(WATCHED_B).updates).as("NaN is not fed").isEqualTo(SCRIPT.length - 1);
    }

    @Test
    void anEpisodeWritesOneEventCarryingThePreviousEpisodesLength() {
        List<String> out = run(SCRIPT, true, new HashMap<>(), new HashMap<>());
        List<String> events = out.stream().filter(l -> l.contains("anomalous")).toList();
        assertThat(events).containsExactly(
                "2000 host_a{cpu=\"0\"} value 20.0 is anomalous for host_a {value=20.0, score=20.0, detector=above10}",
                "3000 host_b value 30.0 is anomalous for host_b {value=30.0, score=30.0, detector=above10}",
                "6000 host_a{cpu=\"0\"} value 22.0 is anomalous for host_a {value=22.0, score=22.0, detector=above10, "
                        + "previousEpisodeSamples=2}",
                "7000 host_b value 40.0 is anomalous for host_b {value=40.0, score=40.0, detector=above10, "
                        + "previousEpisodeSamples=2}",
                "9000 host_a{cpu=\"0\"} value 50.0 is anomalous for host_a {value=50.0, score=50.0, detector=above10, "
                        + "previousEpisodeSamples=2}");
        // every anomalous sample goes to Reason and Memory: a 2,3,6,7,9; b 3,4,7 -> 8 samples, 16 messages
        assertThat(out).contains("anomalies 8 watched 2");
    }

    @Test
    void aGenericSnapshotGivesTheSameResultsAsTheEnginesLatestValues() {
        List<String> viaLatest = run(SCRIPT, true, new HashMap<>(), new HashMap<>());
        List<String> viaSnapshot = run(SCRIPT, false, new HashMap<>(), new HashMap<>());
        assertThat(viaSnapshot).isEqualTo(viaLatest);
        assertThat(new LinkedHashSet<>(viaLatest)).hasSizeGreaterThan(SCRIPT.length);
    }
}
