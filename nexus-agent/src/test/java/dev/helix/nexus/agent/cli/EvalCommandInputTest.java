package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.agent.plot.SyntheticEvalData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * How {@code nexus eval} answers bad usage and bad input: one line naming what is wrong (and where), no stack trace,
 * exit 2 for usage and 1 for input; and that it accepts NAB files with repeated timestamps, noting them.
 */
class EvalCommandInputTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = NexusCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void anUnknownDetectorIsAUsageErrorListingTheKnownOnesBeforeAnythingRuns() throws Exception {
        Path data = SyntheticEvalData.smd(tmp.resolve("smd"));
        Path o = tmp.resolve("out");
        assertThat(run("eval", "smd", "--data", data.toString(), "--out", o.toString(), "--detector", "lstm"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().strip()).isEqualTo(
                "nexus eval smd: unknown --detector 'lstm'; known: pca-pot, pca, iforest, pca-ens");
        assertThat(o).doesNotExist();
        err.getBuffer().setLength(0);
        Path nab = SyntheticEvalData.nab(tmp.resolve("nab"));
        assertThat(run("eval", "nab", "--data", nab.toString(), "--out", o.toString(), "--detector", "lstm"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().strip()).startsWith("nexus eval nab: unknown --detector 'lstm'; known: ")
                .contains("zscore", "iqr", "iforest", "nexus-nab").doesNotContain("Exception");
    }

    @Test
    void aMissingFileFailsWithOneLineNamingItAndNoStackTrace() throws Exception {
        Path data = SyntheticEvalData.smd(tmp.resolve("smd"));
        Path test = data.resolve(SyntheticEvalData.MACHINE + "_test.csv");
        Path gz = data.resolve(SyntheticEvalData.MACHINE + "_test.csv.gz");
        Files.deleteIfExists(test);
        Files.deleteIfExists(gz);
        assertThat(run("eval", "smd", "--data", data.toString(), "--out", tmp.resolve("o").toString()))
                .isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString().strip()).isEqualTo("nexus eval smd: missing " + test + "[.gz]");
        err.getBuffer().setLength(0);
        Path nab = SyntheticEvalData.nab(tmp.resolve("nab"));
        Path file = nab.resolve("data").resolve(SyntheticEvalData.NAB_KEYS[1]);
        Files.delete(file);
        assertThat(run("eval", "nab", "--data", nab.toString(), "--out", tmp.resolve("o2").toString()))
                .isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString().strip()).isEqualTo("nexus eval nab: missing file " + file);
    }

    @Test
    void aDirectoryWithoutMachinesFailsNamingIt() {
        Path empty = tmp.resolve("empty");
        empty.toFile().mkdirs();
        assertThat(run("eval", "smd", "--data", empty.toString(), "--out", tmp.resolve("o").toString()))
                .isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString().strip()).isEqualTo("nexus eval smd: no *_train.csv[.gz] files in " + empty);
    }

    @Test
    void aRaggedNabRowFailsNamingFileAndLine() throws Exception {
        Path nab = SyntheticEvalData.nab(tmp.resolve("nab"));
        Path file = nab.resolve("data").resolve(SyntheticEvalData.NAB_KEYS[0]);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(10, lines.get(10) + ",3");
        Files.write(file, lines);
        assertThat(run("eval", "nab", "--data", nab.toString(), "--out", tmp.resolve("o").toString()))
                .isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString().strip()).startsWith("nexus eval nab: " + file + ":11: expected 2 columns")
                .doesNotContain("Exception");
    }

    @Test
    void repeatedNabTimestampsAreScoredInFileOrderAndNotedWithFileAndLine() throws Exception {
        Path nab = SyntheticEvalData.nab(tmp.resolve("nab"));
        Path file = nab.resolve("data").resolve(SyntheticEvalData.NAB_KEYS[0]);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        // line 21 takes line 20's timestamp (a duplicate, as after a clock change)
        lines.set(20, lines.get(19).split(",")[0] + "," + lines.get(20).split(",")[1]);
        Files.write(file, lines);
        Path o = tmp.resolve("o");
        assertThat(run("eval", "nab", "--data", nab.toString(), "--out", o.toString(), "--detector", "zscore"))
                .isEqualTo(ExitCodes.OK);
        assertThat(out.toString()).contains("[nab] note: " + file + ":21: 1 row not after an earlier row's time");
        Path written = o.resolve("results/zscore").resolve(SyntheticEvalData.NAB_KEYS[0].replace("/", "/zscore_"));
        assertThat(Files.readAllLines(written)).hasSize(SyntheticEvalData.NAB_ROWS + 1);
    }
}
