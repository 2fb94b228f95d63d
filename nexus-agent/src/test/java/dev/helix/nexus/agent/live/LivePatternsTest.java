package dev.helix.nexus.agent.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.detect.behavior.BehaviorPattern;
import dev.helix.nexus.detect.behavior.BehaviorSubject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LivePatternsTest {

    @Test
    void badSizesAreRefusedByName() {
        assertThatThrownBy(() -> new LivePatterns(9, 5, 5, 0)).hasMessageContaining("window");
        assertThatThrownBy(() -> new LivePatterns(30, 0, 5, 0)).hasMessageContaining("every");
        assertThatThrownBy(() -> new LivePatterns(30, 31, 5, 0)).hasMessageContaining("every");
        assertThatThrownBy(() -> new LivePatterns(30, 10, 0, 0)).hasMessageContaining("top");
    }

    @Test
    void anUnseenSubjectIsNormal() {
        assertThat(LivePatterns.standard().state(BehaviorSubject.HOST)).isEqualTo(BehaviorPattern.NORMAL);
    }

    /** Two processes' RSS: one grows for its first minute and then levels off, the other grows all the time. */
    private static final class TwoProcesses implements Sensor {
        final MetricKey warmup = MetricKey.of("process_rss_bytes", "pid", "777", "comm", "warmup");
        final MetricKey leaker = MetricKey.of("process_rss_bytes", "pid", "888", "comm", "leaker");
        int tick;

        @Override
        public String name() {
            return "two-processes";
        }

        @Override
        public void sample(MetricSink sink, long ts) {
            sink.record(warmup, 100e6 + 2e6 * Math.min(tick, 60), ts);
            sink.record(leaker, 100e6 + 1e6 * tick, ts);
            tick++;
        }

        @Override
        public SensorHealth health() {
            return SensorHealth.healthy(name());
        }
    }

    @Test
    void startUpGrowthThatLevelsOffIsNoLeakButSustainedGrowthIsOneLeakEventAfterItsConfirmations() {
        ManualClock clock = new ManualClock(1_767_225_600_000L);
        RecentEvents events = new RecentEvents(10_000);
        LivePatterns patterns = LivePatterns.standard();
        NexusConfig config = NexusConfig.builder().tickDuration(Duration.ofSeconds(1)).level(NexusLevel.DETECTION)
                .build();
        NexusEngine.Builder b = NexusEngine.builder(config, clock).eventLog(events).sensor(new TwoProcesses());
        b.sampleSink(patterns.sink());
        b.handler(patterns);
        try (NexusEngine engine = b.build()) {
            engine.start();
            for (int t = 0; t < 300; t++) {
                engine.tick();
                clock.advance(Duration.ofSeconds(1));
            }
        }
        List<NexusEvent> leaks = events.snapshot().stream().filter(e -> e.type().equals(LivePatterns.TYPE)).toList();
        assertThat(leaks).extracting(NexusEvent::component).containsExactly("process:888");
        NexusEvent e = leaks.get(0);
        assertThat(e.evidence().get("pattern")).isEqualTo("RESOURCE_LEAK");
        // the first classification that can see the growth is at tick 10; it must lead 12 times in a row
        assertThat(e.timestampMillis()).isGreaterThanOrEqualTo(1_767_225_600_000L
                + (10L + (LivePatterns.LEAK_CONFIRMATIONS - 1) * 10L - 1) * 1000L);
    }

    @Test
    void patternLabelsAreWrittenAsTheDocsWriteThem() {
        assertThat(LivePatterns.label(BehaviorPattern.CPU_BOUND)).isEqualTo("CpuBound");
        assertThat(LivePatterns.label(BehaviorPattern.RESOURCE_LEAK)).isEqualTo("ResourceLeak");
        assertThat(LivePatterns.label(BehaviorPattern.NORMAL)).isEqualTo("Normal");
    }
}
