package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * One execution of a picocli command line in a test: the arguments, the exit code, and what the command wrote to the
 * command line's out and err writers ({@link CommandLine#setOut}, {@link CommandLine#setErr}), each captured on its
 * own. Every run gets fresh buffers, so what {@link #out()} and {@link #err()} hold comes from this run alone (a test
 * that runs a command twice compares two values instead of clearing a shared buffer).
 *
 * <p>Thread-safety: a result is an immutable value; {@link #nexus} and {@link #command} run on the calling thread and
 * share nothing between calls.
 *
 * @param args     the arguments the command line was executed with
 * @param exitCode what {@link CommandLine#execute} returned
 * @param out      standard output of the run
 * @param err      standard error of the run
 */
record CliRun(List<String> args, int exitCode, String out, String err) {

    CliRun {
        args = List.copyOf(args);
    }

    /** Runs the root {@code nexus} command line ({@link NexusCli#commandLine()}, with its exit-code mapping). */
    static CliRun nexus(String... args) {
        return execute(NexusCli.commandLine(), args);
    }

    /** Runs {@code command} (a picocli command object) as its own root command line with picocli's defaults. */
    static CliRun command(Object command, String... args) {
        return execute(new CommandLine(command), args);
    }

    private static CliRun execute(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new CliRun(List.of(args), code, out.toString(), err.toString());
    }

    /**
     * Asserts the exit code; the failure message names the arguments and shows standard error.
     *
     * @param expected the exit code the run must have returned (see {@link ExitCodes})
     * @return this run, for further assertions
     */
    CliRun assertExit(int expected) {
        assertThat(exitCode).as("exit code of %s; stderr:%n%s", args, err).isEqualTo(expected);
        return this;
    }
}
