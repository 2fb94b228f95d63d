package dev.helix.nexus.telemetry.internal;

import java.util.Arrays;

/**
 * The name field of each line of a kernel file that keeps its line order from one read to the next (meminfo,
 * vmstat): the String of line n is kept and returned again (the same instance, so callers may cache by identity)
 * while the text or bytes at that place are equal, so steady-state parsing creates no String per line. Lines beyond {@value #MAX_LINES} are not cached. O(name length) per call; not
 * thread-safe (one per sensor).
 */
public final class LineNames {

    /** Lines cached at most. */
    static final int MAX_LINES = 4096;

    private String[] names;

    /** @param expectedLines initial capacity (grows by doubling up to {@value #MAX_LINES}) */
    public LineNames(int expectedLines) {
        names = new String[Math.max(1, expectedLines)];
    }

    /** The name at {@code text[from, to)} of line {@code lineNo} (0-based), equal to {@code text.substring(from, to)}. */
    public String name(int lineNo, String text, int from, int to) {
        if (lineNo >= names.length) {
            if (lineNo >= MAX_LINES) {
                return text.substring(from, to);
            }
            names = Arrays.copyOf(names, Math.min(MAX_LINES, Math.max(names.length * 2, lineNo + 1)));
        }
        String cached = names[lineNo];
        if (cached != null && Texts.regionEquals(text, from, to, cached)) {
            return cached;
        }
        String c = text.substring(from, to);
        names[lineNo] = c;
        return c;
    }

    /**
     * The name at {@code b[from, to)} (ISO-8859-1) of line {@code lineNo} (0-based), equal to
     * {@code Bytes.latin1(b, from, to)}.
     */
    public String name(int lineNo, byte[] b, int from, int to) {
        if (lineNo >= names.length) {
            if (lineNo >= MAX_LINES) {
                return Bytes.latin1(b, from, to);
            }
            names = Arrays.copyOf(names, Math.min(MAX_LINES, Math.max(names.length * 2, lineNo + 1)));
        }
        String cached = names[lineNo];
        if (cached != null && Bytes.equalsLatin1(b, from, to, cached)) {
            return cached;
        }
        String c = Bytes.latin1(b, from, to);
        names[lineNo] = c;
        return c;
    }
}
