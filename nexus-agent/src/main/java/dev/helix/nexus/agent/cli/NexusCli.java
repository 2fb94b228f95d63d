package dev.helix.nexus.agent.cli;

import dev.helix.nexus.core.InvalidConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code nexus} command. Exit codes: 0 success, 1 failure, 2 bad usage or invalid configuration, 3 (status) no
 * agent running.
 */
@Command(name = "nexus", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
        description = "NEXUS: watches a Linux host and its JVM services, predicts failures and heals them.",
        subcommands = {RunCommand.class, DemoCommand.class, StatusCommand.class, MetricsCommand.class, PatternsCommand.class, RecordCommand.class, ReplayCommand.class, EvalCommand.class, ConfigCommand.class,
            VersionCommand.class, CommandLine.HelpCommand.class})
public final class NexusCli extends GroupCommand {

    /** A configured command line (used by {@link #main} and by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new NexusCli());
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? ExitCodes.USAGE : ExitCodes.FAILURE);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof InvalidConfigException ice) {
                ConfigOptions.report(ice, err);
                return ExitCodes.USAGE;
            }
            err.println("nexus " + commandLine.getCommandName() + ": " + ex);
            return ExitCodes.FAILURE;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
