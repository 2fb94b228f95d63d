package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NexusCliTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = NexusCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void configCheckOfAValidFileExitsZero() throws Exception {
        Path f = Files.writeString(tmp.resolve("ok.yaml"), "tickDuration: 250ms\nlevel: monitoring\nprotect: [sshd]\n");
        assertThat(run("config", "check", f.toString())).isZero();
        assertThat(out.toString()).contains("valid");
    }

    @Test
    void configCheckOfABadFileExitsTwoWithOneLinePerProblem() throws Exception {
        Path f = Files.writeString(tmp.resolve("bad.yaml"),
                "tickDuration: -5s\nlevle: 3\nmaxBusQueue: lots\nenableAct: maybe\n");
        assertThat(run("config", "check", f.toString())).isEqualTo(ExitCodes.USAGE);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad.yaml:1").contains("tickDuration").contains("-5s"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad.yaml:2").contains("levle").contains("did you mean 'level'"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad.yaml:3").contains("maxBusQueue").contains("whole number"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad.yaml:4").contains("enableAct").contains("true or false"));
    }

    @Test
    void configCheckOfAMissingFileExitsTwo() {
        assertThat(run("config", "check", tmp.resolve("nope.yaml").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("does not exist");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run("run", "--no-such-flag")).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void versionPrintsTheVersionAndJava() {
        assertThat(run("version")).isZero();
        assertThat(out.toString()).startsWith("nexus ").contains("java " + System.getProperty("java.version"));
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("run", "demo", "status", "config", "version")) {
            StringWriter o = new StringWriter();
            CommandLine cl = NexusCli.commandLine();
            cl.setOut(new PrintWriter(o, true));
            assertThat(cl.execute(cmd, "--help")).as(cmd).isZero();
            assertThat(o.toString()).as(cmd).contains("Usage: nexus " + cmd);
        }
    }

    @Test
    void runForABoundedTimeWritesEventsAndAStatusThatStatusReads() throws Exception {
        assertThat(run("run", "--duration", "1200ms", "--tick", "200ms", "--quiet", "--data-dir", tmp.toString())).isZero();
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
        StringWriter o = new StringWriter();
        CommandLine cl = NexusCli.commandLine();
        cl.setOut(new PrintWriter(o, true));
        int code = cl.execute("status", "--data-dir", tmp.toString());
        assertThat(code).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(o.toString()).contains("not running").contains("level");
    }

    @Test
    void invalidOverrideIsReportedAndNothingRuns() {
        assertThat(run("run", "--level", "eleven", "--data-dir", tmp.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("level").contains("eleven");
        assertThat(tmp.resolve("events.jsonl")).doesNotExist();
    }
}
