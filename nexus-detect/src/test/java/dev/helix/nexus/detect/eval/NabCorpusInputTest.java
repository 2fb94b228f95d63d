package dev.helix.nexus.detect.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.detect.DetectorCatalog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defined behaviour of NAB input that is not clean (issue 5, "bad input"): what is an error (named by file and
 * line) and what is accepted and how, checked through {@link NabCorpus#load(Path)} and one evaluation run.
 */
class NabCorpusInputTest {

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final LocalDateTime T0 = LocalDateTime.of(2020, 1, 1, 0, 0);
    private static final String KEY = "cat/f.csv";

    @TempDir
    Path root;

    /** 200 five-minute rows "ts,value" (value = row index), edited by {@code edit}, one window over rows 150..160. */
    private Path corpus(Consumer<List<String[]>> edit) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(new String[] {T0.plusMinutes(5L * i).format(TS), Integer.toString(i)});
        }
        edit.accept(rows);
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        for (String[] r : rows) {
            sb.append(String.join(",", r)).append('\n');
        }
        Files.createDirectories(root.resolve("data/cat"));
        Files.createDirectories(root.resolve("labels"));
        Files.writeString(root.resolve("data").resolve(KEY), sb.toString());
        Files.writeString(root.resolve("labels/combined_windows.json"), "{\"" + KEY + "\": [[\""
                + T0.plusMinutes(5L * 150).format(TS) + ".000000\", \"" + T0.plusMinutes(5L * 160).format(TS)
                + ".000000\"]]}");
        return root.resolve("data").resolve(KEY);
    }

    @Test
    void duplicateTimestampsAreKeptInFileOrderAndEachRunIsNotedWithFileAndLines() throws IOException {
        // data rows 101..103 (file lines 103..105) repeat row 100's time (line 102), as NAB's clock-change files do
        Path f = corpus(rows -> {
            for (int i = 101; i <= 103; i++) {
                rows.get(i)[0] = rows.get(100)[0];
            }
        });
        NabCorpus corpus = NabCorpus.load(root);
        NabCorpus.NabFile file = corpus.files().get(0);
        assertThat(file.rows()).isEqualTo(200);
        assertThat(file.values()[102]).isEqualTo(102.0);
        assertThat(corpus.notes().get(KEY)).singleElement().asString()
                .startsWith(f + ":103-105: 3 rows not after an earlier row's time")
                .contains("repeats line 102's " + T0.plusMinutes(500).format(TS))
                .contains("kept and scored in file order");
    }

    @Test
    void aStepBackInTimeIsKeptInFileOrderAndNotedWithFileAndLines() throws IOException {
        // rows 50..59 replay the times of rows 40..49, like the repeated hour in NAB's machine_temperature file
        Path f = corpus(rows -> {
            for (int i = 50; i < 60; i++) {
                rows.get(i)[0] = T0.plusMinutes(5L * (i - 10)).format(TS);
            }
        });
        NabCorpus corpus = NabCorpus.load(root);
        assertThat(corpus.files().get(0).rows()).isEqualTo(200);
        assertThat(corpus.notes().get(KEY)).singleElement().asString()
                .startsWith(f + ":52-61: 10 rows not after an earlier row's time")
                .contains("is earlier than line 51's " + T0.plusMinutes(5L * 49).format(TS));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        NabEvaluation.run(corpus, null, new PrintStream(progress, true, StandardCharsets.UTF_8), "zscore",
                DetectorCatalog.univariate("zscore"), DetectorCatalog.fixedThreshold("zscore"));
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[nab] note: " + f + ":52-61: ");
    }

    @Test
    void aWindowEdgeOnARepeatedTimeCoversEveryRowWithThatTime() throws IOException {
        // the window edges are the times of rows 150 and 160; row 149 carries 150's time and row 161 carries 160's
        corpus(rows -> {
            rows.get(149)[0] = rows.get(150)[0];
            rows.get(161)[0] = rows.get(160)[0];
        });
        NabCorpus.NabFile file = NabCorpus.load(root).files().get(0);
        assertThat(file.windows()).singleElement().satisfies(w -> assertThat(w).containsExactly(149, 161));
    }

    @Test
    void aRowWithMoreOrFewerCellsThanTheHeaderIsAnErrorNamingFileAndLine() throws IOException {
        Path f = corpus(rows -> rows.set(30, new String[] {rows.get(30)[0], "1", "7"}));
        assertThatThrownBy(() -> NabCorpus.load(root)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(f + ":32: ").hasMessageContaining("expected 2 columns").hasMessageContaining("got 3");
        Path g = corpus(rows -> rows.set(40, new String[] {rows.get(40)[0]}));
        assertThatThrownBy(() -> NabCorpus.load(root)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(g + ":42: ").hasMessageContaining("got 1");
    }

    @Test
    void anUnparseableTimestampIsAnErrorNamingFileAndLine() throws IOException {
        Path f = corpus(rows -> rows.get(9)[0] = "yesterday");
        assertThatThrownBy(() -> NabCorpus.load(root)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(f + ":11: ").hasMessageContaining("'yesterday'");
        Path g = corpus(rows -> rows.get(9)[0] = "2020-02-30 00:00:00");
        assertThatThrownBy(() -> NabCorpus.load(root)).hasMessageStartingWith(g + ":11: ");
    }

    @Test
    void aNonNumericValueIsAnErrorNamingFileAndLine() throws IOException {
        Path f = corpus(rows -> rows.get(19)[1] = "12a");
        assertThatThrownBy(() -> NabCorpus.load(root)).isInstanceOf(MalformedDataException.class)
                .hasMessageStartingWith(f + ":21: ").hasMessageContaining("'12a'");
    }

    @Test
    void gapsInTimeAreAcceptedAndWindowsStayOnTheirRows() throws IOException {
        // drop rows 60..99: the file jumps 200 minutes, label rows shift down by 40 positions
        corpus(rows -> rows.subList(60, 100).clear());
        NabCorpus.NabFile file = NabCorpus.load(root).files().get(0);
        assertThat(file.rows()).isEqualTo(160);
        assertThat(file.windows()).singleElement().satisfies(w -> assertThat(w).containsExactly(110, 120));
        assertThat(file.values()[60]).isEqualTo(100.0);
    }

    @Test
    void isoSeparatorAndFractionalSecondsAreAcceptedAndKeptVerbatim() throws IOException {
        corpus(rows -> {
            rows.get(3)[0] = rows.get(3)[0].replace(' ', 'T');
            rows.get(4)[0] = rows.get(4)[0] + ".250";
        });
        NabCorpus.NabFile file = NabCorpus.load(root).files().get(0);
        assertThat(file.timestamps().get(3)).contains("T");
        assertThat(file.timestamps().get(4)).endsWith(".250");
    }

    @Test
    void emptyNanAndInfinityCellsAreNonFiniteSamplesThatScoreZero() throws IOException {
        corpus(rows -> {
            rows.get(170)[1] = "";
            rows.get(171)[1] = "nan";
            rows.get(172)[1] = "NaN";
            rows.get(173)[1] = "-inf";
            rows.get(174)[1] = "Infinity";
        });
        NabCorpus corpus = NabCorpus.load(root);
        double[] v = corpus.files().get(0).values();
        assertThat(v[170]).isNaN();
        assertThat(v[171]).isNaN();
        assertThat(v[172]).isNaN();
        assertThat(v[173]).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(v[174]).isEqualTo(Double.POSITIVE_INFINITY);
        Path out = root.resolve("out");
        NabEvaluation.NabReport rep = NabEvaluation.run(corpus, out, null, "zscore",
                DetectorCatalog.univariate("zscore"), DetectorCatalog.fixedThreshold("zscore"));
        double[] s = rep.scores().get(KEY);
        for (int i = 170; i <= 174; i++) {
            assertThat(s[i]).as("score of non-finite row %d", i).isZero();
        }
        List<String> written = Files.readAllLines(out.resolve("results/zscore/cat/zscore_f.csv"));
        assertThat(written).hasSize(201);
        // the NaN row's value cell is written empty, as NAB writes a missing value; its score is 0, its label 0
        assertThat(written.get(171)).isEqualTo(T0.plusMinutes(5L * 170).format(TS) + ",,0.0,0");
    }

    @Test
    void aMissingDataFileNamesIt() throws IOException {
        corpus(rows -> { });
        Files.delete(root.resolve("data").resolve(KEY));
        assertThatThrownBy(() -> NabCorpus.load(root)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(KEY);
    }
}
