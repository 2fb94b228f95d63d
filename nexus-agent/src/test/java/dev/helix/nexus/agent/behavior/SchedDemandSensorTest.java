package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.spi.MetricKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SchedDemandSensorTest {

    private static void proc(Path root, int pid, String comm, long runNs, long waitNs) throws IOException {
        Path d = Files.createDirectories(root.resolve(Integer.toString(pid)));
        Files.writeString(d.resolve("comm"), comm + "\n");
        Files.writeString(d.resolve("schedstat"), runNs + " " + waitNs + " 17\n");
    }

    @Test
    void demandIsRunPlusRunQueueWaitPerSecondOfTheTopProcesses(@TempDir Path root) throws IOException {
        proc(root, 10, "hog", 0, 0);
        proc(root, 11, "sleeper", 0, 0);
        proc(root, 12, "crowded", 0, 0);
        Files.createDirectories(root.resolve("self")); // non-pid entries are ignored
        SchedDemandSensor s = new SchedDemandSensor(root, 2);
        Map<MetricKey, Double> out = new LinkedHashMap<>();
        s.sample((k, v, ts) -> out.put(k, v), 1_000);
        assertThat(out).isEmpty(); // rates need two readings
        proc(root, 10, "hog", 950_000_000L, 40_000_000L); // ran 0.95 s, waited 0.04 s in the last second
        proc(root, 11, "sleeper", 1_000_000L, 0);
        proc(root, 12, "crowded", 200_000_000L, 780_000_000L); // got 0.2 s, queued 0.78 s: still a CPU hog
        s.sample((k, v, ts) -> out.put(k, v), 2_000);
        assertThat(s.health().isHealthy()).isTrue();
        assertThat(out).hasSize(2); // top 2 only
        assertThat(out.get(MetricKey.of("process_cpu_demand_cores", "pid", "10", "comm", "hog")))
                .isCloseTo(0.99, within(1e-9));
        assertThat(out.get(MetricKey.of("process_cpu_demand_cores", "pid", "12", "comm", "crowded")))
                .isCloseTo(0.98, within(1e-9));
    }

    @Test
    void counterGoingBackwardsRestartsTheHistoryAndGarbageIsSkipped(@TempDir Path root) throws IOException {
        proc(root, 20, "a", 5_000_000_000L, 0);
        Files.createDirectories(root.resolve("21"));
        Files.writeString(root.resolve("21").resolve("schedstat"), "garbage\n");
        SchedDemandSensor s = new SchedDemandSensor(root, 5);
        Map<MetricKey, Double> out = new LinkedHashMap<>();
        s.sample((k, v, ts) -> out.put(k, v), 1_000);
        proc(root, 20, "a", 1_000, 0); // pid reused by a new process
        s.sample((k, v, ts) -> out.put(k, v), 2_000);
        assertThat(out).isEmpty();
        proc(root, 20, "a", 500_001_000L, 0);
        s.sample((k, v, ts) -> out.put(k, v), 3_000);
        assertThat(out.values()).singleElement().satisfies(v -> assertThat(v).isCloseTo(0.5, within(1e-9)));
    }

    @Test
    void missingProcIsAFailedSource(@TempDir Path root) {
        SchedDemandSensor s = new SchedDemandSensor(root.resolve("absent"), 3);
        s.sample((k, v, ts) -> { }, 1);
        assertThat(s.health().isHealthy()).isFalse();
        assertThat(s.health().reason()).contains("absent");
    }
}
