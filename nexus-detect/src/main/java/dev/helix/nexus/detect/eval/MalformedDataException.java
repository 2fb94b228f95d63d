package dev.helix.nexus.detect.eval;

import java.nio.file.Path;

/** A malformed input file; the message starts with {@code file:line:}. */
public final class MalformedDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedDataException(Path file, long line, String msg) {
        super(file + ":" + line + ": " + msg);
    }
}
