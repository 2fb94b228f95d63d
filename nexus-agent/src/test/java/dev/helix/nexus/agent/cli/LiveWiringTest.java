package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.agent.live.HostAnomalyMonitor;
import dev.helix.nexus.agent.live.LivePatterns;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The live assembly of {@code nexus run} ({@link Wiring#live}) on a manual clock with a fake two-CPU host: a calm
 * phase, then a CPU burner (user CPU ~97 %, 6 runnable tasks, one process at 1.9 cores).
 */
class LiveWiringTest {

    private static final long START = 1_767_225_600_000L;
    private static final int CALM_TICKS = 400;
    private static final int BUSY_TICKS = 150;

    /** A fake host whose series follow the documented sensor names; bounded (uniform) noise from a seed. */
    private static final class FakeHost implements Sensor {
        final Random r = new Random(42);
        boolean busy;
        final MetricKey user = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "user");
        final MetricKey system = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "system");
        final MetricKey iowait = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "iowait");
        final MetricKey idle = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "idle");
        final MetricKey cpus = MetricKey.of("host_cpu_count");
        final MetricKey running = MetricKey.of("host_procs_running");
        final MetricKey avail = MetricKey.of("host_memory_available_fraction");
        final MetricKey ctxsw = MetricKey.of("host_context_switches_per_second");
        final MetricKey cores = MetricKey.of("process_cpu_cores", "pid", "4242", "comm", "burner");
        final MetricKey threads = MetricKey.of("process_threads", "pid", "4242", "comm", "burner");

        double noise(double level, double spread) {
            return level + spread * (2 * r.nextDouble() - 1);
        }

        @Override
        public String name() {
            return "fake-host";
        }

        @Override
        public void sample(MetricSink sink, long ts) {
            double u = busy ? noise(0.97, 0.01) : noise(0.10, 0.03);
            double s = busy ? noise(0.02, 0.005) : noise(0.03, 0.01);
            double w = busy ? noise(0.002, 0.002) : noise(0.01, 0.005);
            sink.record(user, u, ts);
            sink.record(system, s, ts);
            sink.record(iowait, w, ts);
            sink.record(idle, Math.max(0, 1 - u - s - w), ts);
            sink.record(cpus, 2, ts);
            sink.record(running, busy ? 6 + r.nextInt(2) : 1 + r.nextInt(2), ts);
            sink.record(avail, noise(0.6, 0.02), ts);
            sink.record(ctxsw, busy ? noise(9000, 300) : noise(5000, 300), ts);
            sink.record(cores, busy ? noise(1.9, 0.05) : noise(0.01, 0.01), ts);
            sink.record(threads, 2, ts);
        }

        @Override
        public SensorHealth health() {
            return SensorHealth.healthy("fake-host");
        }
    }

    private record Run(RecentEvents events, LivePatterns patterns) {
        List<NexusEvent> ofType(String type) {
            return events.snapshot().stream().filter(e -> e.type().equals(type)).toList();
        }
    }

    private static Run run(int calmTicks, int busyTicks) {
        return run(calmTicks, busyTicks, 0);
    }

    private static Run run(int calmTicks, int busyTicks, int calmAfter) {
        ManualClock clock = new ManualClock(START);
        RecentEvents events = new RecentEvents(100_000);
        FakeHost host = new FakeHost();
        LivePatterns patterns = LivePatterns.standard();
        NexusConfig config = NexusConfig.builder().tickDuration(Duration.ofSeconds(1)).level(NexusLevel.DETECTION).build();
        NexusEngine.Builder b = NexusEngine.builder(config, clock).eventLog(events).sensor(host);
        Supplier<Detector> detectors = DetectorCatalog.univariate(Wiring.LIVE_DETECTOR);
        Wiring.live(b, key -> Wiring.watched(key) ? detectors.get() : null, patterns);
        try (NexusEngine engine = b.build()) {
            engine.start();
            for (int t = 0; t < calmTicks + busyTicks + calmAfter; t++) {
                host.busy = t >= calmTicks && t < calmTicks + busyTicks;
                engine.tick();
                clock.advance(Duration.ofSeconds(1));
            }
        }
        return new Run(events, patterns);
    }

    @Test
    void aCalmHostRaisesNoHostAnomalyAndNoPattern() {
        Run r = run(CALM_TICKS, 0);
        assertThat(r.ofType(HostAnomalyMonitor.ANOMALY)).isEmpty();
        assertThat(r.ofType(LivePatterns.TYPE)).isEmpty();
    }

    @Test
    void hostMetricsJumpingTogetherGiveOneHostAnomalyEventWithTheJumpedMetricsAsEvidence() {
        Run r = run(CALM_TICKS, BUSY_TICKS);
        List<NexusEvent> anomalies = r.ofType(HostAnomalyMonitor.ANOMALY);
        assertThat(anomalies).hasSize(1);
        NexusEvent e = anomalies.get(0);
        assertThat(e.timestampMillis()).isGreaterThanOrEqualTo(START + CALM_TICKS * 1000L);
        assertThat(e.component()).isEqualTo("host");
        assertThat((double) e.evidence().get("score")).isBetween(0.0, 1.0);
        assertThat((int) e.evidence().get("alarmedMetrics")).isGreaterThanOrEqualTo(2);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> top = (List<Map<String, Object>>) e.evidence().get("top");
        assertThat(top).isNotEmpty();
        // the leading evidence is a series that jumped; memory availability did not move
        assertThat(top.get(0).get("metric").toString()).matches(
                "host_(cpu_fraction|procs_running|context_switches_per_second).*");
        assertThat(top).noneMatch(t -> t.get("metric").toString().startsWith("host_memory"));
        assertThat(r.ofType(HostAnomalyMonitor.CLEARED)).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void aCpuBoundHostAndItsBurnerEachGiveOnePatternEventNotOnePerClassification() {
        Run r = run(CALM_TICKS, BUSY_TICKS);
        List<NexusEvent> patterns = r.ofType(LivePatterns.TYPE);
        // 15 classifications in the busy phase, one event per subject that changed
        assertThat(patterns).extracting(NexusEvent::component).containsExactlyInAnyOrder("host", "process:4242");
        for (NexusEvent e : patterns) {
            assertThat(e.evidence().get("pattern")).isEqualTo("CPU_BOUND");
            assertThat(e.evidence().get("previous")).isEqualTo("NORMAL");
            assertThat((double) e.evidence().get("confidence")).isGreaterThanOrEqualTo(LivePatterns.ENTER);
            assertThat((List<?>) e.evidence().get("evidence")).isNotEmpty();
            assertThat(e.timestampMillis()).isGreaterThanOrEqualTo(START + CALM_TICKS * 1000L);
        }
        assertThat(patterns.stream().filter(e -> e.component().equals("process:4242")).findFirst().orElseThrow()
                .evidence().get("name")).isEqualTo("burner");
    }

    @Test
    void theHostReturnsToNormalOnceAfterTheBurnerStopsAndOnlyAfterAWholeSymptomFreeWindow() {
        int end = CALM_TICKS + BUSY_TICKS;
        Run r = run(CALM_TICKS, BUSY_TICKS, 100);
        List<NexusEvent> host = r.ofType(LivePatterns.TYPE).stream().filter(e -> e.component().equals("host")).toList();
        assertThat(host).extracting(e -> e.evidence().get("pattern")).containsExactly("CPU_BOUND", "NORMAL");
        NexusEvent normal = host.get(1);
        assertThat(normal.evidence().get("previous")).isEqualTo("CPU_BOUND");
        // the 30-tick window must have been replaced by calm ticks: the burner's last tick is end - 1, so the first
        // window of 30 calm ticks ends at tick end + 29
        assertThat(normal.timestampMillis()).isGreaterThanOrEqualTo(START + (end + 29) * 1000L);
    }
}
