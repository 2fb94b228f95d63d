package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.helix.nexus.agent.live.LivePatterns;
import dev.helix.nexus.detect.behavior.BehaviorPattern;
import dev.helix.nexus.detect.behavior.BehaviorSubject;
import dev.helix.nexus.detect.behavior.BehaviorVerdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code nexus patterns}: option checks (nothing is sampled when an option is bad), ranking and printing on
 * hand-made verdicts, and real runs of the sensors on this machine (the host block, the JSON form, and a CPU-hog child
 * found CpuBound).
 */
class PatternsCommandTest {

    /** "  CpuBound  confidence 0.87", the line after a block's header. */
    private static final Pattern LEAD = Pattern.compile("^  ([A-Za-z]+)  confidence (\\d+\\.\\d+)$");
    private static final Set<String> LABELS = Arrays.stream(BehaviorPattern.values()).map(LivePatterns::label)
            .collect(Collectors.toSet());

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "--window | 5          | --window",
            "--window | -1s        | --window must be positive",
            "--window | 0          | --window must be positive",
            "--tick   | fast       | --tick",
            "--tick   | 5ms        | --tick must be at least 10ms",
            "--tick   | 10s        | --tick 10s is longer than --window 5s",
            "--top    | five       | --top: 'five' is not a whole number",
            "--top    | 0          | --top must be at least 1",
            "--top    | -2         | --top must be at least 1",
            "--window | 2h         | gives 28801 samples"})
    void badOptionExitsTwoWithOneLineNamingItAndSamplesNothing(String option, String value, String message) {
        CliRun run = CliRun.nexus("patterns", option, value).assertExit(ExitCodes.USAGE);
        List<String> lines = run.err().lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("nexus: ").contains(option).contains(message).contains(value);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void procRootWithoutTelemetryFailsWithExitOneInsteadOfPrintingNothing(@TempDir Path emptyProc) {
        PatternsCommand command = new PatternsCommand();
        command.procRoot = emptyProc;
        CliRun run = CliRun.command(command, "--window", "20ms", "--tick", "10ms").assertExit(ExitCodes.FAILURE);
        assertThat(run.err()).contains(emptyProc.toString()).contains("nothing to classify");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void helpNamesTheCommand() {
        assertThat(CliRun.nexus("patterns", "--help").assertExit(ExitCodes.OK).out())
                .contains("Usage: nexus patterns").contains("--window").contains("--json");
    }

    @Test
    void selectionPutsTheHostFirstThenTheTopNProcessesAndCgroupsBySymptomThenCpu() {
        LivePatterns.Subject host = subject(BehaviorSubject.HOST, Double.NaN, verdict(BehaviorPattern.NORMAL, 1));
        LivePatterns.Subject idleBusy = subject(BehaviorSubject.process(10), 1.5, verdict(BehaviorPattern.NORMAL, 1));
        LivePatterns.Subject weakHog = subject(BehaviorSubject.process(11), 0.9,
                verdict(BehaviorPattern.NORMAL, 0.7), verdict(BehaviorPattern.CPU_BOUND, 0.3));
        LivePatterns.Subject leak = subject(BehaviorSubject.process(12), 0.01,
                verdict(BehaviorPattern.RESOURCE_LEAK, 0.9), verdict(BehaviorPattern.NORMAL, 0.1));
        LivePatterns.Subject idleQuiet = subject(BehaviorSubject.process(13), 0.0, verdict(BehaviorPattern.NORMAL, 1));
        LivePatterns.Subject unknownCpu = subject(BehaviorSubject.process(14), Double.NaN,
                verdict(BehaviorPattern.NORMAL, 1));
        LivePatterns.Subject group = subject(BehaviorSubject.cgroup("/a"), 0.2, verdict(BehaviorPattern.NORMAL, 1));
        LivePatterns.Subject pressured = subject(BehaviorSubject.cgroup("/b"), 0.1,
                verdict(BehaviorPattern.MEMORY_PRESSURE, 0.6), verdict(BehaviorPattern.NORMAL, 0.4));
        List<LivePatterns.Subject> all = List.of(unknownCpu, group, idleQuiet, leak, host, pressured, weakHog, idleBusy);

        assertThat(LivePatterns.select(all, 3)).containsExactly(host, leak, weakHog, idleBusy, pressured, group);
        assertThat(LivePatterns.select(all, Integer.MAX_VALUE))
                .containsExactly(host, leak, weakHog, idleBusy, idleQuiet, unknownCpu, pressured, group);
    }

    @Test
    void textBlockShowsTheLeadWithEvidenceAndOtherSymptomsAboveTheFloorOnly() {
        LivePatterns.Subject hog = new LivePatterns.Subject(BehaviorSubject.process(4242), "burner", 0.98, List.of(
                new BehaviorVerdict(BehaviorPattern.CPU_BOUND, 0.75, List.of("CPU busy 98%", "run queue 1.30 per core")),
                new BehaviorVerdict(BehaviorPattern.NORMAL, 0.25, List.of("strongest symptom confidence 0.75")),
                new BehaviorVerdict(BehaviorPattern.IO_BOUND, 0.2, List.of("iowait 14%", "PSI io some 16%")),
                new BehaviorVerdict(BehaviorPattern.DEADLOCK, 0.19, List.of("2 blocked threads"))));
        StringWriter text = new StringWriter();
        PatternsCommand.writeText(new PrintWriter(text, true), List.of(hog));
        assertThat(text.toString().lines().toList()).containsExactly(
                "PROCESS 4242 burner (0.98 cores)",
                "  CpuBound  confidence 0.75",
                "    CPU busy 98%",
                "    run queue 1.30 per core",
                "  also IoBound 0.20: iowait 14%; PSI io some 16%");
    }

    @Test
    void shortRealRunPrintsAHostBlockWithAPatternAndAConfidence() {
        List<String> lines = CliRun.nexus("patterns", "--window", "1s", "--tick", "250ms", "--top", "3")
                .assertExit(ExitCodes.OK).out().lines().toList();
        assertThat(lines.get(0)).startsWith("nexus patterns: 5 samples 250ms apart over 1s");
        assertThat(lines.get(1)).isEqualTo("HOST");
        Matcher m = LEAD.matcher(lines.get(2));
        assertThat(m.matches()).as("lead line of the host block: '%s'", lines.get(2)).isTrue();
        assertThat(m.group(1)).isIn(LABELS);
        assertThat(Double.parseDouble(m.group(2))).isBetween(0.0, 1.0);
        assertThat(lines.stream().filter(l -> l.startsWith("PROCESS ")).count()).isBetween(1L, 3L);
        assertThat(lines.stream().filter(l -> l.startsWith("CGROUP ")).count()).isLessThanOrEqualTo(3L);
    }

    @Test
    void jsonIsAnArrayWithTheHostFirstAndEveryVerdict() throws Exception {
        CliRun run = CliRun.nexus("patterns", "--window", "1s", "--tick", "250ms", "--top", "2", "--json")
                .assertExit(ExitCodes.OK);
        JsonNode array = new ObjectMapper().readTree(run.out());
        assertThat(array.isArray()).isTrue();
        JsonNode host = array.get(0);
        assertThat(host.get("kind").asText()).isEqualTo("host");
        assertThat(host.get("cpuCores").isNull()).isTrue();
        assertThat(BehaviorPattern.valueOf(host.get("pattern").asText())).isNotNull();
        assertThat(host.get("confidence").asDouble()).isBetween(0.0, 1.0);
        JsonNode verdicts = host.get("verdicts");
        assertThat(verdicts.size()).isGreaterThanOrEqualTo(1);
        assertThat(verdicts.get(0).get("pattern").asText()).isEqualTo(host.get("pattern").asText());
        assertThat(verdicts.get(0).get("evidence").isArray()).isTrue();
        boolean normal = false;
        for (JsonNode v : verdicts) {
            assertThat(v.get("confidence").asDouble()).isBetween(0.0, 1.0);
            assertThat(v.get("label").asText()).isIn(LABELS);
            normal |= v.get("pattern").asText().equals("NORMAL");
        }
        assertThat(normal).as("the classifier always returns Normal").isTrue();
        int processes = 0;
        for (JsonNode s : array) {
            processes += s.get("kind").asText().equals("process") ? 1 : 0;
        }
        assertThat(processes).isBetween(1, 2);
    }

    @Test
    void moreCpuHogsThanCpusAreEachClassifiedCpuBound() throws Exception {
        Path stressNg = Path.of("/usr/bin/stress-ng");
        assumeTrue(Files.isExecutable(stressNg),
                "stress-ng is not installed: run scripts/install-test-tools.sh as root for this test");
        // 1.5 hogs per CPU keep the run queue at >= 1.5 per core, the CpuBound rule's full-confidence queue
        int hogs = (3 * Runtime.getRuntime().availableProcessors() + 1) / 2;
        Process p = new ProcessBuilder(stressNg.toString(), "--cpu", Integer.toString(hogs), "--timeout", "60")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (p.children().count() < hogs) {
                assertThat(System.nanoTime()).as("stress-ng to start %d workers", hogs).isLessThan(end);
                Thread.sleep(50);
            }
            Thread.sleep(500); // the workers reach their steady state before the window opens
            Set<Long> workers = p.children().map(ProcessHandle::pid).collect(Collectors.toSet());

            String out = CliRun.nexus("patterns", "--window", "2s", "--tick", "250ms", "--all")
                    .assertExit(ExitCodes.OK).out();

            List<String> lines = out.lines().toList();
            for (long pid : workers) {
                int at = -1;
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).startsWith("PROCESS " + pid + " ")) {
                        at = i;
                    }
                }
                assertThat(at).as("block of worker %d in:%n%s", pid, out).isGreaterThanOrEqualTo(0);
                Matcher m = LEAD.matcher(lines.get(at + 1));
                assertThat(m.matches()).as("lead line of worker %d: '%s'", pid, lines.get(at + 1)).isTrue();
                assertThat(m.group(1)).as("worker %d in:%n%s", pid, out).isEqualTo("CpuBound");
                assertThat(Double.parseDouble(m.group(2))).as("confidence of worker %d", pid).isGreaterThanOrEqualTo(0.5);
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static LivePatterns.Subject subject(BehaviorSubject s, double cpu, BehaviorVerdict... verdicts) {
        return new LivePatterns.Subject(s, s.id(), cpu, List.of(verdicts));
    }

    private static BehaviorVerdict verdict(BehaviorPattern p, double confidence) {
        return new BehaviorVerdict(p, confidence, List.of(LivePatterns.label(p) + " evidence"));
    }
}
