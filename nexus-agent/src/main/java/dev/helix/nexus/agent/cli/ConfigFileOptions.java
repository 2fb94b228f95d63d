package dev.helix.nexus.agent.cli;

import dev.helix.nexus.core.ConfigLoader;
import dev.helix.nexus.core.InvalidConfigException;
import dev.helix.nexus.core.NexusConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The configuration file and {@code --set} overrides, shared by every command that reads the configuration: the
 * engine-running ones (through {@link ConfigOptions}) and the sensing ones ({@code metrics}, {@code record}), which
 * need the sensing keys ({@code jvmTargets}, {@code scrapeTargets}) but not the engine's level or tick options.
 * Not thread-safe (filled by picocli, read once).
 */
public final class ConfigFileOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file (keys: see 'nexus config show').")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key, e.g. --set level=monitoring. Repeatable.")
    List<String> overrides = new ArrayList<>();

    /**
     * Loads the file, then applies {@code defaults}, the {@code --set} overrides and {@code flags} (a command's own
     * options such as {@code --level}), in that order: later wins.
     *
     * @throws InvalidConfigException with every problem found, each naming its key (and file line where known)
     */
    NexusConfig load(List<String> defaults, List<String> flags) {
        List<String> all = new ArrayList<>(defaults);
        all.addAll(overrides);
        all.addAll(flags);
        ConfigLoader.Result r = ConfigLoader.load(configFile, all);
        if (!r.isValid()) {
            throw new InvalidConfigException(r.problems());
        }
        return r.config();
    }
}
