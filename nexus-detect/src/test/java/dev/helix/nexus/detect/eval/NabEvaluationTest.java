package dev.helix.nexus.detect.eval;

import dev.helix.nexus.detect.DetectorCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NabEvaluationTest {

    @Test
    void writesNabFormatResultsThatReadBackIdentically(@TempDir Path out) throws IOException {
        Path nab = NabScorerTest.NAB;
        assumeTrue(Files.isRegularFile(nab.resolve("labels/combined_windows_tiny.json")),
                "NAB data not found at " + nab.toAbsolutePath() + " (set -Dnexus.nab.root); skipping");
        NabCorpus corpus = NabCorpus.load(nab, "combined_windows_tiny.json");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        NabEvaluation.NabReport rep = NabEvaluation.run(corpus, out, new PrintStream(buf, true, StandardCharsets.UTF_8),
                DetectorCatalog.NAB_DEFAULT, DetectorCatalog.univariate(DetectorCatalog.NAB_DEFAULT), 0.5);
        String log = buf.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("[nab]").contains("standard").contains("oracle").contains("fixed");
        for (NabCorpus.NabFile f : corpus.files()) {
            Path p = out.resolve("results").resolve(DetectorCatalog.NAB_DEFAULT).resolve(f.category())
                    .resolve(DetectorCatalog.NAB_DEFAULT + "_" + f.fileName());
            List<String> lines = Files.readAllLines(p);
            assertThat(lines.get(0)).isEqualTo("timestamp,value,anomaly_score,label");
            assertThat(lines).hasSize(f.rows() + 1);
            assertThat(lines.get(1)).startsWith(f.timestamps().get(0) + ",");
        }
        // the files written are exactly what was scored
        var back = NabEvaluation.readResults(corpus, out, DetectorCatalog.NAB_DEFAULT);
        for (var e : rep.scores().entrySet()) {
            assertThat(back.get(e.getKey())).containsExactly(e.getValue());
        }
        for (NabProfile p : NabProfile.values()) {
            assertThat(rep.oracle().get(p).raw()).isGreaterThanOrEqualTo(rep.fixed().get(p).raw());
        }
    }
}
