package dev.helix.nexus.agent.plot;

import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.detect.eval.NabCorpus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * One PNG per NAB data file from the output of {@code nexus eval nab}: the file's values on top, the detector's
 * anomaly score below on the same time axis, NAB's label windows shaded in both, the probationary period (not
 * scored by NAB) greyed in the score panel, the fixed threshold as a dashed line, and every row whose score is
 * &ge; the threshold marked as an alert in both panels: a red band along the top edge, plus a dot on the curve
 * when there are at most {@value StackedChart#MAX_MARKERS} alerts.
 *
 * <p>Inputs: the corpus under the NAB root (file list, timestamps, windows from
 * {@code labels/combined_windows.json}) and {@code OUT/results/<detector>/<category>/<detector>_<file>.csv} with
 * at least the columns {@code timestamp}, {@code value} and {@code anomaly_score}, one row per data row in the
 * same order. Output: {@code OUT/plots/<detector>/<category>/<file stem>.png}. Time O(total rows); memory O(rows of
 * the largest file). Not thread-safe for concurrent runs into the same output directory.
 */
public final class NabPlots {
    /** Panel heights, pixels. */
    static final int TOP_HEIGHT = 500;
    static final int BOTTOM_HEIGHT = 340;
    /** A progress line after every this many plots. */
    static final int PROGRESS_EVERY = 10;

    private static final DateTimeFormatter NAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private NabPlots() {
    }

    /** What a run produced: the plot directory and the files written, in corpus order. */
    public record Result(Path dir, List<Path> plots) {
    }

    /** One result file's columns. */
    record Series(double[] value, double[] score) {
    }

    /**
     * Plots every corpus file.
     *
     * @param nabRoot   the NAB root (holds {@code data/} and {@code labels/})
     * @param outDir    the evaluation's output directory (holds {@code results/})
     * @param detector  the detector name used in the result paths
     * @param threshold the detector's fixed alert threshold on the score
     * @param progress  where progress lines go, or {@code null}
     * @param clock     source of elapsed time for progress lines
     * @throws PlotInputException if a result file is missing or malformed (the message names it)
     */
    public static Result plotAll(Path nabRoot, Path outDir, String detector, double threshold, PrintStream progress,
                                 EngineClock clock) throws IOException {
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite, got " + threshold);
        }
        NabCorpus corpus = NabCorpus.load(nabRoot);
        Path dir = outDir.resolve("plots").resolve(detector);
        PlotProgress pp = new PlotProgress(progress, "nab", corpus.files().size(), PROGRESS_EVERY, clock);
        List<Path> written = new ArrayList<>();
        for (NabCorpus.NabFile f : corpus.files()) {
            Path csv = resultFile(outDir, detector, f);
            Path png = dir.resolve(f.category()).resolve(stem(f.fileName()) + ".png");
            plot(nabRoot, f, read(csv, f), detector, threshold, png);
            written.add(png);
            pp.plotted();
        }
        pp.finished(dir);
        return new Result(dir, List.copyOf(written));
    }

    /** {@code OUT/results/<detector>/<category>/<detector>_<file>.csv}, as {@code NabEvaluation} writes it. */
    static Path resultFile(Path outDir, String detector, NabCorpus.NabFile f) {
        return outDir.resolve("results").resolve(detector).resolve(f.category()).resolve(detector + "_" + f.fileName());
    }

    /**
     * Reads a result file, checking that it has one row per data row with the same timestamps.
     *
     * @throws PlotInputException naming the file (and line) when it is missing, empty, lacks a column, has a
     *                            non-numeric cell, a timestamp out of step with the data or the wrong row count
     */
    static Series read(Path csv, NabCorpus.NabFile f) throws IOException {
        double[] value = new double[f.rows()];
        double[] score = new double[f.rows()];
        int row = 0;
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new PlotInputException(csv, 1, "empty file, expected header timestamp,value,anomaly_score,...");
            }
            List<String> cols = Arrays.stream(header.split(",", -1)).map(String::trim).toList();
            int tc = column(cols, "timestamp", csv);
            int vc = column(cols, "value", csv);
            int sc = column(cols, "anomaly_score", csv);
            int need = Math.max(tc, Math.max(vc, sc));
            String line;
            long ln = 1;
            while ((line = r.readLine()) != null) {
                ln++;
                if (line.isBlank()) {
                    continue;
                }
                String[] c = line.split(",", -1);
                if (c.length <= need) {
                    throw new PlotInputException(csv, ln, "expected at least " + (need + 1) + " columns, got "
                            + c.length);
                }
                if (row >= f.rows()) {
                    throw new PlotInputException(csv, ln, "more rows than the data file " + f.key() + " ("
                            + f.rows() + ")");
                }
                String ts = c[tc].trim();
                if (!ts.equals(f.timestamps().get(row))) {
                    throw new PlotInputException(csv, ln, "timestamp '" + ts + "' does not match data row "
                            + (row + 1) + " of " + f.key() + " ('" + f.timestamps().get(row) + "')");
                }
                String v = c[vc].trim();
                value[row] = v.isEmpty() ? Double.NaN : number(v, csv, ln, "value");
                double s = number(c[sc].trim(), csv, ln, "anomaly_score");
                if (!Double.isFinite(s)) {
                    throw new PlotInputException(csv, ln, "anomaly_score must be finite, got " + c[sc].trim());
                }
                score[row] = s;
                row++;
            }
        } catch (NoSuchFileException e) {
            throw new PlotInputException(csv, "missing; expected the per-row output of `nexus eval nab` for "
                    + f.key());
        }
        if (row != f.rows()) {
            throw new PlotInputException(csv, "has " + row + " data rows, the data file " + f.key() + " has "
                    + f.rows());
        }
        return new Series(value, score);
    }

    /** Renders one file's plot to {@code png}. */
    static void plot(Path nabRoot, NabCorpus.NabFile f, Series s, String detector, double threshold, Path png)
            throws IOException {
        int n = f.rows();
        if (n == 0) {
            throw new PlotInputException(nabRoot.resolve("data").resolve(f.key()), "has no data rows to plot");
        }
        List<Date> t = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            t.add(date(f.timestamps().get(i), nabRoot.resolve("data").resolve(f.key()), i + 2L));
        }
        List<double[]> windows = new ArrayList<>();
        for (int[] w : f.windows()) {
            windows.add(new double[] {StackedChart.x(t.get(w[0])), StackedChart.x(t.get(w[1]))});
        }
        boolean[] alert = new boolean[n];
        List<Date> alertT = new ArrayList<>();
        List<Double> alertV = new ArrayList<>();
        List<Date> alertTs = new ArrayList<>();
        List<Double> alertS = new ArrayList<>();
        int inWindow = 0;
        for (int i = 0; i < n; i++) {
            if (s.score()[i] >= threshold) {
                alert[i] = true;
                alertTs.add(t.get(i));
                alertS.add(s.score()[i]);
                if (Double.isFinite(s.value()[i])) {
                    alertT.add(t.get(i));
                    alertV.add(s.value()[i]);
                }
                if (inside(f.windows(), i)) {
                    inWindow++;
                }
            }
        }
        List<double[]> alertRuns = StackedChart.runs(alert, i -> StackedChart.x(t.get(i)));
        boolean markers = alertTs.size() <= StackedChart.MAX_MARKERS;
        String alertName = "alert (score >= " + trim(threshold) + ")";
        String title = String.format(Locale.ROOT, "%s  |  %s  |  %d label window%s  |  %d alert%s at score >= %s"
                        + " (%d inside a window)", f.key(), detector, f.windows().size(),
                f.windows().size() == 1 ? "" : "s", alertTs.size(), alertTs.size() == 1 ? "" : "s",
                trim(threshold), inWindow);

        StackedChart.Panel top = StackedChart.panel(TOP_HEIGHT, title, "value", null);
        double[] vr = StackedChart.paddedRange(s.value());
        StackedChart.yRange(top, vr[0], vr[1]);
        StackedChart.shade(top, "NAB label window", windows, StackedChart.LABEL_FILL, t.get(0));
        StackedChart.line(top.chart, "value", t, s.value(), StackedChart.SERIES, 1.0f);
        StackedChart.band(top, alertName, alertRuns, StackedChart.ALERT_BAND, t.get(0), 0,
                StackedChart.ALERT_BAND_HEIGHT);
        if (markers) {
            StackedChart.points(top.chart, "alert marker", alertT, alertV, StackedChart.ALERT, false);
        }

        StackedChart.Panel bottom = StackedChart.panel(BOTTOM_HEIGHT, null, "anomaly score", "time (UTC)");
        double sMax = Math.max(1.0, Arrays.stream(s.score()).max().orElse(1.0));
        double sMin = Math.min(0.0, Arrays.stream(s.score()).min().orElse(0.0));
        double sPad = 0.04 * (sMax - sMin);
        StackedChart.yRange(bottom, sMin - sPad, sMax + sPad);
        StackedChart.shade(bottom, "NAB label window", windows, StackedChart.LABEL_FILL, t.get(0));
        StackedChart.shade(bottom, "probation (not scored by NAB)", probation(t, f.probation()),
                StackedChart.PROBATION_FILL, t.get(0));
        StackedChart.line(bottom.chart, "anomaly score", t, s.score(), StackedChart.SCORE, 1.0f);
        StackedChart.horizontal(bottom.chart, "fixed threshold " + trim(threshold), t.get(0), t.get(n - 1),
                threshold, StackedChart.THRESHOLD);
        StackedChart.band(bottom, alertName, alertRuns, StackedChart.ALERT_BAND, t.get(0), 0,
                StackedChart.ALERT_BAND_HEIGHT);
        if (markers) {
            StackedChart.points(bottom.chart, "alert marker", alertTs, alertS, StackedChart.ALERT, false);
        }

        List<StackedChart.Panel> panels = List.of(top, bottom);
        double x0 = StackedChart.x(t.get(0));
        double x1 = n > 1 ? StackedChart.x(t.get(n - 1)) : x0 + 1;
        StackedChart.xRange(panels, x0, x1);
        StackedChart.writePng(StackedChart.render(panels, x0, x1), png);
    }

    private static List<double[]> probation(List<Date> t, int rows) {
        List<double[]> out = new ArrayList<>();
        if (rows > 0) {
            out.add(new double[] {StackedChart.x(t.get(0)), StackedChart.x(t.get(Math.min(rows, t.size()) - 1))});
        }
        return out;
    }

    private static boolean inside(List<int[]> windows, int i) {
        for (int[] w : windows) {
            if (i >= w[0] && i <= w[1]) {
                return true;
            }
        }
        return false;
    }

    private static Date date(String ts, Path data, long line) throws PlotInputException {
        try {
            return Date.from(LocalDateTime.parse(ts, NAB_TIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            throw new PlotInputException(data, line, "timestamp '" + ts + "' is not yyyy-MM-dd HH:mm:ss");
        }
    }

    private static int column(List<String> header, String name, Path csv) throws PlotInputException {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new PlotInputException(csv, 1, "no column '" + name + "' in header " + header);
        }
        return i;
    }

    static double number(String cell, Path csv, long line, String column) throws PlotInputException {
        try {
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new PlotInputException(csv, line, column + " '" + cell + "' is not a number");
        }
    }

    static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
