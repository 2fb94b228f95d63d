package dev.helix.nexus.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property tests (issue 3, "jqwik property tests for every parser") for the three recording parsers that had only
 * example tests: the {@link TelemetryRecorder} text format read back by {@link TelemetryReplay}, the NAB CSV import and
 * the SMD matrix import of {@link RecordingImport}.
 *
 * <p>What they pin down: what the recorder writes replays to the very same keys, values and timestamps; any text
 * (random, or a well-formed file damaged by edits) either loads or is rejected with a {@link RecordingFormatException}
 * naming the file and a line that exists, never with another exception; a non-strict load never throws.
 *
 * <p>Also: label values with carriage returns, line feeds, quotes and backslashes survive a round trip through a
 * recording file; a recording or data file with bytes that are not UTF-8, or a truncated gzip stream, is rejected
 * with a {@link RecordingFormatException} naming the file and the line (the not-UTF-8 line exactly). Label values
 * with lone UTF-16 surrogates are generated for the in-memory round trip only: a file cannot hold them in UTF-8.
 */
class Issue3RecordingProperties {

    private static final DateTimeFormatter NAB_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("nexus-issue3-rec-");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** One sample as generated. */
    record Rec(MetricKey key, double value, long ts) {
    }

    /** Remembers every sample in order. */
    static final class ListSink implements MetricSink {
        final List<Rec> got = new ArrayList<>();

        @Override
        public void record(MetricKey key, double value, long timestampMillis) {
            got.add(new Rec(key, value, timestampMillis));
        }
    }

    // ---------------------------------------------------------------- recorder -> replay

    @Property(tries = 300)
    void whatTheRecorderWritesReplaysToTheSameKeysValuesAndTimestamps(@ForAll("recordings") List<Rec> samples)
            throws IOException {
        StringWriter text = new StringWriter();
        try (TelemetryRecorder rec = new TelemetryRecorder(text)) {
            for (Rec r : samples) {
                rec.record(r.key(), r.value(), r.ts());
            }
            assertThat(rec.written()).isEqualTo(samples.size());
        }
        TelemetryReplay replay = TelemetryReplay.load("memory", new StringReader(text.toString()), true);
        ListSink sink = new ListSink();
        assertThat(replay.replayAll(sink)).isEqualTo(samples.size());
        assertThat(replay.skippedLines()).isZero();
        for (int i = 0; i < samples.size(); i++) {
            Rec want = samples.get(i);
            Rec got = sink.got.get(i);
            assertThat(got.key()).as("sample %d of:%n%s", i, text).isEqualTo(want.key());
            assertThat(got.ts()).isEqualTo(want.ts());
            assertSameValue(got.value(), want.value());
        }
        long distinct = samples.stream().mapToLong(Rec::ts).distinct().count();
        assertThat(replay.tickCount()).isEqualTo((int) distinct);
    }

    @Property(tries = 500)
    void anyTextEitherLoadsStrictlyOrIsRejectedNamingALineThatExists(@ForAll("recordingText") String text)
            throws IOException {
        int lines = text.split("\r\n|\r|\n", -1).length;
        try {
            TelemetryReplay strict = TelemetryReplay.load("rec.txt", new StringReader(text), true);
            assertThat(strict.skippedLines()).isZero();
            for (int i = 1; i < strict.tickCount(); i++) {
                assertThat(strict.tickTimestamp(i)).isGreaterThan(strict.tickTimestamp(i - 1));
            }
        } catch (RecordingFormatException e) {
            assertThat(e.file()).isEqualTo("rec.txt");
            assertThat(e.line()).isBetween(1, lines);
            assertThat(e.getMessage()).startsWith("rec.txt:" + e.line() + ":");
        }
        TelemetryReplay lenient = TelemetryReplay.load("rec.txt", new StringReader(text), false);
        ListSink sink = new ListSink();
        long n = lenient.replayAll(sink);
        assertThat(n + lenient.skippedLines()).isLessThanOrEqualTo(lines);
        for (Rec r : sink.got) {
            assertThat(r.ts()).isNotEqualTo(Long.MIN_VALUE);
        }
    }

    // ---------------------------------------------------------------- NAB

    @Property(tries = 200)
    void wellFormedNabCsvImportsEveryRowExactly(@ForAll("nabRows") List<Rec> rows, @ForAll boolean epochMillis)
            throws IOException {
        Path f = write("good-nab.csv", nabText(rows, epochMillis));
        TelemetryReplay r = RecordingImport.nab(f);
        ListSink sink = new ListSink();
        assertThat(r.replayAll(sink)).isEqualTo(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(sink.got.get(i).key()).isEqualTo(MetricKey.of(RecordingImport.NAB_SERIES));
            assertThat(sink.got.get(i).ts()).isEqualTo(rows.get(i).ts());
            assertSameValue(sink.got.get(i).value(), rows.get(i).value());
        }
    }

    @Property(tries = 400)
    void anyNabTextImportsOrIsRejectedNamingFileAndLine(@ForAll("nabText") String text) throws IOException {
        Path f = write("any-nab.csv", text);
        int lines = text.split("\r\n|\r|\n", -1).length;
        try {
            TelemetryReplay r = RecordingImport.nab(f);
            assertThat(r.tickCount()).isPositive();
            for (int i = 0; i < r.tickCount(); i++) {
                assertThat(r.tickSize(i)).isEqualTo(1);
                if (i > 0) {
                    assertThat(r.tickTimestamp(i)).isGreaterThan(r.tickTimestamp(i - 1));
                }
            }
            ListSink sink = new ListSink();
            r.replayAll(sink);
            sink.got.forEach(s -> assertThat(Double.isInfinite(s.value())).isFalse());
        } catch (RecordingFormatException e) {
            assertThat(e.file()).isEqualTo(f.toString());
            assertThat(e.line()).isBetween(0, lines); // 0 = the whole file ("no data rows")
        }
    }

    // ---------------------------------------------------------------- SMD

    @Property(tries = 200)
    void wellFormedSmdMatrixImportsEveryCellExactlyPlainOrGzip(@ForAll("matrices") double[][] m,
                                                                @ForAll boolean gzip, @ForAll boolean commas)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        for (double[] row : m) {
            for (int j = 0; j < row.length; j++) {
                sb.append(j == 0 ? "" : commas ? "," : " ").append(row[j]);
            }
            sb.append('\n');
        }
        Path f = gzip ? writeGzip("good-smd.txt.gz", sb.toString()) : write("good-smd.txt", sb.toString());
        TelemetryReplay r = RecordingImport.smd(f, 1_000_000L, 250);
        assertThat(r.tickCount()).isEqualTo(m.length);
        ListSink sink = new ListSink();
        r.replayAll(sink);
        int k = 0;
        for (int i = 0; i < m.length; i++) {
            assertThat(r.tickTimestamp(i)).isEqualTo(1_000_000L + 250L * i);
            for (int j = 0; j < m[i].length; j++) {
                Rec s = sink.got.get(k++);
                assertThat(s.key()).isEqualTo(MetricKey.of(RecordingImport.SMD_SERIES, "dim", Integer.toString(j)));
                assertSameValue(s.value(), m[i][j]);
            }
        }
    }

    @Property(tries = 400)
    void anySmdTextImportsOrIsRejectedNamingFileAndLine(@ForAll("smdText") String text, @ForAll boolean gzip)
            throws IOException {
        Path f = gzip ? writeGzip("any-smd.txt.gz", text) : write("any-smd.txt", text);
        int lines = text.split("\r\n|\r|\n", -1).length;
        try {
            TelemetryReplay r = RecordingImport.smd(f);
            assertThat(r.tickCount()).isPositive();
            int width = r.tickSize(0);
            for (int i = 0; i < r.tickCount(); i++) {
                assertThat(r.tickSize(i)).isEqualTo(width);
                assertThat(r.tickTimestamp(i)).isEqualTo(RecordingImport.DEFAULT_START_MILLIS + 1000L * i);
            }
        } catch (RecordingFormatException e) {
            assertThat(e.file()).isEqualTo(f.toString());
            assertThat(e.line()).isBetween(0, lines);
        } catch (IOException e) {
            fail("not a RecordingFormatException naming file and line: " + e);
        }
    }

    // ---------------------------------------------------------------- files: escapes, UTF-8, gzip

    @Property(tries = 200)
    void recordingFilesRoundTripLabelValuesWithLineBreaksQuotesAndBackslashes(
            @ForAll("recordings") List<Rec> generated, @ForAll boolean gzip) throws IOException {
        List<Rec> samples = generated.stream().filter(r -> encodable(r.key())).toList();
        StringWriter text = new StringWriter();
        try (TelemetryRecorder rec = new TelemetryRecorder(text)) {
            samples.forEach(r -> rec.record(r.key(), r.value(), r.ts()));
        }
        assertThat(text.toString().chars().filter(c -> c == '\r').count()).as("no raw CR in a recording").isZero();
        assertThat(text.toString().lines().count()).isEqualTo(samples.size());
        Path f = gzip ? writeGzip("rt.txt.gz", text.toString()) : write("rt.txt", text.toString());
        TelemetryReplay replay = TelemetryReplay.load(f, true);
        ListSink sink = new ListSink();
        assertThat(replay.replayAll(sink)).isEqualTo(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            assertThat(sink.got.get(i).key()).isEqualTo(samples.get(i).key());
            assertThat(sink.got.get(i).ts()).isEqualTo(samples.get(i).ts());
            assertSameValue(sink.got.get(i).value(), samples.get(i).value());
        }
    }

    @Property(tries = 300)
    void aLineThatIsNotUtf8IsRejectedNamingFileAndThatLine(@ForAll("recordings") List<Rec> generated,
                                                           @ForAll int where, @ForAll int column,
                                                           @ForAll("badBytes") byte bad, @ForAll boolean gzip)
            throws IOException {
        List<Rec> samples = generated.stream().filter(r -> encodable(r.key())).toList();
        if (samples.isEmpty()) {
            return;
        }
        StringWriter text = new StringWriter();
        try (TelemetryRecorder rec = new TelemetryRecorder(text)) {
            samples.forEach(r -> rec.record(r.key(), r.value(), r.ts()));
        }
        List<byte[]> lines = text.toString().lines().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
        int target = Math.floorMod(where, lines.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            byte[] l = lines.get(i);
            int at = i == target ? Math.floorMod(column, l.length + 1) : -1;
            out.write(l, 0, at >= 0 ? at : l.length);
            if (at >= 0) {
                out.write(bad);
                out.write(l, at, l.length - at);
            }
            out.write('\n');
        }
        Path f = gzip ? writeGzipBytes("bad-utf8.txt.gz", out.toByteArray()) : Files.write(dir.resolve("bad-utf8.txt"), out.toByteArray());
        try {
            TelemetryReplay.load(f, true);
            fail("a line that is not UTF-8 was accepted");
        } catch (RecordingFormatException e) {
            assertThat(e.file()).isEqualTo(f.toString());
            assertThat(e.line()).isEqualTo(target + 1);
            assertThat(e.getMessage()).contains("not UTF-8");
        }
        TelemetryReplay lenient = TelemetryReplay.load(f, false);
        assertThat(lenient.skippedLines()).isEqualTo(1);
        assertThat(lenient.replayAll(new ListSink())).isEqualTo(samples.size() - 1);
    }

    @Property(tries = 100)
    void importsRejectBytesThatAreNotUtf8NamingTheLine(@ForAll("nabRows") List<Rec> rows, @ForAll int where,
                                                       @ForAll("badBytes") byte bad) throws IOException {
        String text = nabText(rows, false);
        List<String> lines = text.lines().toList();
        int target = 1 + Math.floorMod(where, lines.size() - 1); // a data row (line 1 is the header)
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            out.write(lines.get(i).getBytes(StandardCharsets.UTF_8));
            if (i == target) {
                out.write(bad);
            }
            out.write('\n');
        }
        Path nab = Files.write(dir.resolve("bad-utf8-nab.csv"), out.toByteArray());
        Path smd = Files.write(dir.resolve("bad-utf8-smd.txt"), out.toByteArray());
        for (Path f : List.of(nab, smd)) {
            try {
                if (f == nab) {
                    RecordingImport.nab(f);
                } else {
                    RecordingImport.smd(f);
                }
                fail("accepted " + f);
            } catch (RecordingFormatException e) {
                assertThat(e.file()).isEqualTo(f.toString());
                if (f == nab) {
                    assertThat(e.line()).isEqualTo(target + 1);
                    assertThat(e.getMessage()).contains("not UTF-8");
                } else {
                    assertThat(e.line()).isBetween(1, target + 1); // SMD already rejects the header row
                }
            }
        }
    }

    @Property(tries = 200)
    void aTruncatedGzipIsRejectedNamingFileAndLine(@ForAll("recordings") List<Rec> generated, @ForAll int cut,
                                                   @ForAll boolean smd) throws IOException {
        StringBuilder text = new StringBuilder();
        if (smd) {
            for (int i = 0; i < generated.size() + 5; i++) {
                text.append(i).append(',').append(i * 0.5).append('\n');
            }
        } else {
            StringWriter w = new StringWriter();
            try (TelemetryRecorder rec = new TelemetryRecorder(w)) {
                generated.stream().filter(r -> encodable(r.key())).forEach(r -> rec.record(r.key(), r.value(), r.ts()));
            }
            text.append(w);
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] whole = gz.toByteArray();
        int keep = Math.floorMod(cut, whole.length - 2) + 2; // keep the magic bytes, lose at least one byte
        Path f = Files.write(dir.resolve("truncated.gz"), java.util.Arrays.copyOf(whole, keep));
        long lines = text.toString().lines().count();
        try {
            if (smd) {
                RecordingImport.smd(f);
            } else {
                TelemetryReplay.load(f, false); // even a lenient load must not take a broken stream for the end
            }
            fail("a truncated gzip was accepted");
        } catch (RecordingFormatException e) {
            assertThat(e.file()).isEqualTo(f.toString());
            assertThat(e.line()).isBetween(0, (int) lines + 1); // 0: the gzip header itself is cut
            assertThat(e.getMessage()).startsWith(f + ":");
        }
    }

    @Provide
    Arbitrary<Byte> badBytes() {
        return Arbitraries.of((byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0xc1, (byte) 0xf8);
    }

    /** Whether every label value can be written as UTF-8 (no lone surrogate). */
    private static boolean encodable(MetricKey key) {
        return key.labels().values().stream().allMatch(v -> StandardCharsets.UTF_8.newEncoder().canEncode(v));
    }

    private static Path writeGzipBytes(String name, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return Files.write(dir.resolve(name), bytes.toByteArray());
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<List<Rec>> recordings() {
        Arbitrary<String> names = Combinators.combine(
                Arbitraries.strings().withChars("abcxyzABC_:").ofMinLength(1).ofMaxLength(1),
                Arbitraries.strings().withChars("abcxyz_:019").ofMaxLength(12)).as((a, b) -> a + b);
        Arbitrary<String> labelNames = Combinators.combine(
                Arbitraries.strings().withChars("abcxyz_").ofMinLength(1).ofMaxLength(1),
                Arbitraries.strings().withChars("abcxyz_019").ofMaxLength(8)).as((a, b) -> a + b);
        // any label value: quotes, backslashes, line feeds, carriage returns, braces, spaces, '#', non-Latin-1 and
        // surrogate pairs (and, from the unrestricted strings, lone surrogates) included
        Arbitrary<String> labelValues = Arbitraries.oneOf(
                Arbitraries.strings().withChars("a b\"\\\n\r{}=,#\t\u00e9\u4e2d").ofMaxLength(12),
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.just("\ud83d\ude00 } 1 2"),
                Arbitraries.just("cmd\r\n--flag=\"a\\b\"\r"));
        Arbitrary<MetricKey> keys = Combinators.combine(names,
                        Combinators.combine(labelNames, labelValues).as((n, v) -> new String[] {n, v}).list().ofMaxSize(3))
                .as((n, pairs) -> {
                    List<String> flat = new ArrayList<>();
                    for (String[] p : pairs) {
                        flat.add(p[0]);
                        flat.add(p[1]);
                    }
                    return MetricKey.of(n, flat.toArray(String[]::new));
                });
        Arbitrary<Double> values = Arbitraries.oneOf(
                Arbitraries.doubles(),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
                        -Double.MAX_VALUE, 1e15, 999_999_999_999_999.0, -0.0, 1e-300, 0.1),
                Arbitraries.longs().map(l -> (double) l));
        Arbitrary<Long> steps = Arbitraries.longs().between(0, 5_000);
        return Combinators.combine(keys, values, steps).as((k, v, s) -> new Rec(k, v, s)).list().ofMaxSize(40)
                .map(list -> {
                    List<Rec> out = new ArrayList<>(list.size());
                    long ts = 1_795_600_000_000L;
                    for (Rec r : list) {
                        ts += r.ts();
                        out.add(new Rec(r.key(), r.value(), ts));
                    }
                    return out;
                });
    }

    @Provide
    Arbitrary<String> recordingText() {
        Arbitrary<String> good = recordings().map(list -> {
            StringWriter w = new StringWriter();
            TelemetryRecorder rec = new TelemetryRecorder(w);
            list.forEach(r -> rec.record(r.key(), r.value(), r.ts()));
            return w.toString();
        });
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300),
                Arbitraries.strings().withChars("ab_{}=\", \n#0123456789.-+eNaInf").ofMaxLength(300),
                damaged(good));
    }

    @Provide
    Arbitrary<List<Rec>> nabRows() {
        Arbitrary<Double> values = Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, 0.0, -1.5));
        Arbitrary<Long> gaps = Arbitraries.longs().between(1, 86_400).map(s -> s * 1000);
        return Combinators.combine(values, gaps).as((v, g) -> new Rec(MetricKey.of("x"), v, g)).list()
                .ofMinSize(1).ofMaxSize(40).map(list -> {
                    List<Rec> out = new ArrayList<>();
                    long ts = 1_388_534_400_000L; // 2014-01-01T00:00:00Z
                    for (Rec r : list) {
                        ts += r.ts();
                        out.add(new Rec(r.key(), r.value(), ts));
                    }
                    return out;
                });
    }

    @Provide
    Arbitrary<String> nabText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.strings().withChars("timestampvalue,:- 0123456789.\n").ofMaxLength(300),
                damaged(Combinators.combine(nabRows(), Arbitraries.of(true, false)).as(Issue3RecordingProperties::nabText)));
    }

    @Provide
    Arbitrary<double[][]> matrices() {
        Arbitrary<Double> cells = Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(0.0, 1.0, 5.4e-05, Double.NaN));
        return Arbitraries.integers().between(1, 6).flatMap(w ->
                cells.array(double[].class).ofSize(w).array(double[][].class).ofMinSize(1).ofMaxSize(20));
    }

    @Provide
    Arbitrary<String> smdText() {
        Arbitrary<String> good = matrices().map(m -> {
            StringBuilder sb = new StringBuilder();
            for (double[] row : m) {
                for (int j = 0; j < row.length; j++) {
                    sb.append(j == 0 ? "" : ",").append(row[j]);
                }
                sb.append('\n');
            }
            return sb.toString();
        });
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.strings().withChars("0123456789.,e- \t\n#").ofMaxLength(300),
                damaged(good));
    }

    /** A well-formed text with 1 to 6 edits: replace a character, delete a line, truncate, duplicate a line. */
    static Arbitrary<String> damaged(Arbitrary<String> good) {
        Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers(),
                Arbitraries.integers().between(0, 0x2FF)).as((k, p, v) -> new int[] {k, p, v});
        return Combinators.combine(good, edit.list().ofMinSize(1).ofMaxSize(6)).as((text, edits) -> {
            StringBuilder sb = new StringBuilder(text);
            for (int[] e : edits) {
                if (sb.length() == 0) {
                    break;
                }
                int pos = Math.floorMod(e[1], sb.length());
                int start = pos == 0 ? 0 : sb.lastIndexOf("\n", pos - 1) + 1;
                int end = sb.indexOf("\n", start);
                switch (e[0]) {
                    case 0 -> sb.setCharAt(pos, (char) e[2]);
                    case 1 -> sb.delete(start, end < 0 ? sb.length() : end + 1);
                    case 2 -> sb.setLength(pos);
                    default -> sb.insert(start, sb.substring(start, end < 0 ? sb.length() : end) + "\n");
                }
            }
            return sb.toString();
        });
    }

    static String nabText(List<Rec> rows, boolean epochMillis) {
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        for (Rec r : rows) {
            sb.append(epochMillis ? Long.toString(r.ts()) : NAB_TIME.format(Instant.ofEpochMilli(r.ts())))
                    .append(',').append(r.value()).append('\n');
        }
        return sb.toString();
    }

    /** Equal as numbers (so -0.0 equals 0.0), or both NaN. */
    private static void assertSameValue(double got, double want) {
        if (Double.isNaN(want)) {
            assertThat(got).isNaN();
        } else {
            assertThat(got == want).as("got %s, want %s", got, want).isTrue();
        }
    }

    private static Path write(String name, String text) throws IOException {
        // getBytes replaces a lone surrogate by '?' (Files.writeString would refuse it)
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private static Path writeGzip(String name, String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return Files.write(dir.resolve(name), bytes.toByteArray());
    }
}
