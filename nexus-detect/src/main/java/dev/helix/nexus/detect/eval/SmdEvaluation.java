package dev.helix.nexus.detect.eval;

import dev.helix.nexus.detect.anomaly.CalibratedEnsembleDetector;
import dev.helix.nexus.detect.anomaly.ExtendedIsolationForestDetector;
import dev.helix.nexus.detect.anomaly.IsolationForestDetector;
import dev.helix.nexus.detect.anomaly.PcaDetector;
import dev.helix.nexus.detect.anomaly.PcaPotDetector;
import dev.helix.nexus.detect.internal.CsvSupport;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Server Machine Dataset (SMD) protocol (docs/evaluation.md §2): for every {@code machine-X_train.csv[.gz]} with a
 * matching {@code machine-X_test.csv[.gz]} and {@code machine-X_test_label.csv} in a directory (any number of
 * columns), fit the detector on train only, derive the alert threshold from train scores only, score test, and
 * write {@code OUT/<machine>.csv} ({@code score,alert}). Reports per machine and overall (macro = mean of
 * per-machine values; micro = F1 of summed counts): point-wise P/R/F1 of the fixed alert, point-adjusted F1 of the
 * alert (side column only: PA inflates, see §2.3), the best point-wise F1 over all thresholds (an oracle on test
 * labels) and AUPRC (average precision).
 *
 * <p>Detectors ({@link #DETECTORS}): {@code pca-ens2} (default since 2026-11-25, docs/benchmarks/smd-ensemble.md §5;
 * {@link CalibratedEnsembleDetector#smdWithHotelling(int)}: four PCA-residual members and two Hotelling T² members
 * inside the 90 % subspace, each calibrated to a tail probability on its own out-of-sample train statistics, fused by
 * the mean of -log p, one POT threshold at risk 1e-2 on the fused train statistic); {@code pca-pot} (the previous
 * default; {@link PcaPotDetector} with
 * {@link PcaPotDetector.Config#defaults(int)}: PCA residual smoothed over 5 rows, minus its trailing one-week median,
 * alert above a Peaks-Over-Threshold threshold at risk 1e-2 on out-of-sample train scores); {@code pca}
 * ({@link PcaDetector}: 90 % variance kept, no re-standardisation since SMD is already scaled to [0, 1], Q and T²
 * charts, alert when either exceeds the 99.5th percentile of its train values); {@code iforest} (Isolation Forest,
 * alert above the 99.5th percentile of train scores); {@code eiforest} ({@link ExtendedIsolationForestDetector},
 * fully extended, otherwise as {@code iforest}; docs/benchmarks/detect.md §3.3); {@code pca-ens}
 * ({@link CalibratedEnsembleDetector} with {@link CalibratedEnsembleDetector.Config#smdDefaults(int)}: four
 * PCA-residual members, each calibrated to a tail probability on its own out-of-sample train statistics, fused by
 * the mean of -log p, one POT threshold at risk 1e-2; {@code pca-ens2} without the T² members). Deterministic. Thread-safe (no shared state).
 *
 * <p>Bad input (each a {@link MalformedDataException} naming the file and line, except a missing file, an
 * {@link IOException} naming it): a ragged row, an empty cell or a non-number ({@link #readMatrix}); a label other
 * than 0/1 or a label count different from the test rows ({@link #readLabels}); train and test of different widths
 * (both counts named); an empty train or test part. Cells spelled {@code nan}/{@code inf} are accepted as
 * non-finite values (skipped when fitting, score 0 and no alert when scoring).
 */
public final class SmdEvaluation {
    private SmdEvaluation() {
    }

    /** Metrics of one machine (or the aggregate). */
    public record MachineResult(String machine, int rows, int anomalies, double precision, double recall, double f1,
                                double paF1, double bestF1, double bestThreshold, double auprc,
                                long tp, long fp, long fn, int segments, int segmentsDetected, double meanDelay,
                                double randomPaF1) {
    }

    /** All machines plus macro and micro aggregates. */
    public record SmdReport(String detector, List<MachineResult> machines, double macroF1, double macroBestF1,
                            double macroPaF1, double macroAuprc, double microF1) {
    }

    /** Detector names accepted by {@link #run(Path, Path, PrintStream, String)}; the first is the default. */
    public static final List<String> DETECTORS = List.of(CalibratedEnsembleDetector.NAME_HOTELLING, "pca-pot", "pca",
            "iforest", CalibratedEnsembleDetector.NAME, ExtendedIsolationForestDetector.NAME);

    /** Runs the default detector ({@code pca-ens2}). */
    public static SmdReport run(Path dataDir, Path outDir, PrintStream progress) throws IOException {
        return run(dataDir, outDir, progress, DETECTORS.get(0));
    }

    /**
     * The machines of an SMD-layout directory: the {@code <machine>} of every {@code <machine>_train.csv[.gz]} in
     * {@code dataDir}, sorted; empty when there is none. O(files in the directory).
     */
    public static List<String> machines(Path dataDir) throws IOException {
        List<String> machines = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith("_train.csv.gz") || n.endsWith("_train.csv")) {
                    machines.add(n.substring(0, n.indexOf("_train.csv")));
                }
            }
        }
        machines.sort(null);
        return machines;
    }

    /** Runs one of {@link #DETECTORS} over every machine in {@code dataDir}. */
    public static SmdReport run(Path dataDir, Path outDir, PrintStream progress, String detector) throws IOException {
        if (!DETECTORS.contains(detector)) {
            throw new IllegalArgumentException("SMD detector must be one of " + DETECTORS + ", got " + detector);
        }
        List<String> machines = machines(dataDir);
        if (machines.isEmpty()) {
            throw new IOException("no *_train.csv[.gz] files in " + dataDir);
        }
        if (outDir != null) {
            Files.createDirectories(outDir);
        }
        List<MachineResult> results = new ArrayList<>();
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (String m : machines) {
            long t0 = System.nanoTime();
            double[][] train = readMatrix(find(dataDir, m + "_train.csv"));
            double[][] test = readMatrix(find(dataDir, m + "_test.csv"));
            Path labelPath = find(dataDir, m + "_test_label.csv");
            int[] labels = readLabels(labelPath);
            if (labels.length != test.length) {
                throw new MalformedDataException(labelPath, labels.length, "has " + labels.length
                        + " labels but the test file has " + test.length + " rows");
            }
            Path trainPath = find(dataDir, m + "_train.csv");
            Path testPath = find(dataDir, m + "_test.csv");
            if (train.length == 0) {
                throw new MalformedDataException(trainPath, 1, "no data rows");
            }
            if (test.length == 0) {
                throw new MalformedDataException(testPath, 1, "no data rows");
            }
            if (train[0].length != test[0].length) {
                throw new MalformedDataException(testPath, 1, "has " + test[0].length + " columns but "
                        + trainPath.getFileName() + " has " + train[0].length
                        + "; train and test of a machine must have the same columns");
            }
            if (progress != null) {
                progress.printf(Locale.ROOT, "[smd] %s: %d train rows, %d test rows, %d columns; fitting %s%n", m,
                        train.length, test.length, train[0].length, detector);
            }
            double[] scores = new double[test.length];
            boolean[] alert = new boolean[test.length];
            score(detector, train, test, scores, alert);
            MachineResult r = metrics(m, scores, alert, labels);
            results.add(r);
            tp += r.tp();
            fp += r.fp();
            fn += r.fn();
            if (outDir != null) {
                try (BufferedWriter w = Files.newBufferedWriter(outDir.resolve(m + ".csv"), StandardCharsets.UTF_8)) {
                    w.write("score,alert\n");
                    for (int i = 0; i < scores.length; i++) {
                        w.write(Double.toString(scores[i]));
                        w.write(alert[i] ? ",1\n" : ",0\n");
                    }
                }
            }
            if (progress != null) {
                progress.printf(Locale.ROOT, "[smd] %s: P=%.3f R=%.3f F1=%.3f | best-F1(oracle)=%.3f at %.4f | "
                                + "AUPRC=%.3f | segments %d/%d, mean delay %.1f rows | PA-F1=%.3f (random-score PA-F1 "
                                + "%.3f) (%.1f s)%n", m, r.precision(), r.recall(), r.f1(), r.bestF1(),
                        r.bestThreshold(), r.auprc(), r.segmentsDetected(), r.segments(), r.meanDelay(), r.paF1(),
                        r.randomPaF1(), (System.nanoTime() - t0) / 1e9);
            }
        }
        double mf = 0;
        double mb = 0;
        double mpa = 0;
        double ma = 0;
        for (MachineResult r : results) {
            mf += r.f1();
            mb += r.bestF1();
            mpa += r.paF1();
            ma += r.auprc();
        }
        int n = results.size();
        double microP = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double microR = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double microF1 = microP + microR == 0 ? 0 : 2 * microP * microR / (microP + microR);
        SmdReport rep = new SmdReport(detector, List.copyOf(results), mf / n, mb / n, mpa / n, ma / n, microF1);
        if (progress != null) {
            progress.printf(Locale.ROOT, "[smd] %s overall (%d machines): macro F1=%.3f, micro F1=%.3f, macro PA-F1=%.3f,"
                    + " macro best-F1(oracle)=%.3f, macro AUPRC=%.3f%n", detector, n, rep.macroF1(), rep.microF1(),
                    rep.macroPaF1(), rep.macroBestF1(), rep.macroAuprc());
        }
        return rep;
    }

    private static void score(String detector, double[][] train, double[][] test, double[] scores, boolean[] alert) {
        int d = train[0].length;
        if (detector.equals("pca-pot")) {
            PcaPotDetector det = new PcaPotDetector(d);
            det.fit(train);
            for (int i = 0; i < test.length; i++) {
                scores[i] = det.update(test[i]);
                alert[i] = det.isAnomalous();
            }
        } else if (detector.equals(CalibratedEnsembleDetector.NAME)
                || detector.equals(CalibratedEnsembleDetector.NAME_HOTELLING)) {
            CalibratedEnsembleDetector det = detector.equals(CalibratedEnsembleDetector.NAME)
                    ? new CalibratedEnsembleDetector(d) : CalibratedEnsembleDetector.smdWithHotelling(d);
            det.fit(train);
            for (int i = 0; i < test.length; i++) {
                scores[i] = det.update(test[i]);
                alert[i] = det.isAnomalous();
            }
        } else if (detector.equals("pca")) {
            // SMD is min-max scaled to [0, 1] already: no per-column standardisation (as in Quo Vadis TAD)
            PcaDetector pca = new PcaDetector(d, 0.9, 0.995, false, true);
            pca.fit(train);
            for (int i = 0; i < test.length; i++) {
                scores[i] = pca.update(test[i]);
                alert[i] = pca.isAnomalous();
            }
        } else if (detector.equals(ExtendedIsolationForestDetector.NAME)) {
            // settings fixed from the paper before any SMD run (docs/benchmarks/detect.md §3.3): fully extended,
            // and the iforest branch's trees, psi, seed, frozen fit on all train rows and 99.5th-percentile alert
            ExtendedIsolationForestDetector f = new ExtendedIsolationForestDetector(
                    ExtendedIsolationForestDetector.Config.defaults(d).withMemory(Math.max(256, train.length))
                            .withFrozen(true));
            f.fit(train);
            double[] trainScores = new double[train.length];
            for (int i = 0; i < train.length; i++) {
                trainScores[i] = f.update(train[i]);
            }
            Arrays.sort(trainScores);
            double thr = trainScores[(int) Math.min(trainScores.length - 1,
                    Math.floor(0.995 * (trainScores.length - 1)))];
            for (int i = 0; i < test.length; i++) {
                scores[i] = f.update(test[i]);
                alert[i] = scores[i] > thr;
            }
        } else {
            IsolationForestDetector.Config cfg = new IsolationForestDetector.Config(d, 1, 100, 256,
                    Math.max(256, train.length), 256, 0.6, true, 42L);
            IsolationForestDetector f = new IsolationForestDetector(cfg);
            f.fit(train);
            double[] trainScores = new double[train.length];
            for (int i = 0; i < train.length; i++) {
                trainScores[i] = f.update(train[i]);
            }
            Arrays.sort(trainScores);
            double thr = trainScores[(int) Math.min(trainScores.length - 1, Math.floor(0.995 * (trainScores.length - 1)))];
            for (int i = 0; i < test.length; i++) {
                scores[i] = f.update(test[i]);
                alert[i] = scores[i] > thr;
            }
        }
    }

    /** Computes point-wise, point-adjusted, best-F1 and AUPRC metrics. */
    public static MachineResult metrics(String name, double[] scores, boolean[] alert, int[] labels) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        int pos = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean y = labels[i] == 1;
            if (y) {
                pos++;
            }
            if (alert[i] && y) {
                tp++;
            } else if (alert[i]) {
                fp++;
            } else if (y) {
                fn++;
            }
        }
        double p = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double r = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
        // point adjustment: a segment with any alert counts as fully detected
        boolean[] adj = alert.clone();
        int i = 0;
        while (i < labels.length) {
            if (labels[i] == 1) {
                int j = i;
                boolean hit = false;
                while (j < labels.length && labels[j] == 1) {
                    hit |= alert[j];
                    j++;
                }
                if (hit) {
                    Arrays.fill(adj, i, j, true);
                }
                i = j;
            } else {
                i++;
            }
        }
        long atp = 0;
        long afp = 0;
        for (int k = 0; k < labels.length; k++) {
            if (adj[k] && labels[k] == 1) {
                atp++;
            } else if (adj[k]) {
                afp++;
            }
        }
        double ap = atp + afp == 0 ? 0 : (double) atp / (atp + afp);
        double ar = pos == 0 ? 0 : (double) atp / pos;
        double paF1 = ap + ar == 0 ? 0 : 2 * ap * ar / (ap + ar);
        // best F1 and average precision over all distinct thresholds
        Integer[] order = new Integer[scores.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        double best = 0;
        double bestThr = Double.NaN;
        double auprc = 0;
        long ctp = 0;
        long cfp = 0;
        for (int k = 0; k < order.length; k++) {
            int idx = order[k];
            if (labels[idx] == 1) {
                ctp++;
            } else {
                cfp++;
            }
            boolean boundary = k == order.length - 1 || scores[order[k + 1]] != scores[idx];
            if (boundary && pos > 0) {
                double pp = (double) ctp / (ctp + cfp);
                double rr = (double) ctp / pos;
                double ff = pp + rr == 0 ? 0 : 2 * pp * rr / (pp + rr);
                if (ff > best) {
                    best = ff;
                    bestThr = scores[idx];
                }
            }
        }
        // average precision: sum over positives of precision at their rank (ties resolved at group boundary)
        ctp = 0;
        cfp = 0;
        int k = 0;
        while (k < order.length) {
            int j = k;
            long gtp = 0;
            long gfp = 0;
            while (j < order.length && scores[order[j]] == scores[order[k]]) {
                if (labels[order[j]] == 1) {
                    gtp++;
                } else {
                    gfp++;
                }
                j++;
            }
            ctp += gtp;
            cfp += gfp;
            if (pos > 0 && gtp > 0) {
                auprc += ((double) gtp / pos) * ((double) ctp / (ctp + cfp));
            }
            k = j;
        }
        int segments = 0;
        int segDet = 0;
        long delaySum = 0;
        i = 0;
        while (i < labels.length) {
            if (labels[i] == 1) {
                int j = i;
                int first = -1;
                while (j < labels.length && labels[j] == 1) {
                    if (first < 0 && alert[j]) {
                        first = j;
                    }
                    j++;
                }
                segments++;
                if (first >= 0) {
                    segDet++;
                    delaySum += first - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        double meanDelay = segDet == 0 ? Double.NaN : (double) delaySum / segDet;
        return new MachineResult(name, labels.length, pos, p, r, f1, paF1, best, bestThr, auprc, tp, fp, fn,
                segments, segDet, meanDelay, randomPaF1(labels, 42L));
    }

    /**
     * The point-adjusted F1 of a uniform random score (seeded), at its best threshold on a 201-step grid: the
     * baseline any PA number must be read against (docs/evaluation.md §2.3).
     */
    static double randomPaF1(int[] labels, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        double[] s = new double[labels.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = rnd.nextDouble();
        }
        int pos = 0;
        for (int y : labels) {
            pos += y;
        }
        if (pos == 0) {
            return 0;
        }
        double best = 0;
        for (int g = 0; g <= 200; g++) {
            double thr = g / 200.0;
            long tp = 0;
            long fp = 0;
            int i = 0;
            while (i < labels.length) {
                if (labels[i] == 1) {
                    int j = i;
                    boolean hit = false;
                    while (j < labels.length && labels[j] == 1) {
                        hit |= s[j] >= thr;
                        j++;
                    }
                    if (hit) {
                        tp += j - i;
                    }
                    i = j;
                } else {
                    if (s[i] >= thr) {
                        fp++;
                    }
                    i++;
                }
            }
            double p = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
            double r = (double) tp / pos;
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            best = Math.max(best, f);
        }
        return best;
    }

    /**
     * A file of the SMD layout: {@code dir/base.gz} when it exists, else {@code dir/base} when it exists, else empty.
     */
    public static Optional<Path> dataFile(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.exists(gz)) {
            return Optional.of(gz);
        }
        Path plain = dir.resolve(base);
        return Files.exists(plain) ? Optional.of(plain) : Optional.empty();
    }

    private static Path find(Path dir, String base) throws IOException {
        return dataFile(dir, base).orElseThrow(() -> new IOException("missing " + dir.resolve(base) + "[.gz]"));
    }

    /**
     * Reads a headerless numeric CSV (optionally gzipped; any number of columns). Every row must have as many cells
     * as the first (a ragged row is a {@link MalformedDataException} naming the file and line, as is an empty cell or
     * a non-number). The spellings {@code nan}, {@code inf}, {@code infinity} (any case, optional sign) are read as
     * non-finite values: the SMD detectors skip such rows when fitting and give them score 0 and no alert when
     * scoring. Blank lines are skipped. O(file size).
     */
    public static double[][] readMatrix(Path p) throws IOException {
        List<double[]> rows = new ArrayList<>();
        int cols = -1;
        try (BufferedReader r = CsvSupport.open(p)) {
            String line;
            long ln = 0;
            while ((line = r.readLine()) != null) {
                ln++;
                if (line.isBlank()) {
                    continue;
                }
                String[] c = line.split(",", -1);
                if (cols < 0) {
                    cols = c.length;
                } else if (c.length != cols) {
                    throw new MalformedDataException(p, ln, "expected " + cols + " columns, got " + c.length);
                }
                double[] v = new double[cols];
                for (int j = 0; j < cols; j++) {
                    if (c[j].isBlank()) {
                        throw new MalformedDataException(p, ln, "column " + (j + 1) + " is empty");
                    }
                    v[j] = NabCorpus.parseValue(c[j], p, ln, "column " + (j + 1));
                }
                rows.add(v);
            }
        }
        return rows.toArray(new double[0][]);
    }

    /** Reads one 0/1 label per line. */
    public static int[] readLabels(Path p) throws IOException {
        List<Integer> out = new ArrayList<>();
        try (BufferedReader r = CsvSupport.open(p)) {
            String line;
            long ln = 0;
            while ((line = r.readLine()) != null) {
                ln++;
                String t = line.trim();
                if (t.isEmpty()) {
                    continue;
                }
                double v = CsvSupport.parseDouble(t, p, ln, "label");
                if (v != 0 && v != 1) {
                    throw new MalformedDataException(p, ln, "label must be 0 or 1, got " + t);
                }
                out.add((int) v);
            }
        }
        int[] a = new int[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    /** {@code SmdEvaluation DATA_DIR OUT_DIR [pca-ens2|pca-pot|pca|iforest|pca-ens|eiforest]}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SmdEvaluation DATA_DIR OUT_DIR [" + String.join("|", DETECTORS) + "]");
            System.exit(2);
        }
        run(Path.of(args[0]), Path.of(args[1]), System.out, args.length > 2 ? args[2] : DETECTORS.get(0));
    }
}
