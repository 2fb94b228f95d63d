package dev.helix.nexus.agent.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Tiny synthetic NAB and SMD layouts (and evaluation outputs) for tests: two NAB files in two categories, each a
 * noisy daily sine with one spike inside its one label window; one SMD machine with a labelled level shift.
 */
public final class SyntheticEvalData {
    /** Rows per NAB file. */
    public static final int NAB_ROWS = 600;
    /** The spike row of every NAB file; the window is {@code [SPIKE - 20, SPIKE + 20]}. */
    public static final int SPIKE = 450;
    /** NAB keys written by {@link #nab}. */
    public static final String[] NAB_KEYS = {"synthA/one.csv", "synthB/two.csv"};
    public static final String MACHINE = "machine-9-9";
    public static final int SMD_TRAIN = 300;
    public static final int SMD_TEST = 200;
    public static final int SMD_COLUMNS = 4;
    /** Labelled rows of the SMD test part: {@code [SEG_FROM, SEG_TO]}. */
    public static final int SEG_FROM = 120;
    public static final int SEG_TO = 139;

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final LocalDateTime T0 = LocalDateTime.of(2024, 1, 1, 0, 0);

    private SyntheticEvalData() {
    }

    /** The timestamp of row {@code i} (5-minute steps). */
    public static String ts(int i) {
        return T0.plusMinutes(5L * i).format(TS);
    }

    /** The value of row {@code i} of NAB file {@code f}. */
    static double value(int f, int i, SplittableRandom rnd) {
        return 10 + 3 * Math.sin(2 * Math.PI * i / 288.0) + rnd.nextGaussian() * 0.2 + (i == SPIKE ? 40 + f : 0);
    }

    /** Writes {@code root/data/<key>} and {@code root/labels/combined_windows.json}. */
    public static Path nab(Path root) throws IOException {
        StringBuilder json = new StringBuilder("{\n");
        for (int f = 0; f < NAB_KEYS.length; f++) {
            SplittableRandom rnd = new SplittableRandom(17 + f);
            StringBuilder csv = new StringBuilder("timestamp,value\n");
            for (int i = 0; i < NAB_ROWS; i++) {
                csv.append(ts(i)).append(',').append(value(f, i, rnd)).append('\n');
            }
            Path p = root.resolve("data").resolve(NAB_KEYS[f]);
            Files.createDirectories(p.getParent());
            Files.writeString(p, csv, StandardCharsets.UTF_8);
            json.append(String.format(Locale.ROOT, "  \"%s\": [[\"%s.000000\", \"%s.000000\"]]%s%n", NAB_KEYS[f],
                    ts(SPIKE - 20), ts(SPIKE + 20), f + 1 < NAB_KEYS.length ? "," : ""));
        }
        json.append("}\n");
        Files.createDirectories(root.resolve("labels"));
        Files.writeString(root.resolve("labels/combined_windows.json"), json, StandardCharsets.UTF_8);
        return root;
    }

    /**
     * Writes {@code out/results/<detector>/<category>/<detector>_<file>.csv} as {@code nexus eval nab} does, with
     * score {@code alertScore} at rows SPIKE..SPIKE+2 of every file and 0.1 elsewhere.
     */
    public static void nabResults(Path out, String detector, double alertScore) throws IOException {
        for (int f = 0; f < NAB_KEYS.length; f++) {
            SplittableRandom rnd = new SplittableRandom(17 + f);
            StringBuilder csv = new StringBuilder("timestamp,value,anomaly_score,label\n");
            for (int i = 0; i < NAB_ROWS; i++) {
                double score = i >= SPIKE && i <= SPIKE + 2 ? alertScore : 0.1;
                int label = Math.abs(i - SPIKE) <= 20 ? 1 : 0;
                csv.append(ts(i)).append(',').append(value(f, i, rnd)).append(',').append(score).append(',')
                        .append(label).append('\n');
            }
            Path p = resultFile(out, detector, NAB_KEYS[f]);
            Files.createDirectories(p.getParent());
            Files.writeString(p, csv, StandardCharsets.UTF_8);
        }
    }

    /**
     * Rewrites {@code file} (UTF-8) with its lines as {@code edit} leaves them: the list is mutable, index 0 is line 1.
     * For breaking a written input or output in one place. O(file size).
     */
    public static void editLines(Path file, Consumer<List<String>> edit) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        edit.accept(lines);
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /** Where {@link #nabResults} writes the result of {@code key}. */
    public static Path resultFile(Path out, String detector, String key) {
        String[] parts = key.split("/");
        return out.resolve("results").resolve(detector).resolve(parts[0]).resolve(detector + "_" + parts[1]);
    }

    /**
     * Writes {@code dir/<MACHINE>_train.csv}, {@code _test.csv} and {@code _test_label.csv}: columns of different
     * noise levels (column {@code j} has spread {@code 0.02 * (j + 1)}, so the last has the largest variance); in
     * the test part every column shifts up by 0.3 on the labelled rows.
     */
    public static Path smd(Path dir) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rnd = new SplittableRandom(5);
        StringBuilder train = new StringBuilder();
        for (int i = 0; i < SMD_TRAIN; i++) {
            train.append(row(rnd, 0)).append('\n');
        }
        StringBuilder test = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < SMD_TEST; i++) {
            boolean anomalous = i >= SEG_FROM && i <= SEG_TO;
            test.append(row(rnd, anomalous ? 0.3 : 0)).append('\n');
            labels.append(anomalous ? "1\n" : "0\n");
        }
        Files.writeString(dir.resolve(MACHINE + "_train.csv"), train, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(MACHINE + "_test.csv"), test, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(MACHINE + "_test_label.csv"), labels, StandardCharsets.UTF_8);
        return dir;
    }

    private static String row(SplittableRandom rnd, double shift) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < SMD_COLUMNS; j++) {
            double v = 0.3 + shift + (rnd.nextDouble() - 0.5) * 0.04 * (j + 1);
            sb.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.5f", v));
        }
        return sb.toString();
    }

    /** Writes {@code out/<MACHINE>.csv} ({@code score,alert}): score 0.8 and an alert on the labelled rows. */
    public static void smdOutput(Path out) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("score,alert\n");
        for (int i = 0; i < SMD_TEST; i++) {
            boolean a = i >= SEG_FROM && i <= SEG_TO;
            csv.append(a ? "0.8,1\n" : "0.2,0\n");
        }
        Files.writeString(out.resolve(MACHINE + ".csv"), csv, StandardCharsets.UTF_8);
    }
}
