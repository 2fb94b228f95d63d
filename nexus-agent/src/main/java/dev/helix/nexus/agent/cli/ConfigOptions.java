package dev.helix.nexus.agent.cli;

import dev.helix.nexus.core.ConfigLoader;
import dev.helix.nexus.core.ConfigProblem;
import dev.helix.nexus.core.InvalidConfigException;
import dev.helix.nexus.core.NexusConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every engine-running command shares: a config file plus overrides. */
public final class ConfigOptions {

    @Mixin
    ConfigFileOptions file = new ConfigFileOptions();

    @Option(names = "--level", paramLabel = "LEVEL", description = "Level 0-6 or name (disabled, monitoring, detection, prediction, correction, healing, autonomous).")
    String level;

    @Option(names = "--tick", paramLabel = "DURATION", description = "Tick duration, e.g. 500ms or 1s.")
    String tick;

    @Option(names = "--dry-run", description = "Log the exact actions that would be taken; change nothing.")
    boolean dryRun;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the event log and status file go (default ~/.nexus).")
    Path dataDir;

    /** Loads the configuration; on problems prints one line each to stderr and throws. */
    NexusConfig load(List<String> defaults) {
        List<String> all = new ArrayList<>();
        if (level != null) {
            all.add("level=" + level);
        }
        if (tick != null) {
            all.add("tickDuration=" + tick);
        }
        if (dryRun) {
            all.add("dryRun=true");
        }
        if (dataDir != null) {
            all.add("dataDir=" + dataDir);
        }
        return file.load(defaults, all);
    }

    /** Prints each problem on its own line. */
    static void report(InvalidConfigException e, java.io.PrintWriter err) {
        for (ConfigProblem p : e.problems()) {
            err.println("nexus: " + p);
        }
    }
}
