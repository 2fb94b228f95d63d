package dev.helix.nexus.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses and prints durations in the short form people write in config files and flags: {@code 250ms}, {@code 1s},
 * {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 100us}, {@code 0}, or ISO-8601 ({@code PT1S}). A number without a unit
 * is refused, since it is ambiguous. Negative values parse (so that validation can name them).
 */
public final class Durations {

    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(9_000_000_000_000_000_000L);

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.startsWith("pt") || t.startsWith("-pt") || t.startsWith("p")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw bad(text);
            }
        }
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.' || t.charAt(i) == '-' || t.charAt(i) == '+')) {
            i++;
        }
        if (i == 0 || i == t.length()) {
            throw bad(text);
        }
        BigDecimal n;
        try {
            n = new BigDecimal(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw bad(text);
        }
        long nanosPerUnit = switch (t.substring(i).trim()) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s", "sec" -> 1_000_000_000L;
            case "m", "min" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> throw bad(text);
        };
        // exact decimal arithmetic: a double loses nanoseconds (and even milliseconds) beyond about 2^53 ns
        BigDecimal nanos = n.multiply(BigDecimal.valueOf(nanosPerUnit)).setScale(0, RoundingMode.HALF_UP);
        if (nanos.abs().compareTo(MAX_NANOS) > 0) {
            throw bad(text);
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration; write a number with a unit (ns, us, ms, s, m, h, d) such as 250ms, 1s or 2m, or ISO-8601 such as PT1S");
    }

    /** Short form: {@code 250ms}, {@code 1s}, {@code 90s}; {@code null} prints as {@code null}. */
    public static String format(Duration d) {
        if (d == null) {
            return "null";
        }
        long nanos = d.toNanos();
        if (nanos % 1_000_000_000L == 0) {
            return (nanos / 1_000_000_000L) + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return (nanos / 1_000_000L) + "ms";
        }
        if (nanos % 1_000L == 0) {
            return (nanos / 1_000L) + "us";
        }
        return nanos + "ns";
    }
}
