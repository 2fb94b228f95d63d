package dev.helix.nexus.agent.plot;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An input of a plot (an evaluation output or a data file) is missing or malformed. The message starts with the
 * file's path, and with its 1-based line number when one line is at fault: {@code file:line: what is wrong}.
 */
public final class PlotInputException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** A problem with the whole file (for example: it does not exist, or has too few rows). */
    public PlotInputException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** A problem on one line of the file. */
    public PlotInputException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
