package dev.helix.nexus.core.spi;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The identity of one time series: a metric name plus a sorted set of labels, as in the Prometheus data model.
 *
 * <p>Keys are immutable and cheap to compare; a sensor should build its keys once (e.g. per CPU core or per
 * device) and reuse them on every tick so that recording a sample does not allocate.
 *
 * <p>Thread-safe (immutable).
 *
 * @param name   metric name, {@code [a-zA-Z_:][a-zA-Z0-9_:]*}
 * @param labels label names to values, iterated in label-name order
 */
public record MetricKey(String name, Map<String, String> labels) {

    public MetricKey {
        Objects.requireNonNull(name, "name");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("metric name '" + name + "' is not a valid Prometheus name [a-zA-Z_:][a-zA-Z0-9_:]*");
        }
        labels = labels == null || labels.isEmpty()
                ? Map.of()
                : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** A key without labels. */
    public static MetricKey of(String name) {
        return new MetricKey(name, Map.of());
    }

    /** A key with labels given as alternating name, value pairs. */
    public static MetricKey of(String name, String... labelPairs) {
        if (labelPairs.length % 2 != 0) {
            throw new IllegalArgumentException("labels of '" + name + "' must come in name,value pairs, got " + labelPairs.length + " strings");
        }
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            map.put(labelPairs[i], labelPairs[i + 1]);
        }
        return new MetricKey(name, map);
    }

    /** Returns the value of a label, or {@code null} when the key has no such label. */
    public String label(String labelName) {
        return labels.get(labelName);
    }

    static boolean isValidName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The Prometheus text form, e.g. {@code node_cpu_seconds{cpu="0",mode="idle"}}. */
    @Override
    public String toString() {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder sb = new StringBuilder();
        appendTo(sb, false);
        return sb.toString();
    }

    /**
     * Appends the Prometheus text form to {@code sb}: label values with backslash, double quote and newline escaped
     * as the exposition format defines. With {@code escapeCarriageReturn} a carriage return is written as
     * {@code \r} too (an extension used by NEXUS recordings so every sample stays on one line; Prometheus itself
     * leaves it raw). O(length of the key); not thread-safe for a shared {@code sb}.
     *
     * @param sb                   where to append
     * @param escapeCarriageReturn whether to escape CR as {@code \r}
     */
    public void appendTo(StringBuilder sb, boolean escapeCarriageReturn) {
        sb.append(name);
        if (labels.isEmpty()) {
            return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(e.getKey()).append("=\"");
            String v = e.getValue();
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                switch (c) {
                    case '\\' -> sb.append("\\\\");
                    case '"' -> sb.append("\\\"");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append(escapeCarriageReturn ? "\\r" : "\r");
                    default -> sb.append(c);
                }
            }
            sb.append('"');
        }
        sb.append('}');
    }
}
