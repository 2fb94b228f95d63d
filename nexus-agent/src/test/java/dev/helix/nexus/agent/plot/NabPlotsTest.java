package dev.helix.nexus.agent.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.clock.ManualClock;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NabPlotsTest {
    private static final String DET = "det";
    private static final int HEIGHT = NabPlots.TOP_HEIGHT + NabPlots.BOTTOM_HEIGHT;

    @TempDir
    Path tmp;

    Path root;
    Path out;

    @BeforeEach
    void layout() throws Exception {
        root = SyntheticEvalData.nab(tmp.resolve("nab"));
        out = tmp.resolve("out");
    }

    private NabPlots.Result plot(double threshold, PrintStream progress) throws Exception {
        return NabPlots.plotAll(root, out, DET, threshold, progress, new ManualClock());
    }

    @Test
    void writesOneReadablePngPerCorpusFileUnderPlotsDetectorCategory() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        NabPlots.Result r = plot(0.5, null);
        assertThat(r.dir()).isEqualTo(out.resolve("plots").resolve(DET));
        assertThat(r.plots()).containsExactly(out.resolve("plots/det/synthA/one.png"),
                out.resolve("plots/det/synthB/two.png"));
        for (Path png : r.plots()) {
            PngAssertions.readPlot(png, HEIGHT);
        }
    }

    @Test
    void alertBandAppearsOnlyWhenScoresReachTheThreshold() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        // the synthetic alerts lie inside the label window, so the band is painted over the window's shade
        int band = PngAssertions.over(StackedChart.ALERT_BAND, PngAssertions.overWhite(StackedChart.LABEL_FILL));
        plot(0.5, null);
        BufferedImage alerts = PngAssertions.readPlot(out.resolve("plots/det/synthA/one.png"), HEIGHT);
        plot(0.95, null);
        BufferedImage none = PngAssertions.readPlot(out.resolve("plots/det/synthA/one.png"), HEIGHT);
        assertThat(PngAssertions.count(alerts, band, 2)).isGreaterThan(20);
        assertThat(PngAssertions.count(none, band, 2)).isZero();
    }

    @Test
    void labelWindowsAreShaded() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        plot(0.5, null);
        BufferedImage img = PngAssertions.readPlot(out.resolve("plots/det/synthB/two.png"), HEIGHT);
        // 41 of 600 rows are in the window: a visible share of both panels' width
        assertThat(PngAssertions.count(img, PngAssertions.overWhite(StackedChart.LABEL_FILL), 2)).isGreaterThan(10_000);
    }

    @Test
    void printsOneLinePerNPlotsAndWhereThePlotsWent() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        plot(0.5, new PrintStream(buf, true, StandardCharsets.UTF_8));
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        // 2 plots < PROGRESS_EVERY: only the last gets a progress line, then the directory
        assertThat(lines).containsExactly("[plot nab] 2/2 plots written (0.0 s)",
                "[plot nab] 2 plots in " + out.resolve("plots").resolve(DET) + " (0.0 s)");
    }

    @Test
    void aMissingResultFileIsAnErrorNamingIt() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        Path gone = SyntheticEvalData.resultFile(out, DET, "synthB/two.csv");
        Files.delete(gone);
        assertThatThrownBy(() -> plot(0.5, null)).isInstanceOf(PlotInputException.class)
                .hasMessageStartingWith(gone + ": missing")
                .satisfies(e -> assertThat(((PlotInputException) e).file()).isEqualTo(gone));
    }

    @Test
    void aNonNumericScoreIsAnErrorNamingFileAndLine() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        Path f = SyntheticEvalData.resultFile(out, DET, "synthA/one.csv");
        SyntheticEvalData.editLines(f, lines -> lines.set(4, SyntheticEvalData.ts(3) + ",1.0,high,0"));
        assertThatThrownBy(() -> plot(0.5, null)).isInstanceOf(PlotInputException.class)
                .hasMessage(f + ":5: anomaly_score 'high' is not a number");
    }

    @Test
    void aTimestampOutOfStepWithTheDataIsAnErrorNamingFileAndLine() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        Path f = SyntheticEvalData.resultFile(out, DET, "synthA/one.csv");
        SyntheticEvalData.editLines(f, lines -> lines.remove(10));
        assertThatThrownBy(() -> plot(0.5, null)).isInstanceOf(PlotInputException.class)
                .hasMessageStartingWith(f + ":11: timestamp '" + SyntheticEvalData.ts(10) + "' does not match");
    }

    @Test
    void aTruncatedResultFileIsAnErrorNamingItAndBothRowCounts() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        Path f = SyntheticEvalData.resultFile(out, DET, "synthA/one.csv");
        SyntheticEvalData.editLines(f, lines -> lines.subList(101, lines.size()).clear());
        assertThatThrownBy(() -> plot(0.5, null)).isInstanceOf(PlotInputException.class)
                .hasMessage(f + ": has 100 data rows, the data file synthA/one.csv has " + SyntheticEvalData.NAB_ROWS);
    }

    @Test
    void aHeaderWithoutTheScoreColumnIsAnErrorNamingIt() throws Exception {
        SyntheticEvalData.nabResults(out, DET, 0.9);
        Path f = SyntheticEvalData.resultFile(out, DET, "synthA/one.csv");
        SyntheticEvalData.editLines(f, lines -> lines.set(0, "timestamp,value,score,label"));
        assertThatThrownBy(() -> plot(0.5, null)).isInstanceOf(PlotInputException.class)
                .hasMessageStartingWith(f + ":1: no column 'anomaly_score'");
    }

    @Test
    void aNonFiniteThresholdIsRejected() {
        assertThatThrownBy(() -> plot(Double.NaN, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold");
    }
}
