package dev.helix.nexus.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("nexus.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private ConfigProblem onlyProblem(String yaml) throws IOException {
        Path f = write(yaml);
        ConfigLoader.Result r = ConfigLoader.load(f, List.of());
        assertThat(r.isValid()).isFalse();
        assertThat(r.problems()).hasSize(1);
        ConfigProblem p = r.problems().get(0);
        assertThat(p.source()).isEqualTo(f.toString());
        return p;
    }

    private static void assertProblem(ConfigProblem p, String key, String value, int line, String... messageParts) {
        assertThat(p.key()).as("key of %s", p).isEqualTo(key);
        assertThat(p.value()).as("value of %s", p).isEqualTo(value);
        assertThat(p.line()).as("line of %s", p).isEqualTo(line);
        assertThat(p.message()).as("message of %s", p).contains(messageParts);
        assertThat(p.toString()).contains(key);
        if (line > 0) {
            assertThat(p.toString()).contains(":" + line + ": ");
        }
        if (!value.isEmpty()) {
            assertThat(p.toString()).contains("'" + value + "'");
        }
    }

    @Test
    void unknownKeyIsReportedWithItsLineAndADidYouMean() throws IOException {
        ConfigProblem p = onlyProblem("level: 2\ntickDuraton: 1s\n");
        assertProblem(p, "tickDuraton", "1s", 2, "unknown key", "did you mean 'tickDuration'?");
        assertThat(p.message()).contains(String.join(", ", ConfigLoader.KEYS));
    }

    @Test
    void unknownKeyFarFromEveryKnownKeyGetsNoSuggestion() throws IOException {
        ConfigProblem p = onlyProblem("completelyUnrelatedSetting: 1\n");
        assertProblem(p, "completelyUnrelatedSetting", "1", 1, "unknown key; known keys: tickDuration");
        assertThat(p.message()).doesNotContain("did you mean");
    }

    @Test
    void stringForABooleanIsAWrongType() throws IOException {
        assertProblem(onlyProblem("enableAct: maybe\n"), "enableAct", "maybe", 1, "must be true or false, got text");
        assertProblem(onlyProblem("dryRun: \"true\"\n"), "dryRun", "true", 1, "must be true or false, got text");
        assertProblem(onlyProblem("enableSafety: 1\n"), "enableSafety", "1", 1, "must be true or false, got a number");
    }

    @Test
    void textForMaxBusQueueIsAWrongType() throws IOException {
        assertProblem(onlyProblem("# comment\nmaxBusQueue: lots\n"), "maxBusQueue", "lots", 2,
                "must be a whole number, got text");
        assertProblem(onlyProblem("maxBusQueue: 1.5\n"), "maxBusQueue", "1.5", 1, "must be a whole number, got a number");
    }

    @Test
    void listForLevelIsAWrongType() throws IOException {
        assertProblem(onlyProblem("level: [1, 2]\n"), "level", "[1,2]", 1,
                "must be 0-6 or one of disabled, monitoring", "got a list");
    }

    @Test
    void unknownLevelNamesTheAllowedLevels() throws IOException {
        assertProblem(onlyProblem("level: 9\n"), "level", "9", 1, "'9' is not a level", "0-6", "autonomous");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tickDuration: -5s|tickDuration|-5s|must be a positive duration",
        "confirmationWindow: -1s|confirmationWindow|-1s|must be a duration of zero or more",
        "tickDuration: -250ms|tickDuration|-250ms|must be a positive duration"})
    void negativeDurationsAreRefusedWithTheirLine(String line, String key, String value, String message) throws IOException {
        assertProblem(onlyProblem("level: 1\n\n" + line + "\n"), key, value, 3, message);
    }

    @Test
    void zeroTickIsRefused() throws IOException {
        assertProblem(onlyProblem("tickDuration: 0s\n"), "tickDuration", "0s", 1, "must be a positive duration");
        ConfigProblem bareZero = onlyProblem("level: 1\ntickDuration: 0\n");
        assertThat(bareZero.key()).isEqualTo("tickDuration");
        assertThat(bareZero.line()).isEqualTo(2);
        assertThat(bareZero.message()).contains("must be a positive duration");
    }

    @Test
    void tickLongerThanAnHourIsRefused() throws IOException {
        assertProblem(onlyProblem("tickDuration: 2h\n"), "tickDuration", "2h", 1, "at most 1h");
    }

    @Test
    void durationWithoutUnitIsRefused() throws IOException {
        assertProblem(onlyProblem("tickDuration: 500\n"), "tickDuration", "500", 1,
                "must be a duration with a unit such as 250ms, 1s or 2m, got a number");
        assertProblem(onlyProblem("confirmationWindow: \"30\"\n"), "confirmationWindow", "30", 1,
                "'30' is not a duration", "with a unit");
    }

    @Test
    void zeroBusQueueAndBudgetAreRefusedWithTheirLines() throws IOException {
        Path f = write("maxBusQueue: 0\nactionBudgetPerMinute: -3\n");
        List<ConfigProblem> problems = ConfigLoader.load(f, List.of()).problems();
        assertThat(problems).hasSize(2);
        assertProblem(problems.get(0), "maxBusQueue", "0", 1, "must be an integer from 1 to");
        assertProblem(problems.get(1), "actionBudgetPerMinute", "-3", 2, "at least 1");
    }

    @Test
    void malformedYamlIsOneSyntaxProblemWithItsLine() throws IOException {
        ConfigProblem p = onlyProblem("level: 2\ntickDuration: [1s, 2s\nenableAct: true\n");
        assertThat(p.key()).isEqualTo("(syntax)");
        assertThat(p.message()).startsWith("not valid YAML: ");
        assertThat(p.line()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void badIndentationIsASyntaxProblemOnItsLine() throws IOException {
        List<ConfigProblem> problems = ConfigLoader.load(write("level: 2\n  tickDuration: 1s\n"), List.of()).problems();
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.key()).isEqualTo("(syntax)");
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.message()).contains("mapping values are not allowed");
        });
    }

    @Test
    void unclosedQuoteIsOneSyntaxProblem() throws IOException {
        ConfigProblem p = onlyProblem("level: 2\ndataDir: \"/tmp/x\n");
        assertThat(p.key()).isEqualTo("(syntax)");
        assertThat(p.line()).isPositive();
    }

    @Test
    void missingFileIsOneProblemNamingTheFile() {
        Path missing = dir.resolve("nope.yaml");
        ConfigLoader.Result r = ConfigLoader.load(missing, List.of());
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(missing.toString());
            assertThat(p.key()).isEqualTo("(file)");
            assertThat(p.message()).isEqualTo("file does not exist");
            assertThat(p.toString()).startsWith(missing + ": ");
        });
        assertThatThrownBy(r::orThrow).isInstanceOf(InvalidConfigException.class).hasMessageContaining("nope.yaml");
    }

    @Test
    void aDirectoryIsNotAReadableFile() {
        ConfigLoader.Result r = ConfigLoader.load(dir, List.of());
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("(file)");
            assertThat(p.message()).contains("directory");
        });
    }

    @Test
    void aListDocumentIsNotAMapping() throws IOException {
        assertProblem(onlyProblem("- tickDuration\n- level\n"), "(document)", "", 1, "must be a mapping of key: value lines");
    }

    @Test
    void aScalarDocumentIsNotAMapping() throws IOException {
        assertProblem(onlyProblem("\njust some text\n"), "(document)", "", 2, "must be a mapping");
    }

    @Test
    void everyProblemInOneFileIsReportedAtOnceInOrder() throws IOException {
        Path f = write(String.join("\n",
                "tickDuration: -1s",
                "enableAct: yes please",
                "level: 3",
                "maxBusQueue: many",
                "levle: 4",
                "protect: sshd",
                "") );
        ConfigLoader.Result r = ConfigLoader.load(f, List.of());

        assertThat(r.problems()).extracting(ConfigProblem::key, ConfigProblem::line).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("tickDuration", 1),
                org.assertj.core.groups.Tuple.tuple("enableAct", 2),
                org.assertj.core.groups.Tuple.tuple("maxBusQueue", 4),
                org.assertj.core.groups.Tuple.tuple("levle", 5),
                org.assertj.core.groups.Tuple.tuple("protect", 6));
        assertThat(r.config().level()).as("the good key still applies").isEqualTo(NexusLevel.PREDICTION);
        assertThatThrownBy(r::orThrow)
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).isEqualTo(r.problems()))
                .hasMessageContaining("(5 problems)")
                .hasMessageContaining("did you mean 'level'");
    }

    @Test
    void emptyFileGivesTheDefaults() throws IOException {
        ConfigLoader.Result r = ConfigLoader.load(write(""), List.of());
        assertThat(r.problems()).isEmpty();
        assertThat(r.config()).isEqualTo(NexusConfig.defaults());
    }

    @Test
    void overridesApplyOverTheFile() throws IOException {
        Path f = write("level: monitoring\ntickDuration: 2s\nenableAct: true\n");
        ConfigLoader.Result r = ConfigLoader.load(f, List.of("level=autonomous", "tickDuration = 250ms",
                "enableAct=false", "protect=[sshd, 1234]", "dataDir=" + dir.resolve("data"), "maxBusQueue=77"));

        assertThat(r.problems()).isEmpty();
        NexusConfig c = r.orThrow();
        assertThat(c.level()).isEqualTo(NexusLevel.AUTONOMOUS);
        assertThat(c.tickDuration()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.enableAct()).isFalse();
        assertThat(c.protect()).containsExactly("sshd", "1234");
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.maxBusQueue()).isEqualTo(77);
    }

    @Test
    void overridesWorkWithoutAFile() {
        ConfigLoader.Result r = ConfigLoader.load(null, List.of("level=4"));
        assertThat(r.orThrow().level()).isEqualTo(NexusLevel.CORRECTION);
    }

    @Test
    void badOverridesAreReportedAsSetProblems() {
        ConfigLoader.Result r = ConfigLoader.load(null, List.of("maxBusQueue=lots", "no-equals-sign", "levle=4",
                "enableAct=maybe"));
        assertThat(r.problems()).hasSize(4).allSatisfy(p -> assertThat(p.source()).isEqualTo("--set"));
        assertProblem(r.problems().get(0), "maxBusQueue", "lots", 0, "must be a whole number");
        assertThat(r.problems().get(1).key()).isEqualTo("no-equals-sign");
        assertThat(r.problems().get(1).message()).contains("key=value");
        assertThat(r.problems().get(2).message()).contains("did you mean 'level'");
        assertProblem(r.problems().get(3), "enableAct", "maybe", 0, "must be true or false");
    }

    @Test
    void aBadOverrideIsReportedAgainstSetNotAgainstTheFileLine() throws IOException {
        Path f = write("level: 2\ntickDuration: 1s\n");
        ConfigLoader.Result r = ConfigLoader.load(f, List.of("tickDuration=-1s"));
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo("--set");
            assertThat(p.key()).isEqualTo("tickDuration");
            assertThat(p.value()).isEqualTo("-1s");
            assertThat(p.message()).contains("must be a positive duration");
        });
    }

    @Test
    void aGoodOverrideReplacesABadFileValue() throws IOException {
        Path f = write("tickDuration: -1s\n");
        assertThat(ConfigLoader.load(f, List.of("tickDuration=2s")).orThrow().tickDuration()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aMistypedOverrideLeavesTheFileValueProblemOnItsLine() throws IOException {
        Path f = write("level: 1\ntickDuration: -1s\n");
        List<ConfigProblem> problems = ConfigLoader.load(f, List.of("tickDuration=lots")).problems();
        assertThat(problems).hasSize(2);
        assertProblem(problems.get(0), "tickDuration", "lots", 0, "'lots' is not a duration");
        assertThat(problems.get(0).source()).isEqualTo("--set");
        assertProblem(problems.get(1), "tickDuration", "-1s", 2, "must be a positive duration");
        assertThat(problems.get(1).source()).isEqualTo(f.toString());
    }

    @Test
    void fullValidFileRoundTrips() throws IOException {
        Path data = dir.resolve("state");
        Path f = write(String.join("\n",
                "tickDuration: 500ms",
                "enableSense: true",
                "enableUnderstand: false",
                "enableReason: true",
                "enableDecide: false",
                "enableAct: true",
                "enableMemory: false",
                "enableReflect: true",
                "maxBusQueue: 1234",
                "enableSafety: true",
                "enableTelemetry: false",
                "level: correction",
                "confirmationWindow: 45s",
                "dryRun: true",
                "actionBudgetPerMinute: 7",
                "protect: [sshd, systemd-journald, 1]",
                "dataDir: " + data,
                ""));
        NexusConfig expected = NexusConfig.builder()
                .tickDuration(Duration.ofMillis(500))
                .enableUnderstand(false).enableDecide(false).enableMemory(false)
                .maxBusQueue(1234).enableTelemetry(false).level(NexusLevel.CORRECTION)
                .confirmationWindow(Duration.ofSeconds(45)).dryRun(true).actionBudgetPerMinute(7)
                .protect(List.of("sshd", "systemd-journald", "1")).dataDir(data).build();

        NexusConfig loaded = ConfigLoader.load(f, List.of()).orThrow();
        assertThat(loaded).isEqualTo(expected);

        // and what describe() prints reads back as the same configuration
        String described = new ObjectMapper(new YAMLFactory()).writeValueAsString(ConfigLoader.describe(loaded));
        Path again = dir.resolve("again.yaml");
        Files.writeString(again, described);
        assertThat(ConfigLoader.load(again, List.of()).orThrow()).isEqualTo(loaded);
        assertThat(ConfigLoader.describe(loaded).keySet()).containsExactlyElementsOf(ConfigLoader.KEYS);
    }

    @Test
    void parseReadsYamlText() {
        ConfigLoader.Result r = ConfigLoader.parse("level: 5\nconfirmationWindow: 0\n", "inline");
        assertThat(r.orThrow().level()).isEqualTo(NexusLevel.HEALING);
        assertThat(r.config().confirmationWindow()).isZero();
        ConfigLoader.Result bad = ConfigLoader.parse("maxBusQueue: -1\n", "inline");
        assertProblem(bad.problems().get(0), "maxBusQueue", "-1", 1, "from 1 to");
        assertThat(bad.problems()).hasSize(1);
        assertThat(bad.problems().get(0).source()).isEqualTo("inline");
    }

    @Test
    void builderRefusesAnInvalidConfigurationWithEveryProblem() {
        assertThatThrownBy(() -> NexusConfig.builder().tickDuration(Duration.ZERO).maxBusQueue(0)
                .confirmationWindow(Duration.ofSeconds(-1)).actionBudgetPerMinute(0).level(null).dataDir(null)
                .protect(List.of("ok", " ")).build())
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::key)
                        .containsExactly("tickDuration", "maxBusQueue", "level", "confirmationWindow",
                                "actionBudgetPerMinute", "protect", "dataDir"))
                .hasMessageContaining("(7 problems)");
    }

    @Test
    void defaultsAreValid() {
        assertThat(NexusConfig.defaults().validate()).isEmpty();
        assertThat(NexusConfig.defaults().toBuilder().build()).isEqualTo(NexusConfig.defaults());
    }

    @Test
    void enableTogglesEachDomain() {
        for (Domain d : Domain.values()) {
            NexusConfig c = NexusConfig.builder().enable(d, false).build();
            for (Domain other : Domain.values()) {
                assertThat(c.isEnabled(other)).isEqualTo(other != d);
            }
        }
    }

    @Test
    void problemPrintsSourceLineKeyValueAndMessage() {
        assertThat(new ConfigProblem("nexus.yaml", 3, "tickDuration", "-5s", "must be positive"))
                .hasToString("nexus.yaml:3: tickDuration = '-5s': must be positive");
        assertThat(new ConfigProblem("", 0, "level", "", "bad")).hasToString("level: bad");
    }
}
