package dev.helix.nexus.detect.eval;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.DetectorCatalog;
import dev.helix.nexus.detect.internal.CsvSupport;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs NEXUS detectors over the NAB corpus and scores them with {@link NabScorer}: writes
 * {@code OUT/results/<detector>/<category>/<detector>_<file>.csv} (columns {@code timestamp,value,anomaly_score,label};
 * timestamps verbatim; label = 1 inside a window), which {@code tools/nab_score.py} also accepts, and reports the
 * oracle score (NAB's optimiser, tuned on the labels) and the score at the detector's fixed threshold, committed in
 * {@link DetectorCatalog} before scoring, for all three profiles.
 *
 * <p>Input: {@link NabCorpus#load(Path, String)} defines what is an error (named by file and line) and what is
 * accepted; accepted irregularities (duplicate or backward timestamps) are printed as {@code [nab] note:} lines
 * before scoring.
 *
 * <p>Causality: each file gets a fresh detector that sees rows in order and scores row i from rows &le; i; it never
 * reads the file's min/max or the labels. Files are processed in parallel (one detector per file), so results are
 * deterministic. Thread-safe (no shared mutable state).
 */
public final class NabEvaluation {
    private NabEvaluation() {
    }

    /**
     * One detector's NAB result.
     *
     * @param detector       detector name
     * @param fixedThreshold the committed threshold
     * @param oracle         per profile, the optimiser's result
     * @param fixed          per profile, the result at {@code fixedThreshold}
     * @param scores         the per-file scores that were scored
     */
    public record NabReport(String detector, double fixedThreshold, Map<NabProfile, NabScorer.Result> oracle,
                            Map<NabProfile, NabScorer.Result> fixed, Map<String, double[]> scores) {

        /** A human-readable multi-line summary. */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            for (NabProfile p : NabProfile.values()) {
                NabScorer.Result o = oracle.get(p);
                NabScorer.Result f = fixed.get(p);
                sb.append(String.format(Locale.ROOT,
                        "%s %-19s oracle thr=%.6f raw=%.4f norm=%.2f | fixed thr=%.4f raw=%.4f norm=%.2f "
                                + "(windows %d/%d, FP rows %d)%n",
                        detector, p.id(), o.threshold(), o.raw(), o.normalised(), f.threshold(), f.raw(),
                        f.normalised(), f.windowsDetected(), f.windows(), f.fpRows()));
            }
            return sb.toString();
        }
    }

    /** Runs the default NEXUS NAB detector ({@link DetectorCatalog#NAB_DEFAULT}). */
    public static NabReport run(Path nabRoot, Path outDir, PrintStream progress) throws IOException {
        return run(nabRoot, outDir, progress, DetectorCatalog.NAB_DEFAULT);
    }

    /** Runs one catalogued detector by name. */
    public static NabReport run(Path nabRoot, Path outDir, PrintStream progress, String detectorName)
            throws IOException {
        NabCorpus corpus = NabCorpus.load(nabRoot);
        return run(corpus, outDir, progress, detectorName, DetectorCatalog.univariate(detectorName),
                DetectorCatalog.fixedThreshold(detectorName));
    }

    /** Runs an arbitrary detector factory over a loaded corpus; {@code outDir} may be null (no files written). */
    public static NabReport run(NabCorpus corpus, Path outDir, PrintStream progress, String name,
                                Supplier<Detector> factory, double fixedThreshold) throws IOException {
        long t0 = System.nanoTime();
        if (progress != null) {
            for (List<String> notes : corpus.notes().values()) {
                for (String note : notes) {
                    progress.println("[nab] note: " + note);
                }
            }
        }
        Map<String, double[]> scores = new ConcurrentHashMap<>();
        AtomicInteger done = new AtomicInteger();
        int nFiles = corpus.files().size();
        try {
            corpus.files().parallelStream().forEach(f -> {
                Detector d = factory.get();
                double[] s = new double[f.rows()];
                for (int i = 0; i < s.length; i++) {
                    double v = d.update(f.values()[i]);
                    s[i] = Double.isFinite(v) ? Math.min(1.0, Math.max(0.0, v)) : 0.0;
                }
                scores.put(f.key(), s);
                if (outDir != null) {
                    try {
                        write(outDir, name, f, s);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                int k = done.incrementAndGet();
                if (progress != null && (k % 10 == 0 || k == nFiles)) {
                    synchronized (progress) {
                        progress.printf(Locale.ROOT, "[nab] %s: %d/%d files scored (%.1f s)%n", name, k, nFiles,
                                (System.nanoTime() - t0) / 1e9);
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Map<String, double[]> ordered = new LinkedHashMap<>();
        for (NabCorpus.NabFile f : corpus.files()) {
            ordered.put(f.key(), scores.get(f.key()));
        }
        NabScorer scorer = new NabScorer(corpus);
        Map<NabProfile, NabScorer.Result> oracle = new EnumMap<>(NabProfile.class);
        Map<NabProfile, NabScorer.Result> fixed = new EnumMap<>(NabProfile.class);
        for (NabProfile p : NabProfile.values()) {
            oracle.put(p, scorer.oracle(ordered, p));
            fixed.put(p, scorer.atThreshold(ordered, p, fixedThreshold));
        }
        NabReport rep = new NabReport(name, fixedThreshold, oracle, fixed, ordered);
        if (progress != null) {
            progress.print(rep.summary());
            for (NabProfile p : NabProfile.values()) {
                double loco = leaveOneCategoryOut(corpus, ordered, p, null);
                progress.printf(Locale.ROOT, "%s %-19s leave-one-category-out threshold: norm=%.2f%n", name, p.id(), loco);
            }
            NabCorpus[] halves = developmentAndHeldOut(corpus);
            if (halves[0].windowCount() > 0 && halves[1].windowCount() > 0) {
                StringBuilder sb = new StringBuilder(name + " standard split:");
                String[] labels = {"development", "held-out"};
                for (int h = 0; h < 2; h++) {
                    NabScorer hs = new NabScorer(halves[h]);
                    sb.append(String.format(Locale.ROOT, " %s (%d files) oracle=%.2f fixed=%.2f", labels[h],
                            halves[h].files().size(), hs.oracle(ordered, NabProfile.STANDARD).normalised(),
                            hs.atThreshold(ordered, NabProfile.STANDARD, fixedThreshold).normalised()));
                }
                progress.println(sb);
            }
        }
        if (outDir != null) {
            writePerFile(outDir, rep);
        }
        return rep;
    }

    private static void write(Path outDir, String det, NabCorpus.NabFile f, double[] s) throws IOException {
        Path dir = outDir.resolve("results").resolve(det).resolve(f.category());
        Files.createDirectories(dir);
        boolean[] label = new boolean[f.rows()];
        for (int[] w : f.windows()) {
            for (int i = w[0]; i <= w[1]; i++) {
                label[i] = true;
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(det + "_" + f.fileName()), StandardCharsets.UTF_8)) {
            w.write("timestamp,value,anomaly_score,label\n");
            for (int i = 0; i < s.length; i++) {
                w.write(f.timestamps().get(i));
                w.write(',');
                w.write(Double.isNaN(f.values()[i]) ? "" : Double.toString(f.values()[i]));
                w.write(',');
                w.write(Double.toString(s[i]));
                w.write(label[i] ? ",1\n" : ",0\n");
            }
        }
    }

    private static void writePerFile(Path outDir, NabReport rep) throws IOException {
        Path p = outDir.resolve("results").resolve(rep.detector()).resolve(rep.detector() + "_per_file.csv");
        Files.createDirectories(p.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            w.write("file");
            for (NabProfile pr : NabProfile.values()) {
                w.write(",oracle_" + pr.id() + ",fixed_" + pr.id());
            }
            w.write('\n');
            for (String key : rep.scores().keySet()) {
                w.write(key);
                for (NabProfile pr : NabProfile.values()) {
                    w.write(String.format(Locale.ROOT, ",%.4f,%.4f", rep.oracle().get(pr).perFileRaw().get(key),
                            rep.fixed().get(pr).perFileRaw().get(key)));
                }
                w.write('\n');
            }
        }
    }

    /**
     * Reads NAB-format detector outputs {@code resultsRoot/results/<detector>/<category>/<detector>_<file>.csv}
     * (columns must include {@code timestamp} and {@code anomaly_score}) for every corpus file.
     */
    public static Map<String, double[]> readResults(NabCorpus corpus, Path resultsRoot, String detector)
            throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (NabCorpus.NabFile f : corpus.files()) {
            Path p = resultsRoot.resolve("results").resolve(detector).resolve(f.category())
                    .resolve(detector + "_" + f.fileName());
            List<Double> vals = new ArrayList<>();
            CsvSupport.forEachRow(p, (c, cols, ln) -> {
                int row = vals.size();
                if (row >= f.rows() || !c[cols[0]].trim().equals(f.timestamps().get(row))) {
                    throw new MalformedDataException(p, ln, "timestamp " + c[cols[0]] + " does not match data row "
                            + (row < f.rows() ? f.timestamps().get(row) : "(past end)"));
                }
                vals.add(CsvSupport.parseDouble(c[cols[1]], p, ln, "anomaly_score"));
            }, "timestamp", "anomaly_score");
            if (vals.size() != f.rows()) {
                throw new MalformedDataException(p, vals.size() + 1L, "has " + vals.size() + " rows, data has " + f.rows());
            }
            double[] s = new double[vals.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = vals.get(i);
            }
            out.put(f.key(), s);
        }
        return out;
    }

    /**
     * The fixed development / held-out split used to choose NAB configurations (docs/benchmarks/detect.md §2): the
     * file keys sorted lexicographically, even positions (0, 2, ...) = development, odd = held-out. Each half is
     * normalised over its own windows.
     *
     * @return {development, held-out}
     */
    public static NabCorpus[] developmentAndHeldOut(NabCorpus corpus) {
        List<String> keys = new ArrayList<>();
        for (NabCorpus.NabFile f : corpus.files()) {
            keys.add(f.key());
        }
        java.util.Collections.sort(keys);
        java.util.Set<String> dev = new java.util.HashSet<>();
        for (int i = 0; i < keys.size(); i += 2) {
            dev.add(keys.get(i));
        }
        return new NabCorpus[] {corpus.subset(dev::contains), corpus.subset(k -> !dev.contains(k))};
    }

    /**
     * Leave-one-category-out threshold (docs/evaluation.md §4): for each category, θ is chosen by the optimiser on the
     * other categories only and the held-out category is scored at that θ; the raw scores of the 7 held-out
     * categories are summed and normalised over the whole corpus. Labels of a category never influence its own θ.
     *
     * @return the normalised corpus score; per-category θ and raw scores are printed to {@code progress}
     */
    public static double leaveOneCategoryOut(NabCorpus corpus, Map<String, double[]> scores, NabProfile p,
                                             PrintStream progress) {
        java.util.Set<String> cats = new java.util.LinkedHashSet<>();
        for (NabCorpus.NabFile f : corpus.files()) {
            cats.add(f.category());
        }
        double total = 0;
        for (String c : cats) {
            NabCorpus train = corpus.subset(k -> !k.startsWith(c + "/"));
            NabCorpus test = corpus.subset(k -> k.startsWith(c + "/"));
            double theta = new NabScorer(train).oracle(scores, p).threshold();
            double raw = new NabScorer(test).atThreshold(scores, p, theta).raw();
            total += raw;
            if (progress != null) {
                progress.printf(Locale.ROOT, "[nab] LOCO %s %s: thr=%.6f (from the other categories) raw=%.4f%n",
                        p.id(), c, theta, raw);
            }
        }
        return new NabScorer(corpus).normalise(p, total);
    }

    /** {@code NabEvaluation NAB_ROOT OUT_DIR [detector ...]}: runs the named detectors (default: the NAB default). */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: NabEvaluation NAB_ROOT OUT_DIR [detector ...]; detectors: "
                    + DetectorCatalog.univariateNames() + " " + DetectorCatalog.learningNames());
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        Path out = Path.of(args[1]);
        NabCorpus corpus = NabCorpus.load(root);
        List<String> names = args.length > 2 ? List.of(args).subList(2, args.length) : List.of(DetectorCatalog.NAB_DEFAULT);
        for (String n : names) {
            run(corpus, out, System.out, n, DetectorCatalog.univariate(n), DetectorCatalog.fixedThreshold(n));
        }
    }
}
