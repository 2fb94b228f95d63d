package dev.helix.nexus.core.spi;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The identity of one time series: a metric name plus a sorted set of labels, as in the Prometheus data model.
 *
 * <p>Keys are immutable and cheap to compare; a sensor should build its keys once (e.g. per CPU core or per
 * device) and reuse them on every tick so that recording a sample does not allocate.
 *
 * <p>Construction checks the names, so that every key prints as a line a Prometheus text parser reads back: the
 * metric name must match {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, every label name {@code [a-zA-Z_][a-zA-Z0-9_]*}, and no
 * label value may be {@code null}; otherwise an {@link IllegalArgumentException} (or {@link NullPointerException})
 * names the offending name, the character and its index. Label values may hold any text (see {@link #appendTo}).
 * The check is O(total length of the names) and runs once per key, never per sample; it allocates nothing itself
 * (a three-label key costs ~256 instead of ~200 bytes because the JIT no longer elides the copy's entry iterator).
 *
 * <p><b>Hashing and equality.</b> Two keys are equal exactly when their names are equal and their label maps hold
 * the same name/value pairs (insertion order of the map handed in does not matter), and equal keys have equal hash
 * codes: the record's own {@code equals}/{@code hashCode} over its two components. What makes them cheap is the
 * {@code labels} component: a non-empty label set is held in a private {@link SortedMap} (a {@code Labels} view over
 * the key's own {@link TreeMap} copy, always in natural label-name order, also when the map handed in is a
 * {@link SortedMap} with another comparator) that carries the map's {@link Map#hashCode()}, summed once in the walk
 * that validates the labels. So {@link #hashCode()} is O(1) (the name's {@link String} hash is cached by the
 * string), not a walk of the labels at every hash-map lookup; {@link #equals} is O(1) for the same instance (hash
 * maps test identity first) and for label sets with different hashes, and O(labels) otherwise. {@link #labels()}
 * is, as before, unmodifiable and {@link Map#equals equal} to (and hashing like) any other map with the same
 * entries; when empty it is the shared {@link Map#of()}. A key built from another key's {@code labels()} shares
 * them (no copy, no re-validation). Cost: one 32-byte wrapper per labelled key, once ({@code MetricKey.of} with
 * three labels allocates 512 instead of 480 bytes; JDK 25, compressed oops). This wrapper was chosen over turning
 * the record into a class with a hash field because it keeps every accessor, the record's text form and
 * deconstruction patterns unchanged.
 *
 * <p>Thread-safe (immutable; the cached hash is a final field).
 *
 * @param name   metric name, {@code [a-zA-Z_:][a-zA-Z0-9_:]*}
 * @param labels label names ({@code [a-zA-Z_][a-zA-Z0-9_]*}) to values, iterated in label-name order; the key keeps
 *               its own copy, so later changes to the map handed in do not reach it
 */
public record MetricKey(String name, Map<String, String> labels) {

    public MetricKey {
        Objects.requireNonNull(name, "name");
        int bad = invalidNameIndex(name, true);
        if (bad >= 0) {
            throw new IllegalArgumentException("metric name '" + name + "' is not a valid Prometheus name "
                    + "[a-zA-Z_:][a-zA-Z0-9_:]*: " + describe(name, bad));
        }
        if (labels == null || labels.isEmpty()) {
            labels = Map.of();
        } else if (!(labels instanceof Labels)) { // a Labels was checked when its key was built
            int hash = 0;
            for (Map.Entry<String, String> e : labels.entrySet()) {
                checkLabel(name, e.getKey(), e.getValue());
                hash += e.getKey().hashCode() ^ e.getValue().hashCode(); // Map.hashCode: sum of Entry.hashCode
            }
            TreeMap<String, String> copy = new TreeMap<>(); // natural order, whatever the comparator handed in
            copy.putAll(labels);
            labels = new Labels(copy, hash);
        }
    }

    private static void checkLabel(String name, String label, String value) {
        if (label == null) {
            throw new NullPointerException("a label name of '" + name + "' is null");
        }
        int at = invalidNameIndex(label, false);
        if (at >= 0) {
            throw new IllegalArgumentException("label name '" + label + "' of '" + name + "' is not a valid "
                    + "Prometheus label name [a-zA-Z_][a-zA-Z0-9_]*: " + describe(label, at));
        }
        if (value == null) {
            throw new NullPointerException("label '" + label + "' of '" + name + "' has a null value");
        }
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
        return invalidNameIndex(name, true) < 0;
    }

    /** Whether {@code label} is a valid Prometheus label name, {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    public static boolean isValidLabelName(String label) {
        return label != null && invalidNameIndex(label, false) < 0;
    }

    /**
     * The index of the first character that makes {@code s} an invalid metric name (with {@code colonAllowed}) or
     * label name (without), {@code 0} for an empty string, or {@code -1} if it is valid. Allocation-free.
     */
    private static int invalidNameIndex(String s, boolean colonAllowed) {
        if (s.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (colonAllowed && c == ':') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return i;
            }
        }
        return -1;
    }

    private static String describe(String s, int at) {
        if (s.isEmpty()) {
            return "it is empty";
        }
        int cp = s.codePointAt(at);
        String shown = cp >= 0x20 && cp != 0x7f && !Character.isISOControl(cp) ? "'" + Character.toString(cp) + "' " : "";
        return "character " + shown + String.format("U+%04X", cp) + " at index " + at
                + (at == 0 && cp >= '0' && cp <= '9' ? " (a name may not start with a digit)" : "");
    }

    /**
     * The Prometheus text form, e.g. {@code node_cpu_seconds{cpu="0",mode="idle"}}, with label values escaped as
     * {@link #appendTo(StringBuilder)} does.
     */
    @Override
    public String toString() {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length() + 16 * labels.size());
        appendTo(sb);
        return sb.toString();
    }

    /**
     * Appends the text form NEXUS writes everywhere ({@code metrics --once}, the telemetry store's text, recordings):
     * the name, then the labels in name order as {@code {name="value",...}}. In a value, backslash, double quote and
     * line feed are escaped as {@code \\}, {@code \"} and {@code \n} (what the Prometheus exposition format
     * requires), and a carriage return as {@code \r}, so that a sample is always one line for any line reader
     * (the exposition format leaves CR raw, and a raw CR splits the line for {@code BufferedReader.readLine} and
     * most line readers; NEXUS's {@code PrometheusTextParser} reads {@code \r} back as CR, while a parser that
     * knows only the format's three escapes keeps it as backslash and r, or rejects it). Every other
     * character, other control characters (tab, NUL, ...) included, is written as it is: none of them ends a line
     * or a quoted value. O(length of the key); not thread-safe for a shared {@code sb}.
     *
     * @param sb where to append
     */
    public void appendTo(StringBuilder sb) {
        appendTo(sb, true);
    }

    /**
     * {@link #appendTo(StringBuilder)}, optionally leaving a carriage return raw ({@code escapeCarriageReturn} false:
     * exactly the escaping of the Prometheus exposition format, for a consumer that rejects {@code \r}).
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

    /**
     * A key's label set: an unmodifiable, name-ordered view of the key's own {@link TreeMap} copy whose
     * {@link Map#hashCode()} is computed once. Equal to (and hashing like) any {@link Map} with the same entries, as
     * the {@link Map} contract requires. Every query is O(1) or O(log labels) as on the {@code TreeMap}; views and
     * iterators are those of {@link Collections#unmodifiableSortedMap}, so no mutator works. Immutable, thread-safe.
     */
    private static final class Labels extends AbstractMap<String, String> implements SortedMap<String, String> {
        private final SortedMap<String, String> map;
        private final int hash;

        /** @param hash {@code owned.hashCode()}, computed by the caller while it walked the entries */
        Labels(TreeMap<String, String> owned, int hash) {
            this.map = Collections.unmodifiableSortedMap(owned);
            this.hash = hash;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (o instanceof Labels other && other.hash != hash) {
                return false; // equal maps have equal hashes
            }
            return map.equals(o);
        }

        @Override
        public String get(Object key) {
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public void forEach(BiConsumer<? super String, ? super String> action) {
            map.forEach(action);
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            return map.entrySet();
        }

        @Override
        public Set<String> keySet() {
            return map.keySet();
        }

        @Override
        public Collection<String> values() {
            return map.values();
        }

        @Override
        public Comparator<? super String> comparator() {
            return map.comparator();
        }

        @Override
        public SortedMap<String, String> subMap(String fromKey, String toKey) {
            return map.subMap(fromKey, toKey);
        }

        @Override
        public SortedMap<String, String> headMap(String toKey) {
            return map.headMap(toKey);
        }

        @Override
        public SortedMap<String, String> tailMap(String fromKey) {
            return map.tailMap(fromKey);
        }

        @Override
        public String firstKey() {
            return map.firstKey();
        }

        @Override
        public String lastKey() {
            return map.lastKey();
        }

        @Override
        public String toString() {
            return map.toString();
        }
    }
}
