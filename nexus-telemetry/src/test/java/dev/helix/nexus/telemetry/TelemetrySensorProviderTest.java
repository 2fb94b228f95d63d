package dev.helix.nexus.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.SenseTargets;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.core.spi.SensorProvider;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The agent's view: discover sensors through ServiceLoader and run them on this real machine. */
class TelemetrySensorProviderTest {

    @Test
    void serviceLoaderFindsTheProviderAndItsSensorsWorkOnThisMachine() throws Exception {
        List<Sensor> sensors = new ArrayList<>();
        for (SensorProvider p : ServiceLoader.load(SensorProvider.class)) {
            sensors.addAll(p.create(NexusConfig.defaults()));
        }
        assertThat(sensors).extracting(Sensor::name).contains("proc-stat", "proc-meminfo", "processes", "jvm");
        assertThat(sensors).extracting(Sensor::name).doesNotHaveDuplicates();
        TelemetryStore store = new TelemetryStore();
        long t0 = 1_767_225_600_000L;
        for (Sensor s : sensors) {
            s.sample(store, t0);
        }
        for (Sensor s : sensors) {
            s.sample(store, t0 + 1000);
            assertThat(s.health().status()).as(s.name() + ": " + s.health()).isNotEqualTo(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
            s.close();
        }
        String text = store.toPrometheusText();
        // (CPU fractions need the tick counters to move between the two reads, which a fast test cannot promise;
        // they are covered on fixtures)
        assertThat(text).contains("host_memory_available_bytes ", "host_load1 ", "jvm_threads_live ", "host_procs_running ");
        assertThat(text.lines()).allMatch(l -> l.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? \\S+"));
    }

    @Test
    void registersJfrAndOnlyFallsBackToOshiHostAndProcessSensorsWhenProcIsUnusable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path emptyProc) {
        List<Sensor> normal = new TelemetrySensorProvider().create(NexusConfig.defaults());
        List<Sensor> noProc = new TelemetrySensorProvider(emptyProc).create(NexusConfig.defaults());
        try {
            assertThat(TelemetrySensorProvider.procHostUsable(java.nio.file.Path.of("/proc"))).isTrue();
            assertThat(TelemetrySensorProvider.procHostUsable(emptyProc)).isFalse();
            assertThat(normal).extracting(Sensor::name).doesNotContain("oshi-host");
            assertThat(noProc).extracting(Sensor::name).contains("oshi-host").doesNotHaveDuplicates();
            // without /proc the process sensor could only be FAILED every tick, keeping the engine DEGRADED
            assertThat(normal).extracting(Sensor::name).contains("processes", "syscall-latency");
            assertThat(noProc).extracting(Sensor::name).doesNotContain("processes", "syscall-latency", "proc-stat");
            // one process sensor: OSHI's only where the /proc one is not registered (this host's real /proc is
            // readable, so OSHI, which reads it on Linux, can list processes while procRoot is empty)
            assertThat(TelemetrySensorProvider.oshiCanListProcesses()).isTrue();
            assertThat(normal).extracting(Sensor::name).doesNotContain("oshi-processes");
            assertThat(noProc).extracting(Sensor::name).contains("oshi-processes");
            if (dev.helix.nexus.telemetry.jvm.JfrSensor.available()) {
                assertThat(normal).extracting(Sensor::name).contains("jvm-jfr");
            }
        } finally {
            normal.forEach(Sensor::close);
            noProc.forEach(Sensor::close);
        }
    }

    @Test
    void noSensorsWhenSenseIsDisabled() {
        NexusConfig off = NexusConfig.builder().enableSense(false)
                .scrapeTargets(List.of(SenseTargets.ScrapeTarget.of("http://127.0.0.1:9/metrics"))).build();
        assertThat(new TelemetrySensorProvider().create(off)).isEmpty();
    }
}
