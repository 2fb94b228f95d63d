package dev.helix.nexus.detect.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SmdEvaluationTest {

    @Test
    void pointWiseAndPointAdjustedMetrics() {
        int[] y = {0, 1, 1, 1, 1, 0, 0, 1, 0, 0};
        boolean[] a = {false, false, true, false, false, false, true, false, false, false};
        double[] s = {0, .1, .9, .2, .1, 0, .8, .3, 0, 0};
        SmdEvaluation.MachineResult r = SmdEvaluation.metrics("m", s, a, y);
        assertThat(r.precision()).isEqualTo(0.5);
        assertThat(r.recall()).isEqualTo(0.2);
        // PA: the 4-row segment becomes fully detected: TP 4, FP 1, FN 1
        assertThat(r.paF1()).isCloseTo(2 * 0.8 * 0.8 / 1.6, within(1e-12));
        assertThat(r.bestF1()).isGreaterThanOrEqualTo(r.f1());
        assertThat(r.auprc()).isBetween(0.0, 1.0);
    }

    @Test
    void perfectScoreGivesBestF1One() {
        int[] y = {0, 0, 1, 1, 0};
        double[] s = {0.1, 0.2, 0.9, 0.8, 0.3};
        SmdEvaluation.MachineResult r = SmdEvaluation.metrics("m", s, new boolean[5], y);
        assertThat(r.bestF1()).isEqualTo(1.0);
        assertThat(r.auprc()).isCloseTo(1.0, within(1e-12));
    }

    private static void gz(Path p, String text) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void endToEndOnASyntheticMachine(@TempDir Path tmp) throws IOException {
        Random r = new Random(1);
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        StringBuilder lab = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            double x = r.nextDouble();
            train.append(String.format(java.util.Locale.ROOT, "%.5f,%.5f,%.5f%n", x, x * 0.5 + 0.01 * r.nextGaussian(), r.nextDouble()));
        }
        for (int i = 0; i < 1000; i++) {
            double x = r.nextDouble();
            boolean anomaly = i >= 500 && i < 520;
            double y = anomaly ? 1 - x * 0.5 : x * 0.5 + 0.01 * r.nextGaussian();
            test.append(String.format(java.util.Locale.ROOT, "%.5f,%.5f,%.5f%n", x, y, r.nextDouble()));
            lab.append(anomaly ? "1\n" : "0\n");
        }
        gz(tmp.resolve("machine-9-9_train.csv.gz"), train.toString());
        gz(tmp.resolve("machine-9-9_test.csv.gz"), test.toString());
        Files.writeString(tmp.resolve("machine-9-9_test_label.csv"), lab.toString());
        Path out = tmp.resolve("out");
        SmdEvaluation.SmdReport rep = SmdEvaluation.run(tmp, out, new PrintStream(OutputStream.nullOutputStream()));
        assertThat(rep.machines()).hasSize(1);
        assertThat(rep.machines().get(0).bestF1()).isGreaterThan(0.8);
        List<String> lines = Files.readAllLines(out.resolve("machine-9-9.csv"));
        assertThat(lines.get(0)).isEqualTo("score,alert");
        assertThat(lines).hasSize(1001);
    }

    /** Writes machine-9-9 with a correlation break at test rows 500..519, a constant third column and one NaN row. */
    private static void syntheticMachine(Path dir) throws IOException {
        Random r = new Random(2);
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        StringBuilder lab = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            double x = r.nextDouble();
            train.append(String.format(java.util.Locale.ROOT, "%.5f,%.5f,0.5%n", x, x * 0.5 + 0.01 * r.nextGaussian()));
        }
        for (int i = 0; i < 1000; i++) {
            double x = r.nextDouble();
            boolean anomaly = i >= 500 && i < 520;
            double y = anomaly ? 1 - x * 0.5 : x * 0.5 + 0.01 * r.nextGaussian();
            test.append(i == 100 ? "NaN,0.1,0.5\n" : String.format(java.util.Locale.ROOT, "%.5f,%.5f,0.5%n", x, y));
            lab.append(anomaly ? "1\n" : "0\n");
        }
        gz(dir.resolve("machine-9-9_train.csv.gz"), train.toString());
        gz(dir.resolve("machine-9-9_test.csv.gz"), test.toString());
        Files.writeString(dir.resolve("machine-9-9_test_label.csv"), lab.toString());
    }

    @Test
    void defaultDetectorAlertsOnTheBreakFromATrainOnlyThreshold(@TempDir Path tmp) throws IOException {
        syntheticMachine(tmp);
        Path out = tmp.resolve("out");
        SmdEvaluation.SmdReport rep = SmdEvaluation.run(tmp, out, new PrintStream(OutputStream.nullOutputStream()));
        assertThat(rep.detector()).isEqualTo("pca-ens2").isEqualTo(SmdEvaluation.DETECTORS.get(0));
        SmdEvaluation.MachineResult m = rep.machines().get(0);
        assertThat(m.segmentsDetected()).isEqualTo(1);
        assertThat(m.recall()).isGreaterThan(0.7);
        assertThat(m.precision()).isGreaterThan(0.3);
        List<String> lines = Files.readAllLines(out.resolve("machine-9-9.csv"));
        // the NaN row is ignored by the detector: score 0, no alert
        assertThat(lines.get(101)).isEqualTo("0.0,0");
    }

    @Test
    void otherDetectorsStaySelectableAndUnknownNamesAreRejected(@TempDir Path tmp) throws IOException {
        syntheticMachine(tmp);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        assertThat(SmdEvaluation.run(tmp, null, quiet, "pca").detector()).isEqualTo("pca");
        assertThat(SmdEvaluation.run(tmp, null, quiet, "pca-pot").detector()).isEqualTo("pca-pot");
        assertThat(SmdEvaluation.run(tmp, null, quiet, "eiforest").detector()).isEqualTo("eiforest");
        assertThatThrownBy(() -> SmdEvaluation.run(tmp, null, quiet, "lstm"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[pca-ens2, pca-pot, pca, iforest, pca-ens, eiforest]");
    }

    @Test
    void malformedRowNamesFileAndLine(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("x.csv");
        Files.writeString(p, "1,2\n3,4\n5\n");
        assertThatThrownBy(() -> SmdEvaluation.readMatrix(p)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("x.csv:3:");
        Files.writeString(p, "1,2\n3,x\n");
        assertThatThrownBy(() -> SmdEvaluation.readMatrix(p)).hasMessageContaining("x.csv:2:");
    }
}
