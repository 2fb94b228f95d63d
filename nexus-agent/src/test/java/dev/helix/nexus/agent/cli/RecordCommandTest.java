package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.telemetry.TelemetryReplay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RecordCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void recordsDiscoveredSensorsAndTheRecordingReplays() throws Exception {
        Path f = tmp.resolve("rec.prom");
        assertThat(run(new RecordCommand(), "--duration", "300ms", "--interval", "100ms", "--out", f.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("recorded 3 readings");
        TelemetryReplay r = TelemetryReplay.load(f, true);
        assertThat(r.tickCount()).isEqualTo(3);
        assertThat(r.tickSize(0)).isPositive();
        assertThat(r.tickTimestamp(1)).isGreaterThan(r.tickTimestamp(0));

        out.getBuffer().setLength(0);
        assertThat(run(new ReplayCommand(), f.toString(), "--speed", "0")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("(recording,").contains("3 ticks");
    }

    @Test
    void badDurationIsAUsageError() {
        assertThat(run(new RecordCommand(), "--duration", "soon", "--out", tmp.resolve("x").toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--duration");
        assertThat(run(new RecordCommand(), "--duration", "1s", "--out", tmp.resolve("no/such/dir/x").toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("does not exist");
    }
}
