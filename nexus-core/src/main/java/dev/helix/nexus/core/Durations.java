package dev.helix.nexus.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses and prints durations in the short form people write in config files and flags: {@code 250ms}, {@code 1s},
 * {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 100us}, {@code 0}, or ISO-8601 ({@code PT1S}). A number without a unit
 * is refused, since it is ambiguous. Negative values parse (so that validation can name them).
 */
public final class Durations {

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
        double n;
        try {
            n = Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw bad(text);
        }
        double nanosPerUnit = switch (t.substring(i).trim()) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s", "sec" -> 1e9;
            case "m", "min" -> 60e9;
            case "h" -> 3600e9;
            case "d" -> 86400e9;
            default -> throw bad(text);
        };
        double nanos = n * nanosPerUnit;
        if (!Double.isFinite(nanos) || Math.abs(nanos) > 9e18) {
            throw bad(text);
        }
        return Duration.ofNanos(Math.round(nanos));
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
