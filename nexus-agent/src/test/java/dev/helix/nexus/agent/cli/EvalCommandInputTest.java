package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.agent.plot.SyntheticEvalData;
import dev.helix.nexus.detect.eval.SmdEvaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code nexus eval} answers bad usage and bad input: one line naming what is wrong (and where), no stack trace,
 * exit 2 for usage and 1 for input; and that it accepts NAB files with repeated timestamps, noting them.
 */
class EvalCommandInputTest {

    @TempDir
    Path tmp;

    @Test
    void anUnknownDetectorIsAUsageErrorListingTheKnownOnesBeforeAnythingRuns() throws Exception {
        Path data = SyntheticEvalData.smd(tmp.resolve("smd"));
        Path o = tmp.resolve("out");
        CliRun smd = CliRun.nexus("eval", "smd", "--data", data.toString(), "--out", o.toString(),
                "--detector", "lstm").assertExit(ExitCodes.USAGE);
        // the list is the evaluation's own, in its order (its contents are nexus-detect's to test)
        assertThat(smd.err().strip()).isEqualTo(
                "nexus eval smd: unknown --detector 'lstm'; known: " + String.join(", ", SmdEvaluation.DETECTORS));
        assertThat(o).doesNotExist();
        Path nab = SyntheticEvalData.nab(tmp.resolve("nab"));
        CliRun nabRun = CliRun.nexus("eval", "nab", "--data", nab.toString(), "--out", o.toString(),
                "--detector", "lstm").assertExit(ExitCodes.USAGE);
        assertThat(nabRun.err().strip()).startsWith("nexus eval nab: unknown --detector 'lstm'; known: ")
                .contains("zscore", "iqr", "iforest", "nexus-nab").doesNotContain("Exception");
    }

    @Test
    void aMissingFileFailsWithOneLineNamingItAndNoStackTrace() throws Exception {
        Path data = SyntheticEvalData.smd(tmp.resolve("smd"));
        Path test = data.resolve(SyntheticEvalData.MACHINE + "_test.csv");
        Path gz = data.resolve(SyntheticEvalData.MACHINE + "_test.csv.gz");
        Files.deleteIfExists(test);
        Files.deleteIfExists(gz);
        CliRun smd = CliRun.nexus("eval", "smd", "--data", data.toString(), "--out", tmp.resolve("o").toString())
                .assertExit(ExitCodes.FAILURE);
        assertThat(smd.err().strip()).isEqualTo("nexus eval smd: missing " + test + "[.gz]");
        Path nab = SyntheticEvalData.nab(tmp.resolve("nab"));
        Path file = nab.resolve("data").resolve(SyntheticEvalData.NAB_KEYS[1]);
        Files.delete(file);
        CliRun nabRun = CliRun.nexus("eval", "nab", "--data", nab.toString(), "--out", tmp.resolve("o2").toString())
                .assertExit(ExitCodes.FAILURE);
        assertThat(nabRun.err().strip()).isEqualTo("nexus eval nab: missing file " + file);
    }

    @Test
    void aDirectoryWithoutMachinesFailsNamingIt() {
        Path empty = tmp.resolve("empty");
        empty.toFile().mkdirs();
        CliRun run = CliRun.nexus("eval", "smd", "--data", empty.toString(), "--out", tmp.resolve("o").toString())
                .assertExit(ExitCodes.FAILURE);
        assertThat(run.err().strip()).isEqualTo("nexus eval smd: no *_train.csv[.gz] files in " + empty);
    }

    @Test
    void aRaggedNabRowFailsNamingFileAndLine() throws Exception {
        Path nab = SyntheticEvalData.nab(tmp.resolve("nab"));
        Path file = nab.resolve("data").resolve(SyntheticEvalData.NAB_KEYS[0]);
        SyntheticEvalData.editLines(file, lines -> lines.set(10, lines.get(10) + ",3"));
        CliRun run = CliRun.nexus("eval", "nab", "--data", nab.toString(), "--out", tmp.resolve("o").toString())
                .assertExit(ExitCodes.FAILURE);
        assertThat(run.err().strip()).startsWith("nexus eval nab: " + file + ":11: expected 2 columns")
                .doesNotContain("Exception");
    }

    @Test
    void repeatedNabTimestampsAreScoredInFileOrderAndNotedWithFileAndLine() throws Exception {
        Path nab = SyntheticEvalData.nab(tmp.resolve("nab"));
        Path file = nab.resolve("data").resolve(SyntheticEvalData.NAB_KEYS[0]);
        // line 21 takes line 20's timestamp (a duplicate, as after a clock change)
        SyntheticEvalData.editLines(file,
                lines -> lines.set(20, lines.get(19).split(",")[0] + "," + lines.get(20).split(",")[1]));
        Path o = tmp.resolve("o");
        CliRun run = CliRun.nexus("eval", "nab", "--data", nab.toString(), "--out", o.toString(),
                "--detector", "zscore").assertExit(ExitCodes.OK);
        assertThat(run.out()).contains("[nab] note: " + file + ":21: 1 row not after an earlier row's time");
        Path written = o.resolve("results/zscore").resolve(SyntheticEvalData.NAB_KEYS[0].replace("/", "/zscore_"));
        assertThat(Files.readAllLines(written)).hasSize(SyntheticEvalData.NAB_ROWS + 1);
    }
}
