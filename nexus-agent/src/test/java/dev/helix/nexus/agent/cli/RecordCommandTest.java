package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.telemetry.TelemetryReplay;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordCommandTest {

    @TempDir
    Path tmp;

    @Test
    void recordsDiscoveredSensorsAndTheRecordingReplays() throws Exception {
        Path f = tmp.resolve("rec.prom");
        CliRun record = CliRun.command(new RecordCommand(), "--duration", "300ms", "--interval", "100ms",
                "--out", f.toString()).assertExit(ExitCodes.OK);
        assertThat(record.out()).contains("recorded 3 readings");
        TelemetryReplay r = TelemetryReplay.load(f, true);
        assertThat(r.tickCount()).isEqualTo(3);
        assertThat(r.tickSize(0)).isPositive();
        assertThat(r.tickTimestamp(1)).isGreaterThan(r.tickTimestamp(0));

        CliRun replay = CliRun.command(new ReplayCommand(), f.toString(), "--speed", "0").assertExit(ExitCodes.OK);
        assertThat(replay.out()).contains("(recording,").contains("3 ticks");
    }

    @Test
    void badDurationIsAUsageError() {
        CliRun badDuration = CliRun.command(new RecordCommand(), "--duration", "soon", "--out",
                tmp.resolve("x").toString()).assertExit(ExitCodes.USAGE);
        assertThat(badDuration.err()).contains("--duration");
        CliRun badOut = CliRun.command(new RecordCommand(), "--duration", "1s", "--out",
                tmp.resolve("no/such/dir/x").toString()).assertExit(ExitCodes.USAGE);
        assertThat(badOut.err()).contains("does not exist");
    }
}
