package dev.helix.nexus.agent.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.clock.ManualClock;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmdPlotsTest {
    private static final int HEIGHT = SmdPlots.TOP_HEIGHT + SmdPlots.BOTTOM_HEIGHT;

    @TempDir
    Path tmp;

    Path data;
    Path out;

    @BeforeEach
    void layout() throws Exception {
        data = SyntheticEvalData.smd(tmp.resolve("smd"));
        out = tmp.resolve("out");
    }

    /** Writes the evaluation output ({@link SyntheticEvalData#smdOutput}), edits its lines, returns the file. */
    private Path outputEditedBy(Consumer<List<String>> edit) throws Exception {
        SyntheticEvalData.smdOutput(out);
        Path f = out.resolve(SyntheticEvalData.MACHINE + ".csv");
        SyntheticEvalData.editLines(f, edit);
        return f;
    }

    private SmdPlots.Result plot() throws Exception {
        return SmdPlots.plotAll(data, out, "pca", null, new ManualClock());
    }

    @Test
    void writesOneReadablePngPerMachineWithSegmentsAndAlertsDrawn() throws Exception {
        SyntheticEvalData.smdOutput(out);
        SmdPlots.Result r = plot();
        assertThat(r.plots()).containsExactly(out.resolve("plots").resolve(SyntheticEvalData.MACHINE + ".png"));
        BufferedImage img = PngAssertions.readPlot(r.plots().get(0), HEIGHT);
        assertThat(PngAssertions.count(img, PngAssertions.overWhite(StackedChart.LABEL_FILL), 2)).isGreaterThan(5_000);
        // the synthetic alerts are exactly the labelled rows: the band is painted over the segment's shade
        int band = PngAssertions.over(StackedChart.ALERT_BAND, PngAssertions.overWhite(StackedChart.LABEL_FILL));
        assertThat(PngAssertions.count(img, band, 2)).isGreaterThan(100);
    }

    @Test
    void impliedThresholdIsTheLowestAlertingScoreWhenAlertsAreAScoreCut() {
        var cut = new SmdPlots.Output(new double[] {0.1, 0.7, 0.4, 0.9}, new boolean[] {false, true, false, true});
        assertThat(SmdPlots.impliedThreshold(cut)).isEqualTo(0.7);
    }

    @Test
    void impliedThresholdIsUndefinedWhenAlertsAreNotAScoreCutOrAbsent() {
        var mixed = new SmdPlots.Output(new double[] {0.8, 0.7, 0.4}, new boolean[] {false, true, false});
        var none = new SmdPlots.Output(new double[] {0.8, 0.7}, new boolean[] {false, false});
        assertThat(SmdPlots.impliedThreshold(mixed)).isNaN();
        assertThat(SmdPlots.impliedThreshold(none)).isNaN();
    }

    @Test
    void widestColumnsAreTheLargestVarianceFirst() {
        double[][] x = {{0, 5, 1, 0}, {0, -5, 3, 0.5}, {0, 5, 1, 0}, {0, -5, 3, 0.5}};
        assertThat(SmdPlots.widestColumns(x, 3)).containsExactly(1, 2, 3);
        assertThat(SmdPlots.widestColumns(x, 9)).containsExactly(1, 2, 3, 0);
    }

    @Test
    void aMissingOutputIsAnErrorNamingIt() {
        Path expected = out.resolve(SyntheticEvalData.MACHINE + ".csv");
        assertThatThrownBy(this::plot).isInstanceOf(PlotInputException.class)
                .hasMessageStartingWith(expected + ": missing");
    }

    @Test
    void anAlertThatIsNotZeroOrOneIsAnErrorNamingFileAndLine() throws Exception {
        Path f = outputEditedBy(lines -> lines.set(7, "0.2,yes"));
        assertThatThrownBy(this::plot).isInstanceOf(PlotInputException.class)
                .hasMessage(f + ":8: alert must be 0 or 1, got 'yes'");
    }

    @Test
    void anOutputWithTheWrongRowCountIsAnErrorNamingIt() throws Exception {
        Path f = outputEditedBy(lines -> lines.subList(51, lines.size()).clear());
        assertThatThrownBy(this::plot).isInstanceOf(PlotInputException.class)
                .hasMessage(f + ": has 50 rows, the test file has " + SyntheticEvalData.SMD_TEST);
    }

    @Test
    void aWrongHeaderIsAnErrorNamingIt() throws Exception {
        Path f = outputEditedBy(lines -> lines.set(0, "anomaly_score"));
        assertThatThrownBy(this::plot).isInstanceOf(PlotInputException.class)
                .hasMessage(f + ":1: expected header 'score,alert', got 'anomaly_score'");
    }

    @Test
    void aDirectoryWithoutMachinesIsAnErrorNamingIt() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> SmdPlots.plotAll(empty, out, "pca", null, new ManualClock()))
                .isInstanceOf(PlotInputException.class).hasMessageStartingWith(empty + ": no *_train.csv");
    }
}
