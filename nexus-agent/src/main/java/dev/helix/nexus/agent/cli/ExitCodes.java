package dev.helix.nexus.agent.cli;

/** The exit codes of the {@code nexus} command. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The command ran and failed (an I/O error, an evaluation that could not complete...). */
    public static final int FAILURE = 1;
    /** Bad usage or invalid configuration: nothing was run. */
    public static final int USAGE = 2;
    /** {@code nexus status}: no agent is running. */
    public static final int NOT_RUNNING = 3;

    private ExitCodes() {
    }
}
