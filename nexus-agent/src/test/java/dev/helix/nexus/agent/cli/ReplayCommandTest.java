package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {

    static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path tmp;

    private static CliRun replay(String... args) {
        return CliRun.command(new ReplayCommand(), args);
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
        String s = replay(f.toString(), "--speed", "0", "--detector", "zscore").assertExit(ExitCodes.OK).out();
        assertThat(s).contains("200 ticks").contains("400 samples").contains("2 series");
        assertThat(s).contains("anomaly " + Instant.ofEpochMilli(T0 + 150_000)).contains("host_load1");
        assertThat(s).doesNotContain(" 0 anomalies");
    }

    @Test
    void replayingTheSameFileTwiceGivesIdenticalResults() throws Exception {
        Path f = recording();
        String first = replay(f.toString(), "--speed", "0", "--detector", "zscore").assertExit(ExitCodes.OK).out();
        String second = replay(f.toString(), "--speed", "0", "--detector", "zscore").assertExit(ExitCodes.OK).out();
        assertThat(second).isEqualTo(first).contains("anomaly");
    }

    @Test
    void speedDividesTheWaitsButNotTheResult() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append("a ").append(i).append(' ').append(T0 + i * 100L).append('\n');
        }
        Path f = Files.writeString(tmp.resolve("short.prom"), sb);
        String fast = replay(f.toString(), "--speed", "0").assertExit(ExitCodes.OK).out();
        // 400 ms of recording in ~4 ms
        String paced = replay(f.toString(), "--speed", "100").assertExit(ExitCodes.OK).out();
        assertThat(paced).isEqualTo(fast).contains("5 ticks");
    }

    /** A NAB-style CSV of {@code rows} 5-minute rows cycling 20, 21, 22, with 900 at row {@code spike}. */
    private Path nabCsv(int rows, int spike) throws Exception {
        DateTimeFormatter fmt = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < rows; i++) {
            sb.append(fmt.format(Instant.ofEpochMilli(T0 + i * 300_000L))).append(',')
                    .append(i == spike ? 900 : 20 + i % 3).append('\n');
        }
        return Files.writeString(tmp.resolve("nab.csv"), sb);
    }

    @Test
    void importsNabCsv() throws Exception {
        Path f = nabCsv(120, 100);
        CliRun run = replay(f.toString(), "--format", "nab", "--speed", "0", "--detector", "zscore")
                .assertExit(ExitCodes.OK);
        assertThat(run.out()).contains("(nab,").contains("120 ticks").contains("1 series").contains("nab_value");
    }

    @Test
    void acceptsTheLearningNabDetectorOffline() throws Exception {
        Path f = nabCsv(400, 350);
        CliRun run = replay(f.toString(), "--format", "nab", "--speed", "0", "--detector", "nexus-nab")
                .assertExit(ExitCodes.OK);
        assertThat(run.out()).contains("400 ticks");
    }

    @Test
    void importsGzippedSmdMatrixAutomatically() throws Exception {
        Path f = tmp.resolve("machine-1-1.txt.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            for (int i = 0; i < 50; i++) {
                o.write((i % 5 + "," + (0.5 + i % 2) + ",0\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(replay(f.toString(), "--speed", "0").assertExit(ExitCodes.OK).out())
                .contains("(smd,").contains("50 ticks").contains("150 samples").contains("3 series");
    }

    @Test
    void malformedInputNamesFileAndLine() throws Exception {
        Path f = Files.writeString(tmp.resolve("broken.csv"), "timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:01:00,oops\n");
        assertThat(replay(f.toString(), "--speed", "0").assertExit(ExitCodes.USAGE).err())
                .contains("broken.csv:3").contains("oops");

        Path g = Files.writeString(tmp.resolve("broken.prom"), "a 1 1000\na{ 2 2000\n");
        assertThat(replay(g.toString(), "--format", "recording", "--speed", "0").assertExit(ExitCodes.USAGE).err())
                .contains("broken.prom:2");
    }

    @Test
    void missingFileAndBadSpeedAreUsageErrors() {
        assertThat(replay(tmp.resolve("nope.prom").toString()).assertExit(ExitCodes.USAGE).err()).contains("nope.prom");
        assertThat(replay(tmp.resolve("nope.prom").toString(), "--speed", "-1").assertExit(ExitCodes.USAGE).err())
                .contains("--speed");
    }
}
