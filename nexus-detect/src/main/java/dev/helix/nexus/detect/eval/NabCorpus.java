package dev.helix.nexus.detect.eval;

import dev.helix.nexus.detect.internal.CsvSupport;
import dev.helix.nexus.detect.internal.MiniJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The NAB corpus: every data file named in {@code labels/combined_windows.json}, with its timestamps (kept verbatim),
 * values and label windows as inclusive row-index ranges. Immutable after loading; thread-safe to share.
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

    private NabCorpus(Path root, List<NabFile> files) {
        this.root = root;
        this.files = List.copyOf(files);
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
        return new NabCorpus(root, out);
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

    /** Loads the corpus named by a windows file under {@code nabRoot/labels/}. */
    @SuppressWarnings("unchecked")
    public static NabCorpus load(Path nabRoot, String windowsFile) throws IOException {
        Path wf = nabRoot.resolve("labels").resolve(windowsFile);
        Object parsed = MiniJson.parse(wf.toString(), Files.readString(wf, StandardCharsets.UTF_8));
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new MalformedDataException(wf, 1, "expected a JSON object of file -> windows");
        }
        List<NabFile> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = (String) e.getKey();
            Path data = nabRoot.resolve("data").resolve(key);
            List<String> ts = new ArrayList<>();
            List<Double> vals = new ArrayList<>();
            readSeries(data, ts, vals);
            Map<String, Integer> index = new HashMap<>(ts.size() * 2);
            for (int i = 0; i < ts.size(); i++) {
                index.put(ts.get(i), i);
            }
            List<int[]> wins = new ArrayList<>();
            for (Object w : (List<Object>) e.getValue()) {
                List<Object> pair = (List<Object>) w;
                int a = indexOf(index, (String) pair.get(0), wf, key);
                int b = indexOf(index, (String) pair.get(1), wf, key);
                wins.add(new int[] {a, b});
            }
            double[] v = new double[vals.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = vals.get(i);
            }
            out.add(new NabFile(key, List.copyOf(ts), v, List.copyOf(wins)));
        }
        return new NabCorpus(nabRoot, out);
    }

    private static int indexOf(Map<String, Integer> index, String ts, Path wf, String key) {
        String t = ts.length() > 19 ? ts.substring(0, 19) : ts;
        Integer i = index.get(t);
        if (i == null) {
            throw new MalformedDataException(wf, 1, "window edge " + ts + " of " + key + " is not a timestamp of the data file");
        }
        return i;
    }

    /** Reads a NAB data CSV with header {@code timestamp,value}. */
    static void readSeries(Path data, List<String> ts, List<Double> vals) throws IOException {
        CsvSupport.forEachRow(data, (c, cols, ln) -> {
            ts.add(c[cols[0]].trim());
            String v = c[cols[1]].trim();
            vals.add(v.isEmpty() ? Double.NaN : CsvSupport.parseDouble(v, data, ln, "value"));
        }, "timestamp", "value");
    }
}
