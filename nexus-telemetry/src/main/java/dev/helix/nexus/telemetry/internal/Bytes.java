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

    /** {@code b[from,to)} as an ISO-8859-1 String (allocates; for keys seen the first time and problem messages). */
    public static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * Whether the fields {@code [first, end)} of a {@link #fields} split, joined by single spaces, equal {@code s},
     * decoded as ISO-8859-1. O(length of s), no allocation.
     */
    public static boolean joinedEquals(byte[] b, int[] starts, int[] ends, int first, int end, String s) {
        if (s == null) {
            return false;
        }
        int k = 0;
        for (int f = first; f < end; f++) {
            if (f > first) {
                if (k >= s.length() || s.charAt(k) != ' ') {
                    return false;
                }
                k++;
            }
            for (int i = starts[f]; i < ends[f]; i++, k++) {
                if (k >= s.length() || s.charAt(k) != (b[i] & 0xFF)) {
                    return false;
                }
            }
        }
        return k == s.length();
    }

    /** The fields {@code [first, end)} of a {@link #fields} split joined by single spaces, as ISO-8859-1. */
    public static String joined(byte[] b, int[] starts, int[] ends, int first, int end) {
        StringBuilder sb = new StringBuilder();
        for (int f = first; f < end; f++) {
            if (f > first) {
                sb.append(' ');
            }
            for (int i = starts[f]; i < ends[f]; i++) {
                sb.append((char) (b[i] & 0xFF));
            }
        }
        return sb.toString();
    }

    /**
     * End of the line starting at {@code from} in {@code b[0,len)}: the index of the next '\n', or {@code len}.
     * Lines are what {@code String.split("\n")} gives, except that split also drops trailing empty lines, which
     * callers skip as blank anyway.
     */
    public static int lineEnd(byte[] b, int from, int len) {
        int e = indexOf(b, from, len, (byte) '\n');
        return e < 0 ? len : e;
    }

    /**
     * {@link Texts#parseDouble} of {@code b[from,to)}. Plain decimals ({@code 12.34}, {@code 5}, {@code .5}: digits
     * with at most one '.', at most 15 digits in all) are converted without allocation as the digits over a power of
     * ten, one correctly rounded division of two exact doubles, hence the same double as
     * {@link Double#parseDouble}; anything else (signs, exponents, more digits, words) goes through
     * {@link Texts#parseDouble} on a String.
     */
    public static double parseDouble(byte[] b, int from, int to) {
        long m = 0;
        int digits = 0;
        int fraction = -1;
        for (int i = from; i < to; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                m = m * 10 + (c - '0');
                digits++;
                if (fraction >= 0) {
                    fraction++;
                }
            } else if (c == '.' && fraction < 0) {
                fraction = 0;
            } else {
                digits = 99; // not a plain decimal
                break;
            }
        }
        if (digits == 0 || digits > 15) {
            return Texts.parseDouble(latin1(b, from, to));
        }
        return fraction <= 0 ? (double) m : m / POW10[fraction];
    }

    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
            1e14, 1e15};
}
