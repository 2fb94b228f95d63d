package dev.helix.nexus.agent.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.detect.DetectorCatalog;
import dev.helix.nexus.detect.anomaly.HostConsensus;
import dev.helix.nexus.detect.anomaly.HostVectorForest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The host-vector forest in the live assembly: an engine on a manual clock, a fake host reporting every feature of
 * {@link HostFeatures#standard()} (the summed and maximised families on two devices each), the per-series
 * {@code live-pot} detectors and a {@link HostAnomalyMonitor} with consensus and forest.
 */
class HostVectorMonitorTest {

    private static final long START = 1_767_225_600_000L;
    private static final HostFeatures FEATURES = HostFeatures.standard();

    /** A fake host: every feature at its own level and unit with seeded Gaussian noise; optional jump and gaps. */
    private static final class FakeHost implements Sensor {
        final Random r;
        final Map<MetricKey, double[]> series = new LinkedHashMap<>(); // key -> {level, sd}
        final List<MetricKey> keys = new ArrayList<>();
        /** While true every series is 12 of its noise standard deviations up, the {@link #mostMoved} features 40. */
        boolean jump;
        Set<String> missing = Set.of();
        Set<String> mostMoved = Set.of("cpu_user", "procs_running", "context_switches_per_second");

        FakeHost(long seed) {
            r = new Random(seed);
            int i = 0;
            for (HostFeatures.Feature f : FEATURES.features()) {
                double level = Math.pow(10, i % 6);
                if (f.aggregate() == HostFeatures.Aggregate.ONE) {
                    add(key(f, null), level);
                } else {
                    add(key(f, "a"), level);
                    add(key(f, "b"), level / 2);
                }
                i++;
            }
        }

        private static MetricKey key(HostFeatures.Feature f, String device) {
            List<String> pairs = new ArrayList<>();
            f.labels().forEach((k, v) -> {
                pairs.add(k);
                pairs.add(v);
            });
            if (device != null) {
                pairs.add("device");
                pairs.add(device);
            }
            return MetricKey.of(f.metric(), pairs.toArray(String[]::new));
        }

        private void add(MetricKey k, double level) {
            series.put(k, new double[] {level, level / 10});
            keys.add(k);
        }

        @Override
        public String name() {
            return "fake-host";
        }

        @Override
        public void sample(MetricSink sink, long ts) {
            for (MetricKey k : keys) {
                String feature = FEATURES.features().get(FEATURES.dimensionOf(k)).name();
                double[] p = series.get(k);
                double x = p[0] + p[1] * r.nextGaussian();
                if (jump) {
                    x += p[1] * (mostMoved.contains(feature) ? 40 : 12);
                }
                sink.record(k, missing.contains(feature) ? Double.NaN : x, ts);
            }
        }

        @Override
        public SensorHealth health() {
            return SensorHealth.healthy("fake-host");
        }
    }

    private record Run(RecentEvents events, HostAnomalyMonitor monitor) {
        List<NexusEvent> ofType(String type) {
            return events.snapshot().stream().filter(e -> e.type().equals(type)).toList();
        }
    }

    /** Ticks of 200 ms: {@code calm} calm, then {@code jump} with the jump, then {@code after} calm. */
    private static Run run(FakeHost host, HostAnomalyMonitor monitor, int calm, int jump, int after) {
        ManualClock clock = new ManualClock(START);
        RecentEvents events = new RecentEvents(100_000);
        NexusConfig config = NexusConfig.builder().tickDuration(Duration.ofMillis(200)).level(NexusLevel.DETECTION)
                .build();
        NexusEngine.Builder b = NexusEngine.builder(config, clock).eventLog(events).sensor(host);
        Supplier<Detector> detectors = DetectorCatalog.univariate("live-pot");
        b.detectors(key -> monitor.watch(key, detectors.get()));
        b.handler(monitor);
        try (NexusEngine engine = b.build()) {
            engine.start();
            for (int t = 0; t < calm + jump + after; t++) {
                host.jump = t >= calm && t < calm + jump;
                engine.tick();
                clock.advance(Duration.ofMillis(200));
            }
        }
        return new Run(events, monitor);
    }

    /** Consensus and a forest at a 1e-3 budget (the 1e-5 default is out of reach of a ψ = 256 forest's scores). */
    private static HostAnomalyMonitor looser() {
        return new HostAnomalyMonitor(HostConsensus.withDefaults(), FEATURES,
                new HostVectorForest(FEATURES.names(), HostVectorForest.Config.defaults().withAlpha(1e-3, 1e-2)));
    }

    @Test
    void aHostWideJumpIsAHostAnomalyByTheForestNamingTheMostMovedFeatures() {
        Run r = run(new FakeHost(1), looser(), 1200, 20, 50);
        // at a 1e-3 budget about one calm tick in a thousand is a verdict: look from the jump on
        List<NexusEvent> anomalies = r.ofType(HostAnomalyMonitor.ANOMALY).stream()
                .filter(x -> x.timestampMillis() >= START + 1200 * 200L).toList();
        assertThat(anomalies).isNotEmpty();
        NexusEvent e = anomalies.get(0);
        assertThat(e.timestampMillis()).isEqualTo(START + 1200 * 200L); // the first tick of the jump
        @SuppressWarnings("unchecked")
        List<String> by = (List<String>) e.evidence().get("by");
        assertThat(by).contains("forest");
        @SuppressWarnings("unchecked")
        Map<String, Object> forest = (Map<String, Object>) e.evidence().get("forest");
        assertThat((double) forest.get("tailProbability")).isLessThanOrEqualTo(1e-3);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> unusual = (List<Map<String, Object>>) forest.get("mostUnusual");
        assertThat(unusual).extracting(m -> m.get("feature"))
                .containsExactlyInAnyOrder("cpu_user", "procs_running", "context_switches_per_second");
        for (Map<String, Object> m : unusual) {
            assertThat((double) m.get("z")).isGreaterThan(20);
        }
        assertThat(e.reason()).contains("host vector: forest score");
        assertThat(r.monitor().isAnomalous()).isFalse(); // cleared after the jump
        assertThat(r.ofType(HostAnomalyMonitor.CLEARED)).hasSameSizeAs(r.ofType(HostAnomalyMonitor.ANOMALY));
    }

    @Test
    void summedFamiliesFeedOneDimension() {
        Run r = run(new FakeHost(2), HostAnomalyMonitor.standard(), 400, 0, 0);
        HostVectorForest f = r.monitor().forest();
        int disk = FEATURES.names().indexOf("disk_write_bytes_per_second");
        double level = Math.pow(10, disk % 6);
        // device a at level, device b at level / 2: the dimension is their sum
        assertThat(f.median(disk)).isCloseTo(1.5 * level, org.assertj.core.data.Offset.offset(0.05 * level));
        assertThat(f.scoredTicks()).isEqualTo(400); // every tick had every feature
    }

    @Test
    void stationaryNoiseGivesNoHostAnomalyAtTheLiveDefaults() {
        for (long seed : new long[] {3, 4}) {
            Run r = run(new FakeHost(seed), HostAnomalyMonitor.standard(), 4000, 0, 0);
            assertThat(r.monitor().forest().isWarmingUp()).isFalse();
            assertThat(r.ofType(HostAnomalyMonitor.ANOMALY)).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void missingFeaturesAreNeitherScoredAsNormalNorNamedAsEvidence() {
        FakeHost host = new FakeHost(5);
        host.missing = Set.of("cpu_user", "psi_io_full", "forks_per_second");
        Run r = run(host, looser(), 1200, 20, 50);
        HostVectorForest f = r.monitor().forest();
        assertThat(f.isWarmingUp()).isFalse();
        List<NexusEvent> anomalies = r.ofType(HostAnomalyMonitor.ANOMALY).stream()
                .filter(x -> x.timestampMillis() >= START + 1200 * 200L).toList();
        assertThat(anomalies).isNotEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> forest = (Map<String, Object>) anomalies.get(0).evidence().get("forest");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> unusual = (List<Map<String, Object>>) forest.get("mostUnusual");
        assertThat(unusual).extracting(m -> m.get("feature")).doesNotContain("cpu_user", "psi_io_full",
                "forks_per_second").contains("procs_running", "context_switches_per_second");
        // more than half the features missing: the forest skips the ticks instead of judging imputed vectors
        FakeHost sparse = new FakeHost(6);
        sparse.missing = Set.copyOf(FEATURES.names().subList(0, FEATURES.size() / 2 + 1));
        Run s = run(sparse, HostAnomalyMonitor.standard(), 400, 0, 0);
        assertThat(s.monitor().forest().scoredTicks()).isZero();
        assertThat(s.monitor().forest().isWarmingUp()).isTrue();
    }

    @Test
    void aForestOfTheWrongWidthIsRefused() {
        assertThatThrownBy(() -> new HostAnomalyMonitor(HostConsensus.withDefaults(), FEATURES,
                new HostVectorForest(List.of("a", "b")))).hasMessageContaining("2 dimensions")
                .hasMessageContaining(FEATURES.size() + " features");
    }
}
