package dev.helix.nexus.telemetry.cgroup;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.CounterRates;
import dev.helix.nexus.telemetry.internal.Texts;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared machinery of the cgroup sensors: walking a hierarchy breadth-first to a depth and count bound, caching
 * keys per group, rating counters. Every key carries {@code cgroup} (path relative to the hierarchy root, "/" for
 * the root) and {@code hierarchy} ("v1" or "v2").
 *
 * <p>Not thread-safe (tick thread only).
 */
abstract class CgroupSensorBase extends AbstractSensor {

    /** Limits at or above this are "unlimited" (v1 reports 9223372036854771712, a page-rounded Long.MAX_VALUE). */
    static final long UNLIMITED = 1L << 62;

    protected final int maxDepth;
    protected final int maxGroups;
    protected final CounterRates rates = new CounterRates();
    private final String hierarchy;
    private final Map<String, Map<String, MetricKey>> keys = new HashMap<>();

    protected CgroupSensorBase(String name, String source, String hierarchy, int maxDepth, int maxGroups) {
        super(name, source);
        this.hierarchy = hierarchy;
        this.maxDepth = maxDepth;
        this.maxGroups = maxGroups;
    }

    /** Directories of the hierarchy under {@code root}, root first, breadth-first, bounded. O(groups). */
    protected final List<Path> walk(Path root) {
        List<Path> out = new ArrayList<>();
        ArrayDeque<Path> queue = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        queue.add(root);
        depths.add(0);
        while (!queue.isEmpty() && out.size() < maxGroups) {
            Path dir = queue.poll();
            int depth = depths.poll();
            out.add(dir);
            if (depth >= maxDepth) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path child : ds) {
                    queue.add(child);
                    depths.add(depth + 1);
                }
            } catch (IOException | RuntimeException e) {
                if (dir.equals(root)) {
                    problem(root, "cannot list " + root + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** The group label of {@code dir} under {@code root}: "/" or "/a/b". */
    protected static String groupName(Path root, Path dir) {
        String rel = root.relativize(dir).toString().replace('\\', '/');
        return rel.isEmpty() ? "/" : "/" + rel;
    }

    /** The cached key {@code name{cgroup,hierarchy[,extraName=extraValue]}}. */
    protected final MetricKey key(String group, String name, String extraName, String extraValue) {
        Map<String, MetricKey> g = keys.computeIfAbsent(group, k -> new HashMap<>());
        String id = extraName == null ? name : name + '\u0000' + extraValue;
        MetricKey k = g.get(id);
        if (k == null) {
            k = extraName == null
                    ? MetricKey.of(name, "cgroup", group, "hierarchy", hierarchy)
                    : MetricKey.of(name, "cgroup", group, "hierarchy", hierarchy, extraName, extraValue);
            g.put(id, k);
        }
        return k;
    }

    protected final MetricKey key(String group, String name) {
        return key(group, name, null, null);
    }

    /** Drops cached keys and counter state of groups that vanished. */
    protected final void retainGroups(java.util.Set<String> live) {
        for (Map.Entry<String, Map<String, MetricKey>> e : keys.entrySet()) {
            if (!live.contains(e.getKey())) {
                for (MetricKey k : e.getValue().values()) {
                    rates.forget(k);
                }
            }
        }
        keys.keySet().retainAll(live);
    }

    /**
     * Reads a single-number limit file: "max" means unlimited and gives +Inf. Missing gives NaN without a problem (the
     * controller is not enabled there); garbage gives NaN with a problem. Unsigned 64-bit values are kept unsigned; a
     * leading '-' (v1 {@code cpu.cfs_quota_us} of -1) gives a negative value.
     */
    protected final double readLimit(Path file) {
        return readNumber(file, true);
    }

    /** Reads a single-number gauge file; as {@link #readLimit} but "max" is a problem, never +Inf. */
    protected final double readGauge(Path file) {
        return readNumber(file, false);
    }

    private double readNumber(Path file, boolean maxAllowed) {
        String t = readOptional(file);
        if (t == null) {
            return Double.NaN;
        }
        String s = t.strip();
        if (maxAllowed && s.equals("max")) {
            return Double.POSITIVE_INFINITY;
        }
        long v = Texts.parseLong(s);
        if (v == Texts.NOT_A_NUMBER) {
            problem(file, file + ": not a number '" + Texts.abbreviate(s) + "'");
            return Double.NaN;
        }
        if (s.startsWith("-") && !maxAllowed) {
            problem(file, file + ": negative value '" + Texts.abbreviate(s) + "'");
            return Double.NaN;
        }
        return s.startsWith("-") ? v : Texts.unsignedToDouble(v);
    }

    /** Reads a file that may legitimately be absent; null when absent, a problem when unreadable. */
    protected final String readOptional(Path file) {
        return read(file, false);
    }

    /**
     * Parses a flat-keyed file ({@code key value} per line: cpu.stat, memory.stat, memory.events) into
     * {@code out}; returns false and records a problem on a malformed line (a value that is not a non-negative
     * integer below 2^63).
     */
    protected final boolean parseFlatKeyed(Path file, String text, Map<String, Long> out) {
        boolean ok = true;
        for (String line : text.split("\n")) {
            String[] f = Texts.fields(line);
            if (f.length == 0) {
                continue;
            }
            long v = f.length == 2 ? Texts.parseLong(f[1]) : Texts.NOT_A_NUMBER;
            if (v < 0) { // not a number, negative, or beyond 2^63 (not a real kernel value)
                if (ok) {
                    problem(file, file + ": bad line '" + Texts.abbreviate(line) + "'");
                }
                ok = false;
                continue;
            }
            out.put(f[0], v);
        }
        return ok;
    }

    /** Records the rate of a counter under {@code key}, scaled. */
    protected final void rate(MetricSink sink, MetricKey key, Long counter, double scale, long ts) {
        if (counter != null) {
            sink.record(key, rates.rate(key, counter, ts) * scale, ts);
        }
    }

    /** Records a limit unless unlimited/absent, and usage/limit when both exist. */
    protected final void limit(MetricSink sink, String group, String limitName, String fractionName,
                               double usage, double limit, long ts) {
        if (limit >= 0 && !Double.isInfinite(limit) && limit < UNLIMITED) { // -1 and "max" mean unlimited
            sink.record(key(group, limitName), limit, ts);
            if (!Double.isNaN(usage) && limit > 0 && fractionName != null) {
                sink.record(key(group, fractionName), usage / limit, ts);
            }
        }
    }

    @Override
    protected abstract void doSample(MetricSink sink, long timestampMillis, String text);
}
