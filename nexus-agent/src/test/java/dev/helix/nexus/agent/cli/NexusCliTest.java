package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NexusCliTest {

    @TempDir
    Path tmp;

    @Test
    void configCheckOfAValidFileExitsZero() throws Exception {
        Path f = Files.writeString(tmp.resolve("ok.yaml"), "tickDuration: 250ms\nlevel: monitoring\nprotect: [sshd]\n");
        assertThat(CliRun.nexus("config", "check", f.toString()).assertExit(ExitCodes.OK).out()).contains("valid");
    }

    @Test
    void configCheckOfABadFileExitsTwoWithOneLinePerProblem() throws Exception {
        Path f = Files.writeString(tmp.resolve("bad.yaml"),
                "tickDuration: -5s\nlevle: 3\nmaxBusQueue: lots\nenableAct: maybe\n");
        List<String> lines = CliRun.nexus("config", "check", f.toString()).assertExit(ExitCodes.USAGE).err()
                .lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad.yaml:1").contains("tickDuration").contains("-5s"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad.yaml:2").contains("levle").contains("did you mean 'level'"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad.yaml:3").contains("maxBusQueue").contains("whole number"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad.yaml:4").contains("enableAct").contains("true or false"));
    }

    @Test
    void configCheckOfAMissingFileExitsTwo() {
        CliRun run = CliRun.nexus("config", "check", tmp.resolve("nope.yaml").toString()).assertExit(ExitCodes.USAGE);
        assertThat(run.err()).contains("does not exist");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun.nexus("run", "--no-such-flag").assertExit(ExitCodes.USAGE);
    }

    @Test
    void versionPrintsTheVersionAndJava() {
        assertThat(CliRun.nexus("version").assertExit(ExitCodes.OK).out()).startsWith("nexus ")
                .contains("java " + System.getProperty("java.version"));
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("run", "demo", "status", "config", "version")) {
            assertThat(CliRun.nexus(cmd, "--help").assertExit(ExitCodes.OK).out()).as(cmd)
                    .contains("Usage: nexus " + cmd);
        }
    }

    @Test
    void runForABoundedTimeWritesEventsAndAStatusThatStatusReads() throws Exception {
        CliRun.nexus("run", "--duration", "1200ms", "--tick", "200ms", "--quiet", "--data-dir", tmp.toString())
                .assertExit(ExitCodes.OK);
        List<String> events = Files.readAllLines(tmp.resolve("events.jsonl"));
        ObjectMapper json = new ObjectMapper();
        assertThat(events).isNotEmpty();
        List<String> types = events.stream().map(l -> {
            try {
                return (String) json.readValue(l, Map.class).get("type");
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + l, e);
            }
        }).toList();
        assertThat(types).contains("engine.start", "state.transition", "engine.stop");
        // the agent stopped, so status reports the last known state and exit code 3
        CliRun status = CliRun.nexus("status", "--data-dir", tmp.toString()).assertExit(ExitCodes.NOT_RUNNING);
        assertThat(status.out()).contains("not running").contains("level");
    }

    @Test
    void invalidOverrideIsReportedAndNothingRuns() {
        CliRun run = CliRun.nexus("run", "--level", "eleven", "--data-dir", tmp.toString()).assertExit(ExitCodes.USAGE);
        assertThat(run.err()).contains("level").contains("eleven");
        assertThat(tmp.resolve("events.jsonl")).doesNotExist();
    }
}
