package dev.helix.nexus.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.helix.nexus.core.ConfigLoader;
import dev.helix.nexus.core.ConfigProblem;
import dev.helix.nexus.core.SenseTargets;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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
            description = {"Validate a configuration file: exit 0 when valid, exit 2 with one line per problem when not.",
                    "Also checks the target overrides set in this environment (-Dnexus.jvm.targets, NEXUS_JVM_TARGETS,"
                            + " -Dnexus.scrape.targets, NEXUS_SCRAPE_TARGETS), which replace jvmTargets and scrapeTargets."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The YAML file.")
        Path file;

        @Override
        public Integer call() {
            ConfigLoader.Result r = ConfigLoader.load(file, List.of());
            List<ConfigProblem> problems = new ArrayList<>(r.problems());
            problems.addAll(SenseTargets.overrideProblems());
            if (problems.isEmpty()) {
                spec.commandLine().getOut().println(file + ": valid");
                return ExitCodes.OK;
            }
            PrintWriter err = spec.commandLine().getErr();
            for (ConfigProblem p : problems) {
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
            PrintWriter out = spec.commandLine().getOut();
            out.print(yaml.writeValueAsString(ConfigLoader.describe(r.config())));
            SenseTargets.jvmOverride().ifPresent(o -> out.println("# jvmTargets replaced by " + o.origin() + ": "
                    + String.join(",", o.entries())));
            SenseTargets.scrapeOverride().ifPresent(o -> out.println("# scrapeTargets replaced by " + o.origin() + ": "
                    + String.join(",", o.entries()) + " (timeout "
                    + dev.helix.nexus.core.Durations.format(SenseTargets.ScrapeTarget.DEFAULT_TIMEOUT) + ", every tick)"));
            out.flush(); // print() does not flush the auto-flushing writer: without this nothing appeared
            return ExitCodes.OK;
        }
    }
}
