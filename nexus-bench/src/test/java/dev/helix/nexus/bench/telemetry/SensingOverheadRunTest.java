package dev.helix.nexus.bench.telemetry;

import dev.helix.nexus.bench.telemetry.SensingOverheadRun.ThreadCpu;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SensingOverheadRunTest {

    @Test
    void threadNamesAsTheKernelCutsThemFallIntoTheirGroups() {
        // comm is the thread name cut to 15 characters
        assertThat(SensingOverheadRun.threadGroup("nexus-sensing")).isEqualTo("tick thread (sensors -> store)");
        assertThat(SensingOverheadRun.threadGroup("C2 CompilerThre")).isEqualTo("JIT: C2 compiler");
        assertThat(SensingOverheadRun.threadGroup("C1 CompilerThre")).isEqualTo("JIT: C1 compiler");
        assertThat(SensingOverheadRun.threadGroup("JFR Periodic Ta")).startsWith("JFR");
        assertThat(SensingOverheadRun.threadGroup("VM Thread")).startsWith("GC and safepoints");
        assertThat(SensingOverheadRun.threadGroup("node-exporter-s")).startsWith("scraper thread");
        assertThat(SensingOverheadRun.threadGroup("Monitor Deflati")).isEqualTo("other JVM threads (Monitor Deflati)");
    }

    @Test
    void groupDeltasCountANewThreadFromZeroDropAnExitedOneAndMergeTheUnnamedIntoOther() {
        Map<Long, ThreadCpu> before = Map.of(
                1L, new ThreadCpu("nexus-sensing", 1_000),
                2L, new ThreadCpu("C2 CompilerThre", 5_000),
                3L, new ThreadCpu("Service Thread", 100),
                4L, new ThreadCpu("C1 CompilerThre", 7_000)); // exits before the second snapshot
        Map<Long, ThreadCpu> after = Map.of(
                1L, new ThreadCpu("nexus-sensing", 4_000),
                2L, new ThreadCpu("C2 CompilerThre", 5_000),
                3L, new ThreadCpu("Service Thread", 300),
                5L, new ThreadCpu("Monitor Deflati", 50), // started inside the window
                6L, new ThreadCpu("C2 CompilerThre", 900)); // a second C2 thread, new

        Map<String, Long> g = SensingOverheadRun.groupDeltas(before, after);

        assertThat(g).containsOnly(
                Map.entry("tick thread (sensors -> store)", 3_000L),
                Map.entry("JIT: C2 compiler", 900L),
                Map.entry("other JVM threads", 250L));
    }
}
