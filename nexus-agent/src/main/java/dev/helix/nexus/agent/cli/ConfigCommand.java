package dev.helix.nexus.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.helix.nexus.core.ConfigLoader;
import dev.helix.nexus.core.ConfigProblem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nexus config check FILE} and {@code nexus config show [FILE]}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Check or show a configuration.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Show.class})
public final class ConfigCommand extends GroupCommand {

    /** Validates a file; exit 2 with one line per problem when invalid. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a configuration file: exit 0 when valid, exit 2 with one line per problem when not.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The YAML file.")
        Path file;

        @Override
        public Integer call() {
            ConfigLoader.Result r = ConfigLoader.load(file, List.of());
            if (r.isValid()) {
                spec.commandLine().getOut().println(file + ": valid");
                return ExitCodes.OK;
            }
            PrintWriter err = spec.commandLine().getErr();
            for (ConfigProblem p : r.problems()) {
                err.println(p);
            }
            return ExitCodes.USAGE;
        }
    }

    /** Prints the effective configuration as YAML. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the effective configuration (defaults, or FILE over the defaults) as YAML.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", arity = "0..1", description = "A YAML file to apply over the defaults.")
        Path file;

        @Override
        public Integer call() throws Exception {
            ConfigLoader.Result r = ConfigLoader.load(file, List.of());
            if (!r.isValid()) {
                r.problems().forEach(p -> spec.commandLine().getErr().println(p));
                return ExitCodes.USAGE;
            }
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
            spec.commandLine().getOut().print(yaml.writeValueAsString(ConfigLoader.describe(r.config())));
            return ExitCodes.OK;
        }
    }
}
