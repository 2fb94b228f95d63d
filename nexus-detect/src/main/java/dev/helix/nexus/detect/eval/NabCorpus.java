package dev.helix.nexus.detect.eval;

import dev.helix.nexus.detect.internal.CsvSupport;
import dev.helix.nexus.detect.internal.MiniJson;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The NAB corpus: every data file named in {@code labels/combined_windows.json}, with its timestamps (kept verbatim),
 * values and label windows as inclusive row-index ranges. Input checks (ragged rows, unparseable, duplicate or
 * out-of-order timestamps, non-finite values) are listed at {@link #load(Path, String)}. Immutable after loading;
 * thread-safe to share.
 */
public final class NabCorpus {

    /**
     * One data file.
     *
     * @param key        {@code <category>/<file>.csv}, as in the label files
     * @param timestamps timestamps exactly as written in the data file
     * @param values     the values ({@code NaN} for an empty cell)
     * @param windows    inclusive [start, end] row indices of each label window, in file order
     */
    public record NabFile(String key, List<String> timestamps, double[] values, List<int[]> windows) {
        public String category() {
            return key.substring(0, key.indexOf('/'));
        }

        public String fileName() {
            return key.substring(key.indexOf('/') + 1);
        }

        public int rows() {
            return values.length;
        }

        /** NAB's probationary period: min(floor(0.15 N), 750) rows. */
        public int probation() {
            return probationLength(values.length);
        }
    }

    private final Path root;
    private final List<NabFile> files;
    private final Map<String, List<String>> notes;

    private NabCorpus(Path root, List<NabFile> files, Map<String, List<String>> notes) {
        this.root = root;
        this.files = List.copyOf(files);
        Map<String, List<String>> n = new java.util.LinkedHashMap<>();
        for (NabFile f : this.files) {
            List<String> l = notes.get(f.key());
            if (l != null && !l.isEmpty()) {
                n.put(f.key(), List.copyOf(l));
            }
        }
        this.notes = java.util.Collections.unmodifiableMap(n);
    }

    /**
     * Irregular but accepted input found while loading, per file key in corpus order: one line per run of rows whose
     * timestamp is not after every earlier row's (a duplicate or a step back in time), each starting with
     * {@code file:line:}. Such rows are kept and scored in file order. Empty for a clean corpus.
     */
    public Map<String, List<String>> notes() {
        return notes;
    }

    public static int probationLength(int n) {
        return (int) Math.min(Math.floor(0.15 * n), 0.15 * 5000);
    }

    public Path root() {
        return root;
    }

    public List<NabFile> files() {
        return files;
    }

    /** The files whose key satisfies {@code keep}, as a corpus of their own (normalisation uses its windows). */
    public NabCorpus subset(java.util.function.Predicate<String> keep) {
        List<NabFile> out = new ArrayList<>();
        for (NabFile f : files) {
            if (keep.test(f.key())) {
                out.add(f);
            }
        }
        return new NabCorpus(root, out, notes);
    }

    public int windowCount() {
        int n = 0;
        for (NabFile f : files) {
            n += f.windows().size();
        }
        return n;
    }

    /** Loads {@code nabRoot/labels/combined_windows.json} and every data file it names. */
    public static NabCorpus load(Path nabRoot) throws IOException {
        return load(nabRoot, "combined_windows.json");
    }

    /**
     * Loads the corpus named by a windows file under {@code nabRoot/labels/}: every key {@code <category>/<file>.csv}
     * is read from {@code nabRoot/data/}, and each window edge must be one of that file's timestamps (compared on
     * their first 19 characters, as NAB's label files carry microseconds; a window runs from the first row with its
     * start time to the last row with its end time). Data files are checked: a ragged row, an unparseable timestamp
     * or a non-numeric value is a {@link MalformedDataException} naming the file and line. Accepted and defined:
     * gaps in time (detectors and scorer work on rows, as NAB's do); duplicate timestamps and steps back in time,
     * kept and scored in file order as NAB does (its own corpus has 37 rows repeating a timestamp in 7 files, most
     * from a clock change, and 12 rows stepping back an hour in {@code machine_temperature_system_failure.csv}; no
     * label window starts or ends on such a time), each run of them reported in
     * {@link #notes()} with file and line; empty, {@code nan} and {@code inf} values, which are non-finite samples
     * that detectors ignore. A missing data file is a {@link java.nio.file.NoSuchFileException} naming it.
     * O(total rows).
     */
    @SuppressWarnings("unchecked")
    public static NabCorpus load(Path nabRoot, String windowsFile) throws IOException {
        Path wf = nabRoot.resolve("labels").resolve(windowsFile);
        Object parsed = MiniJson.parse(wf.toString(), Files.readString(wf, StandardCharsets.UTF_8));
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new MalformedDataException(wf, 1, "expected a JSON object of file -> windows");
        }
        List<NabFile> out = new ArrayList<>();
        Map<String, List<String>> notes = new HashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = (String) e.getKey();
            Path data = nabRoot.resolve("data").resolve(key);
            List<String> ts = new ArrayList<>();
            List<Double> vals = new ArrayList<>();
            List<String> fileNotes = new ArrayList<>();
            readSeries(data, ts, vals, fileNotes);
            notes.put(key, fileNotes);
            // a window starts at the first row and ends at the last row carrying its edge's timestamp
            Map<String, Integer> first = new HashMap<>(ts.size() * 2);
            Map<String, Integer> last = new HashMap<>(ts.size() * 2);
            for (int i = 0; i < ts.size(); i++) {
                first.putIfAbsent(ts.get(i), i);
                last.put(ts.get(i), i);
            }
            List<int[]> wins = new ArrayList<>();
            for (Object w : (List<Object>) e.getValue()) {
                List<Object> pair = (List<Object>) w;
                int a = indexOf(first, (String) pair.get(0), wf, key);
                int b = indexOf(last, (String) pair.get(1), wf, key);
                wins.add(new int[] {a, b});
            }
            double[] v = new double[vals.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = vals.get(i);
            }
            out.add(new NabFile(key, List.copyOf(ts), v, List.copyOf(wins)));
        }
        return new NabCorpus(nabRoot, out, notes);
    }

    private static int indexOf(Map<String, Integer> index, String ts, Path wf, String key) {
        String t = ts.length() > 19 ? ts.substring(0, 19) : ts;
        Integer i = index.get(t);
        if (i == null) {
            throw new MalformedDataException(wf, 1, "window edge " + ts + " of " + key + " is not a timestamp of the data file");
        }
        return i;
    }

    /** NAB's timestamp layout: {@code yyyy-MM-dd HH:mm:ss}, optionally with fractional seconds. */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .toFormatter(Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);

    /**
     * Reads a NAB data CSV whose header names {@code timestamp} and {@code value} (in any order, other columns
     * allowed). Defined behaviour, every error a {@link MalformedDataException} naming the file and 1-based line:
     * <ul>
     *   <li>an empty file, or a header without both columns: error (line 1);</li>
     *   <li>a row with a different number of cells than the header (ragged): error;</li>
     *   <li>a timestamp that is not {@code yyyy-MM-dd HH:mm:ss[.fraction]} (a {@code T} separator is accepted):
     *       error;</li>
     *   <li>a timestamp not after every earlier row's (a duplicate, or a step back in time): accepted, the row kept
     *       in file order, as NAB does; each maximal run of such rows adds one line to {@code notes}, naming the
     *       file, the run's lines and the earlier line it collides with;</li>
     *   <li>gaps (uneven spacing) are accepted: detectors and the scorer work on rows, as NAB's do;</li>
     *   <li>a value cell that is empty, {@code nan} or {@code ±inf}/{@code ±infinity} (any case) is a non-finite
     *       sample, which every detector ignores (score 0, state unchanged; {@code Detector} contract); any other
     *       non-number is an error.</li>
     * </ul>
     * Blank lines are skipped. O(rows); one pass.
     */
    static void readSeries(Path data, List<String> ts, List<Double> vals, List<String> notes) throws IOException {
        try (BufferedReader r = CsvSupport.open(data)) {
            String header = r.readLine();
            if (header == null) {
                throw new MalformedDataException(data, 1, "empty file, expected a header with timestamp,value");
            }
            int[] cols = CsvSupport.columns(data, header, "timestamp", "value");
            int width = header.split(",", -1).length;
            String line;
            long ln = 1;
            LocalDateTime latest = null;
            long latestLine = 0;
            long runStart = -1;
            long runEnd = -1;
            String runFirst = null;
            while ((line = r.readLine()) != null) {
                ln++;
                if (line.isBlank()) {
                    continue;
                }
                String[] c = line.split(",", -1);
                if (c.length != width) {
                    throw new MalformedDataException(data, ln, "expected " + width + " columns as in the header ("
                            + header.trim() + "), got " + c.length);
                }
                String t = c[cols[0]].trim();
                LocalDateTime time = parseTimestamp(t, data, ln);
                if (latest != null && !time.isAfter(latest)) {
                    if (runStart < 0) {
                        runStart = ln;
                        runFirst = "timestamp " + t + (time.isEqual(latest) ? " repeats" : " is earlier than")
                                + " line " + latestLine + "'s " + ts.get(ts.size() - 1);
                    }
                    runEnd = ln;
                } else {
                    if (runStart >= 0) {
                        notes.add(note(data, runStart, runEnd, runFirst));
                        runStart = -1;
                    }
                    latest = time;
                    latestLine = ln;
                }
                ts.add(t);
                vals.add(parseValue(c[cols[1]], data, ln, "value"));
            }
            if (runStart >= 0) {
                notes.add(note(data, runStart, runEnd, runFirst));
            }
        }
    }

    private static String note(Path data, long from, long to, String first) {
        long n = to - from + 1;
        return data + ":" + from + (n > 1 ? "-" + to : "") + ": " + n + (n > 1 ? " rows" : " row")
                + " not after an earlier row's time (" + first + "); kept and scored in file order";
    }

    private static LocalDateTime parseTimestamp(String t, Path data, long ln) {
        String s = t.length() > 10 && t.charAt(10) == 'T' ? t.substring(0, 10) + ' ' + t.substring(11) : t;
        try {
            return LocalDateTime.parse(s, TIMESTAMP);
        } catch (DateTimeParseException e) {
            throw new MalformedDataException(data, ln, "cannot parse timestamp '" + t
                    + "', expected yyyy-MM-dd HH:mm:ss");
        }
    }

    /**
     * A value cell: a finite number, or NaN / ±infinity for an empty cell or the spellings {@code nan},
     * {@code inf}, {@code infinity} (any case, optional sign); anything else is an error naming file and line.
     */
    static double parseValue(String cell, Path file, long line, String what) {
        String v = cell.trim();
        if (v.isEmpty()) {
            return Double.NaN;
        }
        String u = v.toLowerCase(Locale.ROOT);
        boolean neg = u.startsWith("-");
        String m = neg || u.startsWith("+") ? u.substring(1) : u;
        if (m.equals("nan")) {
            return Double.NaN;
        }
        if (m.equals("inf") || m.equals("infinity")) {
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return CsvSupport.parseDouble(v, file, line, what);
    }
}
