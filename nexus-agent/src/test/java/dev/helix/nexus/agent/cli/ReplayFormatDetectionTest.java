package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.agent.cli.ReplayCommand.Format;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nexus replay --format auto} (issue 3: "import NAB-style CSV and SMD-style matrices as recordings"): the
 * format follows the content, not only the name — the SMD data set ships its matrices as
 * {@code machine-N-M_test.csv.gz}, which used to be taken for a NAB CSV and rejected on line 1.
 */
class ReplayFormatDetectionTest {

    @TempDir
    Path tmp;

    private Path gzip(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return f;
    }

    private static String matrix(int rows, int cols) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                sb.append(j == 0 ? "" : ",").append((i * 31 + j * 7) % 100 / 100.0);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void anSmdMatrixNamedCsvGzIsReplayedAsSmd() throws Exception {
        Path f = gzip("machine-1-1_test.csv.gz", matrix(40, 38));
        assertThat(ReplayCommand.detect(f)).isEqualTo(Format.smd);

        CliRun run = CliRun.command(new ReplayCommand(), f.toString(), "--speed", "0", "--detector", "zscore")
                .assertExit(ExitCodes.OK);
        assertThat(run.out()).contains("(smd,").contains("40 ticks").contains("1520 samples").contains("38 series");
    }

    @Test
    void nabFilesAreRecognisedByHeaderOrTwoColumnsPlainOrGzip() throws Exception {
        String nab = "timestamp,value\n2014-01-01 00:00:00,1.5\n2014-01-01 00:05:00,2\n";
        assertThat(ReplayCommand.detect(Files.writeString(tmp.resolve("a.csv"), nab))).isEqualTo(Format.nab);
        assertThat(ReplayCommand.detect(gzip("a.csv.gz", nab))).isEqualTo(Format.nab);
        // no header, two columns
        assertThat(ReplayCommand.detect(Files.writeString(tmp.resolve("b.csv"), "1388534400000,3\n1388534460000,4\n")))
                .isEqualTo(Format.nab);
        // a NAB-like header with a third column is still NAB, so the NAB reader names the bad column count
        assertThat(ReplayCommand.detect(Files.writeString(tmp.resolve("c.csv"), "timestamp,value,label\n")))
                .isEqualTo(Format.nab);
    }

    @Test
    void recordingsAndPlainMatricesKeepTheirFormat() throws Exception {
        Path rec = Files.writeString(tmp.resolve("rec.txt"), "# comment\n\nhost_load1 0.5 1795602026474\n");
        assertThat(ReplayCommand.detect(rec)).isEqualTo(Format.recording);
        Path plain = Files.writeString(tmp.resolve("m.txt"), matrix(3, 4));
        assertThat(ReplayCommand.detect(plain)).isEqualTo(Format.smd);
        assertThat(ReplayCommand.detect(gzip("m.txt.gz", matrix(3, 4)))).isEqualTo(Format.smd);
        assertThat(ReplayCommand.detect(Files.writeString(tmp.resolve("empty.txt"), ""))).isEqualTo(Format.recording);
    }
}
