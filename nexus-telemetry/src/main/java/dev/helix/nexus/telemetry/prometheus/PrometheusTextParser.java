package dev.helix.nexus.telemetry.prometheus;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.telemetry.internal.Texts;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Parser of the Prometheus text exposition format 0.0.4 and the OpenMetrics text format: comment lines
 * ({@code # HELP}, {@code # TYPE}, {@code # EOF}) are skipped, each sample line
 * {@code name{label="value",...} value [timestamp] [# exemplar]} becomes a {@link MetricKey} and a double.
 *
 * <p>Label values may contain escaped {@code \\}, {@code \"}, {@code \n} and any character including '}' and ','.
 * {@code \r} is read as a carriage return (NEXUS recordings escape CR that way, see
 * {@code TelemetryRecorder.appendKey}); any other escaped character stands for itself.
 * Malformed lines are counted and the first few described, never thrown. Values: Go float syntax, including
 * {@code NaN}, {@code +Inf}, {@code -Inf}.
 *
 * <p>O(length). Stateless; thread-safe.
 */
public final class PrometheusTextParser {

    /** One parsed sample. */
    public record Sample(MetricKey key, double value) {
    }

    /** What a parse produced: the samples, how many lines were bad, and the first problems. */
    public record Result(List<Sample> samples, int badLines, List<String> problems) {
    }

    /** One sample with its optional exposition timestamp (milliseconds; {@link Long#MIN_VALUE} when absent). */
    public record TimedSample(MetricKey key, double value, long timestampMillis) {
    }

    private PrometheusTextParser() {
    }

    /**
     * Parses one sample line including its timestamp, as written by
     * {@link dev.helix.nexus.telemetry.TelemetryRecorder}.
     *
     * @return the sample, or null for a comment, blank or malformed line
     */
    public static TimedSample parseTimedLine(String line) {
        if (line == null || line.isBlank() || line.stripLeading().startsWith("#")) {
            return null;
        }
        try {
            Object r = parseLine(line);
            if (!(r instanceof Sample s)) {
                return null;
            }
            long ts = Long.MIN_VALUE;
            String[] rest = Texts.fields(line.substring(valueStart(line)));
            if (rest.length >= 2 && !rest[1].equals("#")) {
                ts = Texts.parseLong(rest[1]);
                if (ts == Texts.NOT_A_NUMBER) {
                    return null;
                }
            }
            return new TimedSample(s.key(), s.value(), ts);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Index just after the name and label set of a well-formed sample line. */
    private static int valueStart(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) == ' ') {
            i++;
        }
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        if (i < n && line.charAt(i) == '{') {
            boolean inValue = false;
            for (i++; i < n; i++) {
                char c = line.charAt(i);
                if (inValue && c == '\\') {
                    i++;
                } else if (c == '"') {
                    inValue = !inValue;
                } else if (!inValue && c == '}') {
                    i++;
                    break;
                }
            }
        }
        return Math.min(i, n);
    }

    /** Parses a whole exposition; at most {@code maxSamples} samples are kept (the rest counted as problems). */
    public static Result parse(String text, int maxSamples) {
        List<Sample> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int bad = 0;
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String err;
            Sample s = null;
            try {
                Object r = parseLine(line);
                if (r instanceof Sample sample) {
                    s = sample;
                    err = null;
                } else {
                    err = (String) r;
                }
            } catch (IllegalArgumentException e) { // MetricKey rejected the name
                err = e.getMessage();
            }
            if (err != null) {
                bad++;
                if (problems.size() < 5) {
                    problems.add("line " + lineNo + ": " + Texts.abbreviate(err));
                }
                continue;
            }
            if (out.size() >= maxSamples) {
                bad++;
                if (problems.size() < 5) {
                    problems.add("more than " + maxSamples + " samples, rest dropped");
                }
                continue;
            }
            out.add(s);
        }
        return new Result(out, bad, problems);
    }

    /** A Sample or an error message. */
    private static Object parseLine(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) == ' ') {
            i++;
        }
        int nameStart = i;
        while (i < n && isNameChar(line.charAt(i), i == nameStart)) {
            i++;
        }
        if (i == nameStart) {
            return "no metric name in '" + line + "'";
        }
        String name = line.substring(nameStart, i);
        TreeMap<String, String> labels = new TreeMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                    i++;
                }
                if (i < n && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int ls = i;
                while (i < n && isNameChar(line.charAt(i), i == ls) && line.charAt(i) != ':') {
                    i++;
                }
                if (i == ls) {
                    return "bad label name in '" + line + "'";
                }
                String lname = line.substring(ls, i);
                while (i < n && line.charAt(i) == ' ') {
                    i++;
                }
                if (i >= n || line.charAt(i) != '=') {
                    return "want '=' after label " + lname;
                }
                i++;
                while (i < n && line.charAt(i) == ' ') {
                    i++;
                }
                if (i >= n || line.charAt(i) != '"') {
                    return "want '\"' to open value of label " + lname;
                }
                i++;
                StringBuilder v = new StringBuilder();
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '\\' && i < n) {
                        char e = line.charAt(i++);
                        v.append(e == 'n' ? '\n' : e == 'r' ? '\r' : e);
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        v.append(c);
                    }
                }
                if (!closed) {
                    return "unterminated value of label " + lname;
                }
                if (labels.put(lname, v.toString()) != null) {
                    return "duplicate label " + lname;
                }
            }
        }
        String[] rest = Texts.fields(line.substring(Math.min(i, n)));
        if (rest.length == 0) {
            return "no value for " + name;
        }
        if (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            return "want space before the value of " + name;
        }
        double value = parseValue(rest[0]);
        if (Double.isNaN(value) && !rest[0].equals("NaN")) {
            return "bad value '" + rest[0] + "' for " + name;
        }
        if (rest.length > 1 && !rest[1].equals("#") && Double.isNaN(Texts.parseDouble(rest[1]))) {
            return "bad timestamp '" + rest[1] + "' for " + name;
        }
        return new Sample(new MetricKey(name, labels), value);
    }

    static double parseValue(String s) {
        return switch (s) {
            case "+Inf", "Inf", "+inf", "inf" -> Double.POSITIVE_INFINITY;
            case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
            case "NaN", "nan" -> Double.NaN;
            default -> {
                // Java accepts hex floats, "Infinity" and trailing 'd'/'f'; the format does not
                for (int k = 0; k < s.length(); k++) {
                    char c = s.charAt(k);
                    if (!(c >= '0' && c <= '9') && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
                        yield Double.NaN;
                    }
                }
                yield Texts.parseDouble(s);
            }
        };
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
    }
}
