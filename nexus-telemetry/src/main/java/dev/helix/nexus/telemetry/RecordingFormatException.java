package dev.helix.nexus.telemetry;

import java.io.IOException;

/** A recording or imported data file that cannot be read; the message names the file and the 1-based line. */
public final class RecordingFormatException extends IOException {

    private final String file;
    private final int line;

    /** A problem at {@code line} (1-based; 0 when the problem is the whole file) of {@code file}. */
    public RecordingFormatException(String file, int line, String reason) {
        super(line > 0 ? file + ":" + line + ": " + reason : file + ": " + reason);
        this.file = file;
        this.line = line;
    }

    /** The file. */
    public String file() {
        return file;
    }

    /** The 1-based line, or 0. */
    public int line() {
        return line;
    }

    static String clip(String s) {
        return s.length() <= 80 ? "'" + s + "'" : "'" + s.substring(0, 77) + "...'";
    }
}
