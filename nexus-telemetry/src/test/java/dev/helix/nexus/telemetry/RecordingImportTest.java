package dev.helix.nexus.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.spi.MetricKey;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingImportTest {

    @TempDir
    Path tmp;

    @Test
    void nabCsvBecomesOneTickPerRow() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.csv"),
                "timestamp,value\n2014-04-01 00:00:00,1.5\n2014-04-01 00:05:00,2\n\n2014-04-01 00:10:00,3\n");
        TelemetryReplay r = RecordingImport.nab(f);
        assertThat(r.tickCount()).isEqualTo(3);
        assertThat(r.tickTimestamp(1) - r.tickTimestamp(0)).isEqualTo(300_000);
        TelemetryStore store = new TelemetryStore();
        r.replayAll(store);
        assertThat(store.latestValue(MetricKey.of(RecordingImport.NAB_SERIES))).isEqualTo(3.0);
    }

    @Test
    void malformedNabNamesFileAndLine() throws Exception {
        Path f = Files.writeString(tmp.resolve("bad.csv"), "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,abc\n");
        assertThatThrownBy(() -> RecordingImport.nab(f)).isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining("bad.csv:3").hasMessageContaining("abc");
        Path g = Files.writeString(tmp.resolve("time.csv"), "timestamp,value\nyesterday,1\n");
        assertThatThrownBy(() -> RecordingImport.nab(g)).hasMessageContaining("time.csv:2").hasMessageContaining("yesterday");
        Path h = Files.writeString(tmp.resolve("back.csv"), "1000,1\n999,2\n");
        assertThatThrownBy(() -> RecordingImport.nab(h)).hasMessageContaining("back.csv:2").hasMessageContaining("backwards");
        Path e = Files.writeString(tmp.resolve("empty.csv"), "timestamp,value\n");
        assertThatThrownBy(() -> RecordingImport.nab(e)).hasMessageContaining("empty.csv").hasMessageContaining("no data rows");
    }

    @Test
    void smdMatrixPlainAndGzip() throws Exception {
        String rows = "0.1,0.2,0.3\n0.4,0.5,0.6\n";
        Path plain = Files.writeString(tmp.resolve("m.txt"), rows);
        Path gz = tmp.resolve("m.txt.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(rows.getBytes(StandardCharsets.UTF_8));
        }
        for (Path p : new Path[] {plain, gz}) {
            TelemetryReplay r = RecordingImport.smd(p, 1000, 500);
            assertThat(r.tickCount()).isEqualTo(2);
            assertThat(r.tickSize(0)).isEqualTo(3);
            assertThat(r.tickTimestamp(1)).isEqualTo(1500);
            TelemetryStore store = new TelemetryStore();
            r.replayAll(store);
            assertThat(store.latestValue(MetricKey.of(RecordingImport.SMD_SERIES, "dim", "2"))).isEqualTo(0.6);
        }
    }

    @Test
    void raggedSmdNamesFileAndLine() throws Exception {
        Path f = Files.writeString(tmp.resolve("r.txt"), "1 2 3\n4 5\n");
        assertThatThrownBy(() -> RecordingImport.smd(f)).isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining("r.txt:2").hasMessageContaining("expected 3 columns");
        Path g = Files.writeString(tmp.resolve("n.txt"), "1,2\n3,x\n");
        assertThatThrownBy(() -> RecordingImport.smd(g)).hasMessageContaining("n.txt:2").hasMessageContaining("column 2");
    }

    @Test
    void smdRowOfOnlySeparatorsIsRejectedNamingFileAndLine() throws Exception {
        Path f = Files.writeString(tmp.resolve("sep.txt"), "# matrix\n,\n");
        assertThatThrownBy(() -> RecordingImport.smd(f)).isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining("sep.txt:2").hasMessageContaining("no values");
    }

    @Test
    void strictRecordingLoadNamesTheBadLine() throws Exception {
        Path f = Files.writeString(tmp.resolve("rec.prom"), "# header\na 1 1000\na 2 2000\nthis is garbage\n");
        assertThat(TelemetryReplay.load(f).skippedLines()).isEqualTo(1);
        assertThatThrownBy(() -> TelemetryReplay.load(f, true)).isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining("rec.prom:4");
        Path g = Files.writeString(tmp.resolve("nots.prom"), "a 1 1000\nb 2\n");
        assertThatThrownBy(() -> TelemetryReplay.load(g, true)).hasMessageContaining("nots.prom:2").hasMessageContaining("timestamp");
    }
}
