package dev.helix.nexus.telemetry.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Small, allocation-light helpers for reading and tokenising kernel text files. Every parse method returns a
 * sentinel instead of throwing, so parsers never crash on garbage.
 *
 * <p>Stateless and thread-safe.
 */
public final class Texts {

    /** Returned by {@link #parseLong} for text that is not a number. */
    public static final long NOT_A_NUMBER = Long.MIN_VALUE;

    private Texts() {
    }

    /**
     * Reads a whole file as ISO-8859-1 (never fails on bad bytes). Kernel files report size 0, so this reads to EOF
     * in chunks through a stream: {@code Files.readAllBytes} returns only the first byte of {@code /proc/sys} files
     * on JDK 25 (it trusts the size 0 and then reads one byte at a time, which /proc/sys does not support).
     *
     * @return the text, or {@code null} if the file is missing; other I/O problems are thrown
     */
    public static String readOrNull(Path file) throws IOException {
        try {
            try (java.io.InputStream in = Files.newInputStream(file)) {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Describes an I/O failure in a short human-readable way. */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "file does not exist";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * Parses an unsigned decimal integer (kernel counters are unsigned 64-bit; values above {@code Long.MAX_VALUE}
     * are returned as the same bit pattern, i.e. negative). O(length).
     *
     * @return the value, or {@link #NOT_A_NUMBER} when {@code s[from,to)} is empty, not all digits, or longer than
     *         20 digits
     */
    public static long parseUnsigned(CharSequence s, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 20) {
            return NOT_A_NUMBER;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return NOT_A_NUMBER;
            }
            long nv = v * 10 + (c - '0');
            if (len == 20 && Long.compareUnsigned(nv, v) < 0) {
                return NOT_A_NUMBER; // overflow beyond 2^64
            }
            v = nv;
        }
        return v;
    }

    /** {@link #parseUnsigned} of a whole string, with an optional leading '-' for signed values. */
    public static long parseLong(String s) {
        if (s == null) {
            return NOT_A_NUMBER;
        }
        String t = s.strip();
        if (t.startsWith("-")) {
            long v = parseUnsigned(t, 1, t.length());
            return v == NOT_A_NUMBER || v < 0 ? NOT_A_NUMBER : -v;
        }
        return parseUnsigned(t, 0, t.length());
    }

    /** Parses a double, or returns NaN for anything unparseable. */
    public static double parseDouble(String s) {
        if (s == null || s.isEmpty() || s.length() > 64) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The unsigned long as a double (exact for values below 2^53). */
    public static double unsignedToDouble(long v) {
        return v >= 0 ? (double) v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    /**
     * Splits on runs of ASCII whitespace, dropping empty tokens: the same as {@code line.strip().split("\\s+")}
     * (an empty array for a blank line) without compiling a regex per call. O(length); allocates only the array and
     * the tokens.
     */
    public static String[] fields(String line) {
        int s = 0;
        int e = line.length();
        while (s < e && Character.isWhitespace(line.charAt(s))) {
            s++;
        }
        while (e > s && Character.isWhitespace(line.charAt(e - 1))) {
            e--;
        }
        if (s == e) {
            return NO_FIELDS;
        }
        int n = 0;
        for (int i = s; i < e; ) {
            n++;
            while (i < e && !isRegexSpace(line.charAt(i))) {
                i++;
            }
            while (i < e && isRegexSpace(line.charAt(i))) {
                i++;
            }
        }
        String[] out = new String[n];
        int k = 0;
        for (int i = s; i < e; ) {
            int start = i;
            while (i < e && !isRegexSpace(line.charAt(i))) {
                i++;
            }
            out[k++] = line.substring(start, i);
            while (i < e && isRegexSpace(line.charAt(i))) {
                i++;
            }
        }
        return out;
    }

    private static final String[] NO_FIELDS = new String[0];

    /**
     * {@link #fields(String)} of {@code s.substring(from, to)} without creating it or the tokens: writes the start
     * and end (in {@code s}) of at most {@code starts.length} fields. O(to - from), allocation-free.
     *
     * @return the total number of fields (may exceed the capacity of the arrays; only the first are written)
     */
    public static int fields(String s, int from, int to, int[] starts, int[] ends) {
        int b = from;
        int e = to;
        while (b < e && Character.isWhitespace(s.charAt(b))) {
            b++;
        }
        while (e > b && Character.isWhitespace(s.charAt(e - 1))) {
            e--;
        }
        int n = 0;
        for (int i = b; i < e; ) {
            int start = i;
            while (i < e && !isRegexSpace(s.charAt(i))) {
                i++;
            }
            if (n < starts.length) {
                starts[n] = start;
                ends[n] = i;
            }
            n++;
            while (i < e && isRegexSpace(s.charAt(i))) {
                i++;
            }
        }
        return n;
    }

    /** {@link #parseLong(String)} of {@code s.substring(from, to)} without creating it. O(to - from). */
    public static long parseLong(String s, int from, int to) {
        int b = from;
        int e = to;
        while (b < e && Character.isWhitespace(s.charAt(b))) {
            b++;
        }
        while (e > b && Character.isWhitespace(s.charAt(e - 1))) {
            e--;
        }
        if (b < e && s.charAt(b) == '-') {
            long v = parseUnsigned(s, b + 1, e);
            return v == NOT_A_NUMBER || v < 0 ? NOT_A_NUMBER : -v;
        }
        return parseUnsigned(s, b, e);
    }

    /** {@code s.substring(from, to).isBlank()} without creating it. */
    public static boolean isBlank(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code s.substring(from, to)} equals {@code t}, without creating it. */
    public static boolean regionEquals(String s, int from, int to, String t) {
        return to - from == t.length() && s.regionMatches(from, t, 0, t.length());
    }

    /** The characters of the regex {@code \\s}: space, TAB, LF, VT, FF, CR. */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** Cuts a reason to a sane length for health reports. */
    public static String abbreviate(String s) {
        String clean = s.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 240 ? clean : clean.substring(0, 237) + "...";
    }
}
