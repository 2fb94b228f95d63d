package dev.helix.nexus.agent.plot;

import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.detect.eval.SmdEvaluation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * One PNG per SMD machine from the output of {@code nexus eval smd}: on top the {@value #DIMENSIONS} test-set input
 * columns with the largest variance (SMD columns are min-max scaled, so they share one axis), below the detector's
 * score on the same row axis, the labelled anomaly segments shaded and the alert rows as a red band along the top
 * edge of both panels (plus a dot on the score when there are at most {@value StackedChart#MAX_MARKERS}).
 *
 * <p>The evaluation writes {@code score,alert} but not the threshold that produced the alerts. When the alert column
 * is a pure score cut (every alerting score above every non-alerting one) the lowest alerting score is drawn as the
 * implied threshold; otherwise (e.g. PCA alerts on either of two statistics) only the alerts are marked, and the
 * title says so.
 *
 * <p>Inputs: {@code DATA/<machine>_test.csv[.gz]}, {@code DATA/<machine>_test_label.csv} for every machine with a
 * {@code _train.csv[.gz]} file (the machines the evaluation runs), and {@code OUT/<machine>.csv}. Output:
 * {@code OUT/plots/<machine>.png}. Time O(rows × columns) per machine; memory O(rows × columns) of one machine.
 */
public final class SmdPlots {
    static final int DIMENSIONS = 3;
    static final int TOP_HEIGHT = 500;
    static final int BOTTOM_HEIGHT = 340;
    static final int PROGRESS_EVERY = 10;
    /**
     * x of the legend-only series. Not a whole row: XChart puts ticks on the data points when all x values are
     * equally spaced (every row index), which gives unreadable tick values; one off-grid value restores round ticks.
     */
    private static final double LEGEND_X = 0.5;

    private SmdPlots() {
    }

    /** What a run produced: the plot directory and the files written, in machine order. */
    public record Result(Path dir, List<Path> plots) {
    }

    /** One machine's evaluation output. */
    record Output(double[] score, boolean[] alert) {
    }

    /**
     * Plots every machine of {@code dataDir}.
     *
     * @throws PlotInputException if an output or input file is missing or malformed (the message names it)
     */
    public static Result plotAll(Path dataDir, Path outDir, String detector, PrintStream progress, EngineClock clock)
            throws IOException {
        List<String> machines = machines(dataDir);
        Path dir = outDir.resolve("plots");
        PlotProgress pp = new PlotProgress(progress, "smd", machines.size(), PROGRESS_EVERY, clock);
        List<Path> written = new ArrayList<>();
        for (String m : machines) {
            Path test = find(dataDir, m + "_test.csv");
            Path labelFile = find(dataDir, m + "_test_label.csv");
            double[][] x = SmdEvaluation.readMatrix(test);
            int[] labels = SmdEvaluation.readLabels(labelFile);
            if (labels.length != x.length) {
                throw new PlotInputException(labelFile, "has " + labels.length + " labels, " + test + " has "
                        + x.length + " rows");
            }
            Output o = read(outDir.resolve(m + ".csv"), x.length);
            Path png = dir.resolve(m + ".png");
            plot(m, detector, x, labels, o, png);
            written.add(png);
            pp.plotted();
        }
        pp.finished(dir);
        return new Result(dir, List.copyOf(written));
    }

    /** The machines the evaluation runs: every {@code <machine>_train.csv[.gz]} in {@code dataDir}, sorted. */
    static List<String> machines(Path dataDir) throws IOException {
        List<String> out = SmdEvaluation.machines(dataDir);
        if (out.isEmpty()) {
            throw new PlotInputException(dataDir, "no *_train.csv[.gz] files, so no machines to plot");
        }
        return out;
    }

    private static Path find(Path dir, String base) throws PlotInputException {
        return SmdEvaluation.dataFile(dir, base)
                .orElseThrow(() -> new PlotInputException(dir.resolve(base), "missing (also tried .gz)"));
    }

    /**
     * Reads {@code OUT/<machine>.csv}: header {@code score,alert}, then {@code rows} lines of a finite score and a 0/1
     * alert.
     *
     * @throws PlotInputException naming the file (and line) when it is missing, malformed or has the wrong row count
     */
    static Output read(Path csv, int rows) throws IOException {
        double[] score = new double[rows];
        boolean[] alert = new boolean[rows];
        int row = 0;
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.trim().equals("score,alert")) {
                throw new PlotInputException(csv, 1, "expected header 'score,alert', got "
                        + (header == null ? "an empty file" : "'" + header + "'"));
            }
            String line;
            long ln = 1;
            while ((line = r.readLine()) != null) {
                ln++;
                if (line.isBlank()) {
                    continue;
                }
                String[] c = line.split(",", -1);
                if (c.length != 2) {
                    throw new PlotInputException(csv, ln, "expected 2 columns (score,alert), got " + c.length);
                }
                if (row >= rows) {
                    throw new PlotInputException(csv, ln, "more rows than the test file (" + rows + ")");
                }
                double s = NabPlots.number(c[0].trim(), csv, ln, "score");
                if (!Double.isFinite(s)) {
                    throw new PlotInputException(csv, ln, "score must be finite, got " + c[0].trim());
                }
                String a = c[1].trim();
                if (!a.equals("0") && !a.equals("1")) {
                    throw new PlotInputException(csv, ln, "alert must be 0 or 1, got '" + a + "'");
                }
                score[row] = s;
                alert[row] = a.equals("1");
                row++;
            }
        } catch (NoSuchFileException e) {
            throw new PlotInputException(csv, "missing; expected the output of `nexus eval smd`");
        }
        if (row != rows) {
            throw new PlotInputException(csv, "has " + row + " rows, the test file has " + rows);
        }
        return new Output(score, alert);
    }

    /** The indices of the {@code k} columns with the largest variance, largest first (ties: lower index first). */
    static int[] widestColumns(double[][] x, int k) {
        int d = x[0].length;
        double[] var = new double[d];
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (double[] row : x) {
                mean += row[j];
            }
            mean /= x.length;
            double ss = 0;
            for (double[] row : x) {
                ss += (row[j] - mean) * (row[j] - mean);
            }
            var[j] = ss / x.length;
        }
        return IntStream.range(0, d).boxed()
                .sorted(Comparator.<Integer>comparingDouble(j -> -var[j]).thenComparingInt(j -> j))
                .limit(Math.min(k, d)).mapToInt(Integer::intValue).toArray();
    }

    /**
     * The threshold implied by the alert column: the lowest alerting score if every alerting score exceeds every
     * non-alerting one, else {@code NaN} (also when nothing alerts).
     */
    static double impliedThreshold(Output o) {
        double lowestAlert = Double.POSITIVE_INFINITY;
        double highestQuiet = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < o.score().length; i++) {
            if (o.alert()[i]) {
                lowestAlert = Math.min(lowestAlert, o.score()[i]);
            } else {
                highestQuiet = Math.max(highestQuiet, o.score()[i]);
            }
        }
        return Double.isFinite(lowestAlert) && lowestAlert > highestQuiet ? lowestAlert : Double.NaN;
    }

    /** Renders one machine's plot to {@code png}. */
    static void plot(String machine, String detector, double[][] x, int[] labels, Output o, Path png)
            throws IOException {
        int n = x.length;
        List<Double> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add((double) i);
        }
        List<double[]> segments = new ArrayList<>();
        int i = 0;
        while (i < n) {
            if (labels[i] == 1) {
                int j = i;
                while (j + 1 < n && labels[j + 1] == 1) {
                    j++;
                }
                segments.add(new double[] {i, j});
                i = j + 1;
            } else {
                i++;
            }
        }
        List<Double> alertX = new ArrayList<>();
        List<Double> alertS = new ArrayList<>();
        int inSegment = 0;
        for (int k = 0; k < n; k++) {
            if (o.alert()[k]) {
                alertX.add((double) k);
                alertS.add(o.score()[k]);
                inSegment += labels[k];
            }
        }
        List<double[]> alertRuns = StackedChart.runs(o.alert(), k -> k);
        double thr = impliedThreshold(o);
        String thrNote = Double.isNaN(thr)
                ? (alertX.isEmpty() ? "no alerts" : "alerts are not a single score cut")
                : "implied threshold " + NabPlots.trim(thr);
        String title = String.format(Locale.ROOT, "%s  |  %s  |  %d test rows  |  %d label segment%s  |  %d alert%s"
                        + " (%d inside a segment), %s", machine, detector, n, segments.size(),
                segments.size() == 1 ? "" : "s", alertX.size(), alertX.size() == 1 ? "" : "s", inSegment, thrNote);

        int[] cols = widestColumns(x, DIMENSIONS);
        double[][] series = new double[cols.length][n];
        for (int c = 0; c < cols.length; c++) {
            for (int k = 0; k < n; k++) {
                series[c][k] = x[k][cols[c]];
            }
        }
        StackedChart.Panel top = StackedChart.panel(TOP_HEIGHT, title, "scaled value", null);
        double[] vr = StackedChart.paddedRange(series);
        StackedChart.yRange(top, vr[0], vr[1]);
        StackedChart.shade(top, "labelled anomaly", segments, StackedChart.LABEL_FILL, LEGEND_X);
        StackedChart.band(top, "alert", alertRuns, StackedChart.ALERT_BAND, LEGEND_X, 0,
                StackedChart.ALERT_BAND_HEIGHT);
        for (int c = 0; c < cols.length; c++) {
            StackedChart.line(top.chart, "column " + (cols[c] + 1) + " (largest variance #" + (c + 1) + ")", rows,
                    series[c], StackedChart.DIMENSIONS[c % StackedChart.DIMENSIONS.length], 0.9f);
        }

        StackedChart.Panel bottom = StackedChart.panel(BOTTOM_HEIGHT, null, "score", "test row");
        double[] sr = StackedChart.paddedRange(o.score());
        double sLo = Math.min(0.0, sr[0]);
        StackedChart.yRange(bottom, sLo - 0.03 * (sr[1] - sLo), sr[1]);
        StackedChart.shade(bottom, "labelled anomaly", segments, StackedChart.LABEL_FILL, LEGEND_X);
        StackedChart.line(bottom.chart, "score", rows, o.score(), StackedChart.SCORE, 1.0f);
        if (!Double.isNaN(thr)) {
            StackedChart.horizontal(bottom.chart, "implied alert threshold " + NabPlots.trim(thr), 0.0, (double) (n - 1),
                    thr, StackedChart.THRESHOLD);
        }
        StackedChart.band(bottom, "alert", alertRuns, StackedChart.ALERT_BAND, LEGEND_X, 0,
                StackedChart.ALERT_BAND_HEIGHT);
        if (alertX.size() <= StackedChart.MAX_MARKERS) {
            StackedChart.points(bottom.chart, "alert marker", alertX, alertS, StackedChart.ALERT, false);
        }

        List<StackedChart.Panel> panels = List.of(top, bottom);
        double x1 = Math.max(1, n - 1);
        StackedChart.xRange(panels, 0, x1);
        StackedChart.writePng(StackedChart.render(panels, 0, x1), png);
    }
}
