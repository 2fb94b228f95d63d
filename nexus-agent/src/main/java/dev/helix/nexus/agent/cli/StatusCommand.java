package dev.helix.nexus.agent.cli;

import dev.helix.nexus.agent.internal.StatusFile;
import dev.helix.nexus.core.NexusConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nexus status}: what the agent running on this machine is doing, from its status file. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the state of the running agent (exit code 3 when none is running).")
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The agent's data directory (default ~/.nexus).")
    Path dataDir = NexusConfig.DEFAULT_DATA_DIR;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(dataDir.resolve(StatusFile.NAME))) {
            out.println("nexus: no agent has run with data directory " + dataDir + " (no " + StatusFile.NAME + ")");
            return ExitCodes.NOT_RUNNING;
        }
        Map<String, Object> s;
        try {
            s = StatusFile.read(dataDir);
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("nexus: cannot read " + dataDir.resolve(StatusFile.NAME) + ": " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        long pid = ((Number) s.getOrDefault("pid", -1)).longValue();
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        String state = String.valueOf(s.get("state"));
        boolean running = alive && !"STOPPED".equals(state);
        long updated = ((Number) s.getOrDefault("updatedMillis", 0)).longValue();
        out.printf("agent     %s (pid %d%s)%n", running ? "running" : "not running", pid, alive ? "" : ", process gone");
        out.printf("state     %s%s%n", state, running ? "" : " (last known)");
        out.printf("level     %s (%s)%n", s.get("levelNumber"), s.get("level"));
        out.printf("updated   %s%n", Instant.ofEpochMilli(updated));
        out.printf("ticks     %s (overruns %s, skipped %s), tick p50 %s us, p99 %s us, budget %s ms%n", s.get("ticks"),
                s.get("overruns"), s.get("skippedTicks"), s.get("tickP50Micros"), s.get("tickP99Micros"), s.get("tickBudgetMillis"));
        out.printf("series    %s, anomalies %s, bus queued %s dropped %s%n", s.get("series"), s.get("anomalies"),
                s.get("busQueued"), s.get("busDropped"));
        Object sensors = s.get("sensors");
        if (sensors instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.printf("sensor    %-20s %s%n", k, v));
        }
        return running ? ExitCodes.OK : ExitCodes.NOT_RUNNING;
    }
}
