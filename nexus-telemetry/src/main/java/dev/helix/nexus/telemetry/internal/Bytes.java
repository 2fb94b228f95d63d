package dev.helix.nexus.telemetry.internal;

/**
 * Byte-level counterparts of {@link Texts} for kernel files read with {@link ProcFileReader}: bytes are Latin-1
 * characters, and every method gives exactly what the {@link Texts} method gives on the same bytes decoded as
 * ISO-8859-1 (checked by property tests), without creating a {@link String}.
 *
 * <p>Stateless and thread-safe; every method is O(length of the range) and allocation-free.
 */
public final class Bytes {

    private Bytes() {
    }

    /** {@link Character#isWhitespace} for a Latin-1 byte: TAB, LF, VT, FF, CR, FS, GS, RS, US and space. */
    public static boolean isWhitespace(byte b) {
        int c = b & 0xFF;
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    }

    /** The ASCII whitespace of the regex {@code \s}: space, TAB, LF, VT, FF, CR. */
    public static boolean isRegexSpace(byte b) {
        return b == ' ' || (b >= 0x09 && b <= 0x0D);
    }

    /** First index in {@code [from,to)} that is not {@link #isWhitespace}, or {@code to}. */
    public static int skipWhitespace(byte[] b, int from, int to) {
        int i = from;
        while (i < to && isWhitespace(b[i])) {
            i++;
        }
        return i;
    }

    /** One past the last index in {@code [from,to)} that is not {@link #isWhitespace}, or {@code from}. */
    public static int trimEnd(byte[] b, int from, int to) {
        int i = to;
        while (i > from && isWhitespace(b[i - 1])) {
            i--;
        }
        return i;
    }

    /**
     * {@link Texts#parseLong(String)} of {@code b[from,to)}: surrounding whitespace stripped, an optional leading
     * '-', then at most 20 decimal digits read as an unsigned 64-bit value.
     *
     * @return the value or {@link Texts#NOT_A_NUMBER}
     */
    public static long parseLong(byte[] b, int from, int to) {
        int s = skipWhitespace(b, from, to);
        int e = trimEnd(b, s, to);
        if (s < e && b[s] == '-') {
            long v = parseUnsigned(b, s + 1, e);
            return v == Texts.NOT_A_NUMBER || v < 0 ? Texts.NOT_A_NUMBER : -v;
        }
        return parseUnsigned(b, s, e);
    }

    /** {@link Texts#parseUnsigned} of {@code b[from,to)} (no whitespace allowed). */
    public static long parseUnsigned(byte[] b, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 20) {
            return Texts.NOT_A_NUMBER;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int c = b[i];
            if (c < '0' || c > '9') {
                return Texts.NOT_A_NUMBER;
            }
            long nv = v * 10 + (c - '0');
            if (len == 20 && Long.compareUnsigned(nv, v) < 0) {
                return Texts.NOT_A_NUMBER;
            }
            v = nv;
        }
        return v;
    }

    /**
     * Splits {@code b[from,to)} like {@link Texts#fields}: strips {@link #isWhitespace} at both ends, then splits on
     * runs of {@link #isRegexSpace}. Writes the start and end of at most {@code starts.length} fields.
     *
     * @return the total number of fields (may exceed the capacity of the arrays; only the first are written)
     */
    public static int fields(byte[] b, int from, int to, int[] starts, int[] ends) {
        int s = skipWhitespace(b, from, to);
        int e = trimEnd(b, s, to);
        int n = 0;
        int i = s;
        while (i < e) {
            int start = i;
            while (i < e && !isRegexSpace(b[i])) {
                i++;
            }
            if (n < starts.length) {
                starts[n] = start;
                ends[n] = i;
            }
            n++;
            while (i < e && isRegexSpace(b[i])) {
                i++;
            }
        }
        return n;
    }

    /** Index of the first {@code c} in {@code [from,to)}, or -1. */
    public static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the last {@code c} in {@code [from,to)}, or -1. */
    public static int lastIndexOf(byte[] b, int from, int to, byte c) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code b[from,to)} starts with the ASCII {@code prefix}. */
    public static boolean startsWith(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b[from,to)} decoded as ISO-8859-1 equals {@code s}. */
    public static boolean equalsLatin1(byte[] b, int from, int to, String s) {
        if (s == null || to - from != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if ((b[from + i] & 0xFF) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
