package dev.helix.nexus.telemetry.cgroup;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.Bytes;
import dev.helix.nexus.telemetry.internal.ProcFileReader;
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
import java.util.Set;
import java.util.HashSet;

/**
 * Shared machinery of the cgroup sensors: walking a hierarchy breadth-first to a depth and count bound, caching
 * keys per group, rating counters, reading flat-keyed and single-number files in place (no String per line). Every
 * key carries {@code cgroup} (path relative to the hierarchy root, "/" for the root) and {@code hierarchy} ("v1" or
 * "v2").
 *
 * <p>Directory listings are cached: {@link #groups} re-lists a hierarchy every {@code rewalkEvery} calls (default
 * {@value #DEFAULT_REWALK_EVERY}, i.e. every 10 ticks; 1 = every tick) and returns the cached groups in between. A
 * group created since the last listing is therefore first sampled up to {@code rewalkEvery - 1} ticks late; a
 * removed group yields nothing (its files are gone) and is forgotten at the next listing. The files inside each group
 * are read every tick; on a real cgroup file system they are kept open (one {@code pread} per file per tick) for as
 * long as their group is listed, and closed at the first listing that no longer finds the group. A listing on a
 * cgroup file system stats about one entry per group instead of every interface file (see {@link #walk}), and the
 * sensors check that their root is still a hierarchy only on listing ticks (see {@link #listingDue}).
 *
 * <p>Not thread-safe (tick thread only).
 */
abstract class CgroupSensorBase extends AbstractSensor {

    /** Limits at or above this are "unlimited" (v1 reports 9223372036854771712, a page-rounded Long.MAX_VALUE). */
    static final long UNLIMITED = 1L << 62;

    /** Default number of ticks a hierarchy listing is reused. */
    public static final int DEFAULT_REWALK_EVERY = 10;

    /** A group directory and its label. */
    protected record Group(Path dir, String name) {
    }

    private static final class Walk {
        List<Group> groups;
        int age;
    }

    protected final int maxDepth;
    protected final int maxGroups;
    protected final CounterRates rates = new CounterRates();
    private final String hierarchy;
    private final int rewalkEvery;
    private final Map<String, Map<String, MetricKey>> keys = new HashMap<>();
    private final Map<String, Map<String, Map<String, MetricKey>>> extraKeys = new HashMap<>();
    private final Map<Path, Walk> walks = new HashMap<>();
    /** Group directory to file name to the resolved file: the same Path instances while the group is listed. */
    private final Map<Path, Map<String, Path>> files = new HashMap<>();
    /** Per listed directory, the names last found not to be directories (used with link counts only). */
    private final Map<Path, Set<String>> notDirs = new HashMap<>();
    private boolean linkCounts;
    private String lastGroup; // memo of key(): the group asked for last and its key map
    private Map<String, MetricKey> lastGroupKeys;
    private Path lastDir; // memo of file(): the directory asked for last and its file map
    private Map<String, Path> lastDirFiles;
    private final int[] starts = new int[3];
    private final int[] ends = new int[3];

    protected CgroupSensorBase(String name, String source, String hierarchy, int maxDepth, int maxGroups,
                               int rewalkEvery) {
        super(name, source);
        if (maxDepth < 0 || maxGroups < 1 || rewalkEvery < 1) {
            throw new IllegalArgumentException("need maxDepth >= 0, maxGroups >= 1, rewalkEvery >= 1: " + maxDepth
                    + ", " + maxGroups + ", " + rewalkEvery);
        }
        this.hierarchy = hierarchy;
        this.maxDepth = maxDepth;
        this.maxGroups = maxGroups;
        this.rewalkEvery = rewalkEvery;
    }

    /**
     * Keeps the group files open between listings when {@code anyRoot} is on a cgroup file system (re-read with one
     * {@code pread} each instead of open, read, close), and files found missing (a controller not enabled in a
     * group) are not tried again until the next listing of their hierarchy. A listing closes only the files of
     * groups that are gone; see {@link #groups}. On a cgroup file system, listings also use directory link counts
     * (see {@link #walk}).
     */
    protected final void keepFilesOpenIfKernelFs(Path anyRoot) {
        if (ProcFileReader.isKernelFileSystem(anyRoot)) {
            keepFilesOpen();
            useLinkCounts(true);
        }
    }

    /** Keeps group files open between ticks whatever the file system (tests; see {@link #keepFilesOpenIfKernelFs}). */
    final void keepFilesOpen() {
        reader().keepOpen(Math.min(2048, maxGroups * 16), true);
    }

    /** Number of group files kept open now (tests and diagnostics). */
    final int keptFiles() {
        return reader().keptOpen();
    }

    /**
     * Whether {@link #walk} may take a directory's link count as 2 + its number of subdirectories. True for cgroup
     * file systems (kernfs sets a directory's {@code nlink} so); set by {@link #keepFilesOpenIfKernelFs}, or by tests
     * on a file system that keeps the same Unix convention (ext4, tmpfs).
     */
    final void useLinkCounts(boolean on) {
        this.linkCounts = on;
        notDirs.clear();
    }

    /**
     * The groups under {@code root} (root first, breadth-first, bounded), listed afresh on the first call and then
     * every {@code rewalkEvery} calls for that root, else the cached list. O(groups) when listing, O(1) otherwise.
     *
     * <p>A listing closes the kept files of groups under {@code root} that are no longer listed and forgets which
     * files under {@code root} were missing (so they are tried again, e.g. after a controller was enabled); the files
     * of groups still listed stay open. A group removed and created again under the same path between two listings
     * is safe: the old group's kept file fails to read (ENODEV) and {@link ProcFileReader#readKept} reopens the path.
     */
    protected final List<Group> groups(Path root) {
        Walk w = walks.computeIfAbsent(root, r -> new Walk());
        if (w.groups == null || ++w.age >= rewalkEvery) {
            List<Group> out = new ArrayList<>();
            Set<Path> dirs = new HashSet<>();
            for (Path dir : walk(root)) {
                out.add(new Group(dir, groupName(root, dir)));
                dirs.add(dir);
            }
            // files of vanished groups must not stay open; the files of groups still there are kept
            reader().closeKeptIf(f -> f.startsWith(root) && !dirs.contains(f.getParent()), f -> f.startsWith(root));
            files.keySet().removeIf(d -> d.startsWith(root) && !dirs.contains(d));
            lastDir = null;
            lastDirFiles = null;
            w.groups = List.copyOf(out);
            w.age = 0;
        }
        return w.groups;
    }

    /**
     * Whether the next {@link #groups} call for {@code root} lists the hierarchy afresh. The sensors check that their
     * root is still a hierarchy (one {@code statx}) only then: a root that vanished is reported from the next
     * listing on (at most {@code rewalkEvery - 1} ticks late; in between its groups' files fail to open or, kept
     * open, go on reading), and while the check fails it is repeated every tick, since no listing happens. O(1).
     */
    protected final boolean listingDue(Path root) {
        Walk w = walks.get(root);
        return w == null || w.groups == null || w.age + 1 >= rewalkEvery;
    }

    /**
     * {@code dir.resolve(name)}, the same {@link Path} instance on every call until its group is gone from a listing:
     * a kept-open file is then found by a lookup whose hash is already computed, instead of resolving, hashing and
     * comparing a new path per file per tick. O(1).
     */
    protected final Path file(Path dir, String name) {
        Map<String, Path> byName = dir == lastDir ? lastDirFiles : null; // a group's files are read in a row
        if (byName == null) {
            byName = files.get(dir);
            if (byName == null) {
                byName = new HashMap<>();
                files.put(dir, byName);
            }
            lastDir = dir;
            lastDirFiles = byName;
        }
        Path f = byName.get(name);
        if (f == null) {
            f = dir.resolve(name);
            byName.put(name, f);
        }
        return f;
    }

    /**
     * Directories of the hierarchy under {@code root}, root first, breadth-first (children in directory order),
     * bounded by {@code maxDepth} and {@code maxGroups}. O(groups).
     *
     * <p>Without link counts every entry of every listed directory is stat'ed to tell directories from files. With
     * link counts ({@link #useLinkCounts}), the same groups in the same order come out of fewer calls: a directory
     * whose {@code nlink} is 2 has no subdirectory and is not listed at all (most groups), and in a listed directory
     * the names found to be files in an earlier listing are not stat'ed again unless the number of directories found
     * among the other names differs from {@code nlink - 2}, in which case every name is stat'ed afresh (so a file
     * replaced by a directory of the same name is still found). A cgroup directory holds ~10-40 interface files, so
     * a listing of a hierarchy costs about one {@code statx} per group instead of one per file.
     */
    protected final List<Path> walk(Path root) {
        List<Path> out = new ArrayList<>();
        ArrayDeque<Path> queue = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        ArrayDeque<Integer> links = new ArrayDeque<>();
        queue.add(root);
        depths.add(0);
        links.add(linkCounts ? linkCount(root) : -1);
        while (!queue.isEmpty() && out.size() < maxGroups) {
            Path dir = queue.poll();
            int depth = depths.poll();
            int nlink = links.poll();
            out.add(dir);
            if (depth >= maxDepth || nlink == 2) {
                continue; // at the depth bound, or no subdirectory
            }
            try {
                if (linkCounts) {
                    subdirectories(dir, nlink, queue, links);
                    for (int i = depths.size(); i < queue.size(); i++) {
                        depths.add(depth + 1);
                    }
                } else {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
                        for (Path child : ds) {
                            queue.add(child);
                            depths.add(depth + 1);
                            links.add(-1);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (dir.equals(root)) {
                    problem(root, "cannot list " + root + ": " + e.getMessage());
                }
            }
        }
        if (linkCounts) {
            Set<Path> seen = new HashSet<>(out);
            notDirs.keySet().removeIf(d -> d.startsWith(root) && !seen.contains(d));
        }
        return out;
    }

    /**
     * Appends the subdirectories of {@code dir} (directory order) to {@code queue} and their link counts to
     * {@code links}, skipping the names remembered as files unless the count check fails (see {@link #walk}).
     */
    private void subdirectories(Path dir, int nlink, ArrayDeque<Path> queue, ArrayDeque<Integer> links)
            throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path child : ds) {
                names.add(child.getFileName().toString());
            }
        }
        if (nlink < 2) { // link count unknown: nothing can be skipped
            notDirs.remove(dir);
            classify(dir, names, new HashSet<>(), queue, links);
            return;
        }
        Set<String> known = notDirs.computeIfAbsent(dir, d -> new HashSet<>());
        int mark = queue.size();
        int found = classify(dir, names, known, queue, links);
        if (found != nlink - 2 && !known.isEmpty()) {
            // the remembered files do not explain the link count: classify every name afresh
            while (queue.size() > mark) {
                queue.pollLast();
                links.pollLast();
            }
            known.clear();
            classify(dir, names, known, queue, links);
        }
        known.retainAll(new HashSet<>(names));
    }

    /** Stats the names of {@code dir} not in {@code known}; queues directories, remembers files; returns dirs queued. */
    private static int classify(Path dir, List<String> names, Set<String> known, ArrayDeque<Path> queue,
                                ArrayDeque<Integer> links) {
        int found = 0;
        for (String name : names) {
            if (known.contains(name)) {
                continue;
            }
            Path child = dir.resolve(name);
            int[] kind = kind(child);
            if (kind[0] == 1) {
                queue.add(child);
                links.add(kind[1]);
                found++;
            } else if (kind[0] == 0) {
                known.add(name);
            } // gone between listing and stat: neither a group nor a known file
        }
        return found;
    }

    /**
     * One {@code statx} of {@code p} (following links, as {@link Files#isDirectory} does): {1, nlink} for a
     * directory, {0, nlink} for anything else, {-1, -1} when it cannot be stat'ed.
     */
    private static int[] kind(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:isDirectory,nlink");
            Object n = a.get("nlink");
            return new int[] {Boolean.TRUE.equals(a.get("isDirectory")) ? 1 : 0, n instanceof Integer i ? i : -1};
        } catch (IOException | RuntimeException e) {
            return new int[] {-1, -1};
        }
    }

    /** The link count of directory {@code dir}, or -1 when unknown. */
    private static int linkCount(Path dir) {
        int[] k = kind(dir);
        return k[0] == 1 ? k[1] : -1;
    }

    /** The group label of {@code dir} under {@code root}: "/" or "/a/b". */
    protected static String groupName(Path root, Path dir) {
        String rel = root.relativize(dir).toString().replace('\\', '/');
        return rel.isEmpty() ? "/" : "/" + rel;
    }

    /** The cached key {@code name{cgroup,hierarchy[,extraName=extraValue]}}. */
    protected final MetricKey key(String group, String name, String extraName, String extraValue) {
        // a group's keys are asked for in a row: remember the last group's map (by identity of the name String,
        // which lives as long as the walk), so the group's path is neither hashed nor compared per key
        Map<String, MetricKey> g = group == lastGroup ? lastGroupKeys : null;
        if (g == null) {
            g = keys.get(group);
            if (g == null) {
                g = new HashMap<>();
                keys.put(group, g);
            }
            lastGroup = group;
            lastGroupKeys = g;
        }
        if (extraName == null) {
            MetricKey k = g.get(name);
            if (k == null) {
                k = MetricKey.of(name, "cgroup", group, "hierarchy", hierarchy);
                g.put(name, k);
            }
            return k;
        }
        // keys with an extra label: per group, name, then the extra value (no String built per call)
        Map<String, Map<String, MetricKey>> ge = extraKeys.get(group);
        if (ge == null) {
            ge = new HashMap<>();
            extraKeys.put(group, ge);
        }
        Map<String, MetricKey> byValue = ge.get(name);
        if (byValue == null) {
            byValue = new HashMap<>();
            ge.put(name, byValue);
        }
        MetricKey k = byValue.get(extraValue);
        if (k == null) {
            k = MetricKey.of(name, "cgroup", group, "hierarchy", hierarchy, extraName, extraValue);
            byValue.put(extraValue, k);
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
        for (Map.Entry<String, Map<String, Map<String, MetricKey>>> e : extraKeys.entrySet()) {
            if (!live.contains(e.getKey())) {
                for (Map<String, MetricKey> byValue : e.getValue().values()) {
                    for (MetricKey k : byValue.values()) {
                        rates.forget(k);
                    }
                }
            }
        }
        keys.keySet().retainAll(live);
        extraKeys.keySet().retainAll(live);
        lastGroup = null; // its map may just have been dropped
        lastGroupKeys = null;
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
        int n = readBytes(file);
        if (n < 0) {
            return Double.NaN;
        }
        byte[] b = reader().buffer();
        int from = Bytes.skipWhitespace(b, 0, n);
        int to = Bytes.trimEnd(b, from, n);
        if (maxAllowed && Bytes.equalsLatin1(b, from, to, "max")) {
            return Double.POSITIVE_INFINITY;
        }
        long v = Bytes.parseLong(b, from, to);
        boolean negative = from < to && b[from] == '-';
        if (v == Texts.NOT_A_NUMBER) {
            problem(file, file + ": not a number '" + Texts.abbreviate(reader().text(n).strip()) + "'");
            return Double.NaN;
        }
        if (negative && !maxAllowed) {
            problem(file, file + ": negative value '" + Texts.abbreviate(reader().text(n).strip()) + "'");
            return Double.NaN;
        }
        return negative ? v : Texts.unsignedToDouble(v);
    }

    /** Reads a file into {@link #reader()}'s buffer; -1 when absent (no problem) or unreadable (a problem). */
    private int readBytes(Path file) {
        try {
            return reader().readKept(file);
        } catch (java.io.IOException e) {
            problem(file, file + ": " + Texts.describe(e));
            return -1;
        }
    }

    /**
     * Reads a flat-keyed file ({@code key value} per line) in place: {@code values[i]} becomes the value of the
     * line whose key is {@code wanted[i]} (the last such line), or -1 when there is none. A malformed line (not two
     * fields, or a value that is not a non-negative integer below 2^63) is skipped and the first one is reported as a
     * problem, as the String parsers of the cgroup files always did. O(file length × wanted.length) byte comparisons, no allocation.
     *
     * @return false when the file is absent or unreadable (every value -1)
     */
    protected final boolean readFlatKeyed(Path file, String[] wanted, long[] values) {
        java.util.Arrays.fill(values, 0, wanted.length, -1L);
        int n = readBytes(file);
        if (n < 0) {
            return false;
        }
        byte[] b = reader().buffer();
        boolean reported = false;
        for (int line = 0; line < n; ) {
            int end = Bytes.indexOf(b, line, n, (byte) '\n');
            if (end < 0) {
                end = n;
            }
            int f = Bytes.fields(b, line, end, starts, ends);
            if (f > 0) {
                long v = f == 2 ? Bytes.parseLong(b, starts[1], ends[1]) : Texts.NOT_A_NUMBER;
                if (v < 0) {
                    if (!reported) {
                        String text = new String(b, line, end - line, java.nio.charset.StandardCharsets.ISO_8859_1);
                        problem(file, file + ": bad line '" + Texts.abbreviate(text) + "'");
                        reported = true;
                    }
                } else {
                    for (int i = 0; i < wanted.length; i++) {
                        if (Bytes.equalsLatin1(b, starts[0], ends[0], wanted[i])) {
                            values[i] = v;
                        }
                    }
                }
            }
            line = end + 1;
        }
        return true;
    }

    /** Records the rate of a counter under {@code key}, scaled; nothing when {@code counter} is negative (absent). */
    protected final void rate(MetricSink sink, MetricKey key, long counter, double scale, long ts) {
        if (counter >= 0) {
            sink.record(key, rates.rate(key, counter, ts) * scale, ts);
        }
    }

    /** Reads a file that may legitimately be absent; null when absent, a problem when unreadable. */
    protected final String readOptional(Path file) {
        return read(file, false);
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
