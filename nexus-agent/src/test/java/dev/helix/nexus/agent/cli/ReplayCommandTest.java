package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReplayCommandTest {

    static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new ReplayCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** A steady, slightly noisy series with one big spike, plus a second flat series. */
    private Path recording() throws Exception {
        StringBuilder sb = new StringBuilder("# test recording\n");
        for (int i = 0; i < 200; i++) {
            double v = i == 150 ? 500 : 10 + (i * 7919 % 13) / 10.0;
            long ts = T0 + i * 1000L;
            sb.append("host_load1 ").append(v).append(' ').append(ts).append('\n');
            sb.append("jvm_threads{pool=\"x\"} 7 ").append(ts).append('\n');
        }
        return Files.writeString(tmp.resolve("rec.prom"), sb);
    }

    @Test
    void replaysARecordingThroughTheEngineAndFindsTheSpike() throws Exception {
        Path f = recording();
        assertThat(run(f.toString(), "--speed", "0", "--detector", "zscore")).as(err.toString()).isZero();
        String s = out.toString();
        assertThat(s).contains("200 ticks").contains("400 samples").contains("2 series");
        assertThat(s).contains("anomaly " + Instant.ofEpochMilli(T0 + 150_000)).contains("host_load1");
        assertThat(s).doesNotContain(" 0 anomalies");
    }

    @Test
    void replayingTheSameFileTwiceGivesIdenticalResults() throws Exception {
        Path f = recording();
        assertThat(run(f.toString(), "--speed", "0", "--detector", "zscore")).isZero();
        String first = out.toString();
        out.getBuffer().setLength(0);
        assertThat(run(f.toString(), "--speed", "0", "--detector", "zscore")).isZero();
        assertThat(out.toString()).isEqualTo(first).contains("anomaly");
    }

    @Test
    void speedDividesTheWaitsButNotTheResult() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append("a ").append(i).append(' ').append(T0 + i * 100L).append('\n');
        }
        Path f = Files.writeString(tmp.resolve("short.prom"), sb);
        assertThat(run(f.toString(), "--speed", "0")).isZero();
        String fast = out.toString();
        out.getBuffer().setLength(0);
        assertThat(run(f.toString(), "--speed", "100")).isZero(); // 400 ms of recording in ~4 ms
        assertThat(out.toString()).isEqualTo(fast).contains("5 ticks");
    }

    @Test
    void importsNabCsv() throws Exception {
        DateTimeFormatter fmt = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 120; i++) {
            sb.append(fmt.format(Instant.ofEpochMilli(T0 + i * 300_000L))).append(',')
                    .append(i == 100 ? 900 : 20 + i % 3).append('\n');
        }
        Path f = Files.writeString(tmp.resolve("nab.csv"), sb);
        assertThat(run(f.toString(), "--format", "nab", "--speed", "0", "--detector", "zscore")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("(nab,").contains("120 ticks").contains("1 series").contains("nab_value");
    }

    @Test
    void acceptsTheLearningNabDetectorOffline() throws Exception {
        DateTimeFormatter fmt = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 400; i++) {
            sb.append(fmt.format(Instant.ofEpochMilli(T0 + i * 300_000L))).append(',')
                    .append(i == 350 ? 900 : 20 + i % 3).append('\n');
        }
        Path f = Files.writeString(tmp.resolve("nab.csv"), sb);
        assertThat(run(f.toString(), "--format", "nab", "--speed", "0", "--detector", "nexus-nab"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("400 ticks");
    }

    @Test
    void importsGzippedSmdMatrixAutomatically() throws Exception {
        Path f = tmp.resolve("machine-1-1.txt.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            for (int i = 0; i < 50; i++) {
                o.write((i % 5 + "," + (0.5 + i % 2) + ",0\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(run(f.toString(), "--speed", "0")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("(smd,").contains("50 ticks").contains("150 samples").contains("3 series");
    }

    @Test
    void malformedInputNamesFileAndLine() throws Exception {
        Path f = Files.writeString(tmp.resolve("broken.csv"), "timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:01:00,oops\n");
        assertThat(run(f.toString(), "--speed", "0")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("broken.csv:3").contains("oops");

        Path g = Files.writeString(tmp.resolve("broken.prom"), "a 1 1000\na{ 2 2000\n");
        err.getBuffer().setLength(0);
        assertThat(run(g.toString(), "--format", "recording", "--speed", "0")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("broken.prom:2");
    }

    @Test
    void missingFileAndBadSpeedAreUsageErrors() {
        assertThat(run(tmp.resolve("nope.prom").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("nope.prom");
        assertThat(run(tmp.resolve("nope.prom").toString(), "--speed", "-1")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--speed");
    }
}
