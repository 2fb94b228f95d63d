package dev.helix.nexus.bench.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * Benchmark data: SMD {@code machine-1-6} (38 columns, min-max scaled) read at benchmark setup from
 * {@code -Dnexus.smd.dir} (default {@code /work/shared/data/smd}); never committed. If the files are absent, seeded
 * synthetic 38-dimensional data (uniform noise with 2 % shifted rows labelled anomalous) is generated instead, so the
 * benchmarks always run.
 */
public final class SmdData {
    public static final String MACHINE = "machine-1-6";

    /** Row-major training matrix. */
    public final double[][] train;
    public final double[][] test;
    /** 0/1 per test row. */
    public final int[] labels;
    /** Where the data came from ("SMD machine-1-6" or "synthetic"). */
    public final String source;

    private SmdData(double[][] train, double[][] test, int[] labels, String source) {
        this.train = train;
        this.test = test;
        this.labels = labels;
        this.source = source;
    }

    public int dims() {
        return train[0].length;
    }

    /** Loads SMD machine-1-6, or synthetic data when the files are missing. */
    public static SmdData load() {
        Path dir = Path.of(System.getProperty("nexus.smd.dir", "/work/shared/data/smd"));
        Path tr = dir.resolve(MACHINE + "_train.csv.gz");
        Path te = dir.resolve(MACHINE + "_test.csv.gz");
        Path lb = dir.resolve(MACHINE + "_test_label.csv");
        if (Files.isRegularFile(tr) && Files.isRegularFile(te) && Files.isRegularFile(lb)) {
            try {
                double[][] train = readCsv(tr);
                double[][] test = readCsv(te);
                double[][] lab = readCsv(lb);
                int[] labels = new int[lab.length];
                for (int i = 0; i < lab.length; i++) {
                    labels[i] = lab[i][0] > 0 ? 1 : 0;
                }
                if (labels.length != test.length) {
                    throw new IOException("label rows " + labels.length + " != test rows " + test.length);
                }
                return new SmdData(train, test, labels, "SMD " + MACHINE);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read SMD from " + dir, e);
            }
        }
        return synthetic(38, 20_000, 20_000, 42L);
    }

    /** Seeded synthetic data: uniform [0,1) rows; 2 % of test rows shifted by +0.8 in 5 random columns. */
    public static SmdData synthetic(int dims, int nTrain, int nTest, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] train = new double[nTrain][dims];
        for (double[] r : train) {
            for (int d = 0; d < dims; d++) {
                r[d] = rng.nextDouble();
            }
        }
        double[][] test = new double[nTest][dims];
        int[] labels = new int[nTest];
        for (int i = 0; i < nTest; i++) {
            for (int d = 0; d < dims; d++) {
                test[i][d] = rng.nextDouble();
            }
            if (rng.nextDouble() < 0.02) {
                labels[i] = 1;
                for (int k = 0; k < 5; k++) {
                    test[i][rng.nextInt(dims)] += 0.8;
                }
            }
        }
        return new SmdData(train, test, labels, "synthetic " + dims + "-dim seed " + seed);
    }

    private static double[][] readCsv(Path p) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(p);
             InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                double[] row = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    row[i] = Double.parseDouble(f[i].trim());
                }
                rows.add(row);
            }
        }
        return rows.toArray(new double[0][]);
    }

    /** First {@code n} rows flattened row-major. */
    public static double[] flatten(double[][] rows, int n) {
        int d = rows[0].length;
        double[] out = new double[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, out, i * d, d);
        }
        return out;
    }

    /** ROC AUC (Mann-Whitney, ties counted half); higher score = more anomalous. */
    public static double auc(double[] scores, int[] labels) {
        int n = scores.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSumPos = 0;
        long pos = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1.0;
            for (int k = i; k <= j; k++) {
                if (labels[idx[k]] == 1) {
                    rankSumPos += avgRank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}
