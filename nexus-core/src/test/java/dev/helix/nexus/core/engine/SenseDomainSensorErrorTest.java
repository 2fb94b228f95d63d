package dev.helix.nexus.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.NexusState;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, "bad input": a sensor whose JDK call throws {@link InternalError} (what
 * {@code UnixOperatingSystemMXBean.getOpenFileDescriptorCount} does when {@code /proc/self/fd} cannot be opened, e.g.
 * with /proc hidden) is reported FAILED naming the error, and the engine and every other sensor go on — before, the
 * error escaped the tick and ended {@code nexus run} on its first tick.
 */
class SenseDomainSensorErrorTest {

    /** Records one value, then fails the way the JDK's management natives do. */
    private static final class InternalErrorSensor implements Sensor {
        int samples;

        @Override
        public String name() {
            return "jvm";
        }

        @Override
        public void sample(MetricSink sink, long timestampMillis) {
            samples++;
            sink.record(MetricKey.of("jvm_memory_used_bytes"), 1.0, timestampMillis);
            throw new InternalError("errno: 2 error: Unable to open directory /proc/self/fd\n");
        }

        @Override
        public SensorHealth health() {
            return SensorHealth.healthy("test");
        }
    }

    /** Always healthy, one series. */
    private static final class SteadySensor implements Sensor {
        int samples;

        @Override
        public String name() {
            return "steady";
        }

        @Override
        public void sample(MetricSink sink, long timestampMillis) {
            samples++;
            sink.record(MetricKey.of("steady_value"), samples, timestampMillis);
        }

        @Override
        public SensorHealth health() {
            return SensorHealth.healthy("test");
        }
    }

    @Test
    void aSensorThrowingInternalErrorIsFailedNamingItAndTheEngineAndOtherSensorsGoOn() {
        InternalErrorSensor jvm = new InternalErrorSensor();
        SteadySensor steady = new SteadySensor();
        RecentEvents events = new RecentEvents(1000);
        NexusConfig config = NexusConfig.builder().tickDuration(Duration.ofSeconds(1)).level(NexusLevel.MONITORING).build();
        try (NexusEngine engine = NexusEngine.builder(config, new ManualClock(1_767_225_600_000L)).eventLog(events)
                .sensors(List.of(jvm, steady)).build()) {
            engine.start();
            for (int i = 0; i < 3; i++) {
                assertThat(engine.tick()).isTrue();
            }
            assertThat(jvm.samples).isEqualTo(3);
            assertThat(steady.samples).as("the other sensor goes on").isEqualTo(3);
            assertThat(engine.sense().latest().latest(MetricKey.of("steady_value"))).isEqualTo(3.0);
            assertThat(engine.state()).isEqualTo(NexusState.DEGRADED);
            SensorHealth h = engine.sense().health().get("jvm");
            assertThat(h.status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(h.reason()).startsWith("InternalError: ").contains("/proc/self/fd");
            assertThat(events.snapshot()).filteredOn(e -> e.type().equals("sensor.health"))
                    .extracting(NexusEvent::component).containsExactly("sensor:jvm");
        }
    }
}
