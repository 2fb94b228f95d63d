package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.agent.plot.SyntheticEvalData;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

    @TempDir
    Path tmp;

    private static void assertPng(Path png) throws Exception {
        assertThat(png).isRegularFile();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).as("ImageIO decodes %s", png).isNotNull();
        assertThat(img.getWidth()).isPositive();
        assertThat(img.getHeight()).isPositive();
    }

    @Test
    void nabWithPlotShowsProgressAndWritesOnePngPerFile() throws Exception {
        Path data = SyntheticEvalData.nab(tmp.resolve("nab"));
        Path o = tmp.resolve("out");
        String log = CliRun.nexus("eval", "nab", "--data", data.toString(), "--out", o.toString(),
                "--detector", "zscore", "--plot").assertExit(ExitCodes.OK).out();
        assertThat(log).contains("[nab] zscore: 2/2 files scored")
                .contains("[plot nab] 2/2 plots written")
                .contains("[plot nab] 2 plots in " + o.resolve("plots").resolve("zscore"));
        // evaluation lines come before plotting lines: progress is streamed in order
        assertThat(log.indexOf("files scored")).isLessThan(log.indexOf("plots written"));
        assertPng(o.resolve("plots/zscore/synthA/one.png"));
        assertPng(o.resolve("plots/zscore/synthB/two.png"));
    }

    @Test
    void nabWithoutPlotWritesNoPlots() throws Exception {
        Path data = SyntheticEvalData.nab(tmp.resolve("nab"));
        Path o = tmp.resolve("out");
        CliRun run = CliRun.nexus("eval", "nab", "--data", data.toString(), "--out", o.toString(),
                "--detector", "zscore").assertExit(ExitCodes.OK);
        assertThat(o.resolve("results/zscore/synthA/zscore_one.csv")).isRegularFile();
        assertThat(o.resolve("plots")).doesNotExist();
        assertThat(run.out()).doesNotContain("[plot");
    }

    @Test
    void smdWithPlotShowsProgressAndWritesOnePngPerMachine() throws Exception {
        Path data = SyntheticEvalData.smd(tmp.resolve("smd"));
        Path o = tmp.resolve("out");
        CliRun run = CliRun.nexus("eval", "smd", "--data", data.toString(), "--out", o.toString(), "--plot")
                .assertExit(ExitCodes.OK);
        assertThat(run.out()).contains("[smd] " + SyntheticEvalData.MACHINE + ":")
                .contains("[plot smd] 1/1 plots written").contains("[plot smd] 1 plots in " + o.resolve("plots"));
        assertPng(o.resolve("plots").resolve(SyntheticEvalData.MACHINE + ".png"));
    }

    @Test
    void aMalformedInputFailsWithFileAndLineAndNoStackTrace() throws Exception {
        Path data = SyntheticEvalData.smd(tmp.resolve("smd"));
        Path labels = data.resolve(SyntheticEvalData.MACHINE + "_test_label.csv");
        SyntheticEvalData.editLines(labels, lines -> lines.set(2, "2"));
        CliRun run = CliRun.nexus("eval", "smd", "--data", data.toString(), "--out", tmp.resolve("out").toString(),
                "--plot").assertExit(ExitCodes.FAILURE);
        assertThat(run.err().strip()).startsWith("nexus eval smd: " + labels + ":3:").doesNotContain("Exception");
    }

    @Test
    void helpMentionsPlot() {
        for (String set : List.of("nab", "smd")) {
            assertThat(CliRun.nexus("eval", set, "--help").assertExit(ExitCodes.OK).out()).contains("--plot");
        }
    }
}
