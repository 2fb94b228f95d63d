package dev.helix.nexus.detect.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nexus eval smd} on any directory in SMD's layout (issue 5): machines of any name and any number of columns,
 * gzipped or plain, and the defined behaviour of bad input (errors naming file and line; non-finite cells).
 */
class SmdLayoutInputTest {

    @TempDir
    Path dir;

    /**
     * Writes one machine: {@code cols} columns that are noisy copies of one latent signal (so the train rows lie near
     * a line in [0.3, 0.7]), and a test part whose rows 300..339 leave that range (0.95) and break the correlation
     * (column 0 stays at 0.6): out of range for the forest, off the line for the PCA residuals.
     */
    private void machine(String name, int cols, boolean gzip, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            train.append(row(r, cols, false));
        }
        for (int i = 0; i < 600; i++) {
            boolean anomaly = i >= 300 && i < 340;
            test.append(row(r, cols, anomaly));
            labels.append(anomaly ? "1\n" : "0\n");
        }
        write(dir.resolve(name + "_train.csv" + (gzip ? ".gz" : "")), train.toString(), gzip);
        write(dir.resolve(name + "_test.csv" + (gzip ? ".gz" : "")), test.toString(), gzip);
        write(dir.resolve(name + "_test_label.csv"), labels.toString(), false);
    }

    private static String row(Random r, int cols, boolean anomaly) {
        double z = anomaly ? 0.95 : 0.3 + 0.4 * r.nextDouble();
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < cols; j++) {
            double v = z + 0.01 * r.nextGaussian();
            if (anomaly && j == 0) {
                v = 0.6;
            }
            sb.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.5f", v));
        }
        return sb.append('\n').toString();
    }

    private static void write(Path p, String text, boolean gzip) throws IOException {
        try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    static List<String> detectors() {
        return SmdEvaluation.DETECTORS;
    }

    @ParameterizedTest
    @MethodSource("detectors")
    void machinesOfAnyNameAndWidthAreEvaluatedAndEachGetsOneOutputRowPerTestRow(String detector) throws IOException {
        machine("alpha", 3, true, 1);
        machine("db-7", 11, false, 2);
        Path out = dir.resolve("out");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        SmdEvaluation.SmdReport rep = SmdEvaluation.run(dir, out, new PrintStream(progress, true,
                StandardCharsets.UTF_8), detector);
        assertThat(rep.machines()).extracting(SmdEvaluation.MachineResult::machine).containsExactly("alpha", "db-7");
        String text = progress.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("alpha: 1200 train rows, 600 test rows, 3 columns")
                .contains("db-7: 1200 train rows, 600 test rows, 11 columns").contains("overall (2 machines)");
        for (String m : List.of("alpha", "db-7")) {
            List<String> lines = Files.readAllLines(out.resolve(m + ".csv"));
            assertThat(lines.get(0)).isEqualTo("score,alert");
            assertThat(lines).hasSize(601);
            for (String l : lines.subList(1, lines.size())) {
                String[] c = l.split(",");
                assertThat(c).hasSize(2);
                assertThat(Double.parseDouble(c[0])).isBetween(0.0, 1.0);
                assertThat(c[1]).isIn("0", "1");
            }
        }
        for (SmdEvaluation.MachineResult r : rep.machines()) {
            // 40 of 600 rows far outside the train rows: a random score's best-F1 is about 0.13
            assertThat(r.bestF1()).as("%s best-F1 on %s", detector, r.machine()).isGreaterThan(0.5);
        }
    }

    @Test
    void trainAndTestOfDifferentWidthsAreAnErrorNamingBothCounts() throws IOException {
        machine("m", 4, false, 3);
        machine("other", 5, false, 4);
        Files.move(dir.resolve("other_test.csv"), dir.resolve("m_test.csv"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(dir.resolve("other_train.csv"));
        assertThatThrownBy(() -> SmdEvaluation.run(dir, null, null)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(dir.resolve("m_test.csv") + ":1: ")
                .hasMessageContaining("has 5 columns but m_train.csv has 4");
    }

    @Test
    void aRaggedTestRowIsAnErrorNamingFileAndLine() throws IOException {
        machine("m", 4, false, 5);
        Path test = dir.resolve("m_test.csv");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(test));
        lines.set(99, lines.get(99) + ",0.5");
        Files.write(test, lines);
        assertThatThrownBy(() -> SmdEvaluation.run(dir, null, null)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(test + ":100: ").hasMessageContaining("expected 4 columns, got 5");
    }

    @Test
    void anEmptyCellIsAnErrorButNanAndInfinitySpellingsAreNonFiniteRowsThatScoreZeroWithoutAlert()
            throws IOException {
        machine("m", 4, false, 6);
        Path test = dir.resolve("m_test.csv");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(test));
        lines.set(10, "nan,0.5,0.5,0.5");
        lines.set(11, "0.5,Infinity,0.5,0.5");
        lines.set(12, "0.5,0.5,-INF,0.5");
        Files.write(test, lines);
        Path train = dir.resolve("m_train.csv");
        List<String> trainLines = new java.util.ArrayList<>(Files.readAllLines(train));
        trainLines.set(5, "NaN,0.5,0.5,0.5");
        Files.write(train, trainLines);
        for (String detector : SmdEvaluation.DETECTORS) {
            Path out = dir.resolve("out-" + detector);
            SmdEvaluation.run(dir, out, null, detector);
            List<String> written = Files.readAllLines(out.resolve("m.csv"));
            for (int row = 10; row <= 12; row++) {
                assertThat(written.get(row + 1)).as("%s row %d", detector, row).isEqualTo("0.0,0");
            }
        }
        lines.set(20, "0.5,,0.5,0.5");
        Files.write(test, lines);
        assertThatThrownBy(() -> SmdEvaluation.run(dir, null, null)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(test + ":21: ").hasMessageContaining("column 2 is empty");
    }

    @Test
    void aLabelFileOfTheWrongLengthOrWithAValueOtherThanZeroOrOneIsAnErrorNamingIt() throws IOException {
        machine("m", 4, false, 7);
        Path labels = dir.resolve("m_test_label.csv");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(labels));
        Files.write(labels, lines.subList(0, 590));
        assertThatThrownBy(() -> SmdEvaluation.run(dir, null, null)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(labels + ":").hasMessageContaining("590 labels but the test file has 600 rows");
        lines.set(7, "0.5");
        Files.write(labels, lines);
        assertThatThrownBy(() -> SmdEvaluation.run(dir, null, null)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(labels + ":8: ");
    }

    @Test
    void aMachineWithoutItsTestFileAndADirectoryWithoutMachinesAreErrorsNamingWhatIsMissing() throws IOException {
        assertThatThrownBy(() -> SmdEvaluation.run(dir, null, null)).isInstanceOf(IOException.class)
                .hasMessageContaining("no *_train.csv[.gz] files in " + dir);
        machine("m", 4, false, 8);
        Files.delete(dir.resolve("m_test.csv"));
        assertThatThrownBy(() -> SmdEvaluation.run(dir, null, null)).isInstanceOf(IOException.class)
                .hasMessageContaining("missing " + dir.resolve("m_test.csv"));
    }

    @ParameterizedTest
    @MethodSource("detectors")
    void aConstantMachineGivesFiniteScoresAndNoAlerts(String detector) throws IOException {
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 800; i++) {
            train.append("0.5,0.25,0\n");
            test.append("0.5,0.25,0\n");
            labels.append(i < 790 ? "0\n" : "1\n");
        }
        write(dir.resolve("flat_train.csv"), train.toString(), false);
        write(dir.resolve("flat_test.csv"), test.toString(), false);
        write(dir.resolve("flat_test_label.csv"), labels.toString(), false);
        Path out = dir.resolve("out");
        SmdEvaluation.run(dir, out, null, detector);
        List<String> written = Files.readAllLines(out.resolve("flat.csv"));
        assertThat(written.subList(1, written.size())).hasSize(800).allSatisfy(l -> {
            String[] c = l.split(",");
            assertThat(Double.parseDouble(c[0])).isBetween(0.0, 1.0);
            assertThat(c[1]).as("%s: a test part identical to train raises no alert", detector).isEqualTo("0");
        });
    }
}
