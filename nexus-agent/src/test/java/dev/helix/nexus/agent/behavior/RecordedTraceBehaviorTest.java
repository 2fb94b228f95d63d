package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.detect.behavior.BehaviorClassifier;
import dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor;
import dev.helix.nexus.detect.behavior.BehaviorPattern;
import dev.helix.nexus.detect.behavior.BehaviorSubject;
import dev.helix.nexus.detect.behavior.BehaviorVerdict;
import dev.helix.nexus.telemetry.TelemetryReplay;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour classification against recorded traces of the real workloads of {@link LiveBehaviorTest} (committed under
 * {@code src/test/resources/behavior-traces/}, each a {@code nexus record}-format recording of 12-16 ticks at 250 ms
 * filtered to the series the extractor reads for the host and the workload's processes or cgroup; the header of each
 * says what ran). Deterministic and independent of stress-ng and of the host's current load: the verdicts the live
 * tests asserted at recording time must hold on every replay.
 */
class RecordedTraceBehaviorTest {

    private final BehaviorClassifier classifier = new BehaviorClassifier();

    /** Replays a trace, one recorded tick at a time, into an extractor whose window holds the whole trace. */
    private static BehaviorFeatureExtractor replay(String trace) throws IOException {
        String resource = "/behavior-traces/" + trace + ".prom";
        try (InputStream in = RecordedTraceBehaviorTest.class.getResourceAsStream(resource)) {
            assertThat(in).as("test resource %s", resource).isNotNull();
            TelemetryReplay r = TelemetryReplay.load(resource, new InputStreamReader(in, StandardCharsets.UTF_8), true);
            assertThat(r.tickCount()).as("ticks in %s", resource).isGreaterThanOrEqualTo(10);
            BehaviorFeatureExtractor x = new BehaviorFeatureExtractor(r.tickCount(), 0);
            while (r.remainingTicks() > 0) {
                r.sample(x, r.tickTimestamp(r.nextTick()));
            }
            return x;
        }
    }

    @ParameterizedTest(name = "{0}: every {1} subject is {2}")
    @CsvSource({
            "cpu-bound, PROCESS, CPU_BOUND",
            "resource-leak, PROCESS, RESOURCE_LEAK",
            "deadlock, PROCESS, DEADLOCK",
            "normal-jvm, PROCESS, NORMAL",
            "memory-pressure, CGROUP, MEMORY_PRESSURE",
            "thrashing, CGROUP, THRASHING",
    })
    void workloadSubjectsHaveTheirPattern(String trace, BehaviorSubject.Kind kind, BehaviorPattern expected)
            throws IOException {
        BehaviorFeatureExtractor x = replay(trace);
        Map<BehaviorSubject, List<BehaviorVerdict>> verdicts = x.classify(classifier).entrySet().stream()
                .filter(e -> e.getKey().kind() == kind)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(verdicts).as("%s subjects in %s", kind, trace).isNotEmpty();
        verdicts.forEach((s, v) -> {
            assertThat(v.get(0).pattern()).as("%s in %s: %s", s, trace, v).isEqualTo(expected);
            assertThat(v.get(0).confidence()).as("%s in %s: %s", s, trace, v).isGreaterThanOrEqualTo(0.5);
            assertThat(v.get(0).evidence()).isNotEmpty().noneMatch(e -> e.contains("NaN"));
        });
    }

    @ParameterizedTest(name = "{0}: the host is {1}")
    @CsvSource({
            "cpu-bound, CPU_BOUND",
            "io-bound, IO_BOUND",
            "interrupt-storm, INTERRUPT_STORM",
    })
    void hostShowsTheWorkloadsPattern(String trace, BehaviorPattern expected) throws IOException {
        BehaviorFeatureExtractor x = replay(trace);
        List<BehaviorVerdict> v = classifier.classify(x.features(BehaviorSubject.HOST).orElseThrow());
        BehaviorVerdict found = v.stream().filter(e -> e.pattern() == expected).findFirst()
                .orElseThrow(() -> new AssertionError(expected + " not among the host verdicts of " + trace + ": " + v));
        assertThat(found.confidence()).as("%s", v).isGreaterThanOrEqualTo(expected == BehaviorPattern.INTERRUPT_STORM
                ? 0.2 : 0.5);
        assertThat(v.indexOf(found)).as("%s ranks before NORMAL: %s", expected, v)
                .isLessThan(v.stream().map(BehaviorVerdict::pattern).toList().indexOf(BehaviorPattern.NORMAL));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"io-bound"})
    void someWriterOfTheIoTraceIsIoBound(String trace) throws IOException {
        BehaviorFeatureExtractor x = replay(trace);
        assertThat(x.classify(classifier).entrySet().stream()
                .filter(e -> e.getKey().kind() == BehaviorSubject.Kind.PROCESS)
                .filter(e -> e.getValue().get(0).pattern() == BehaviorPattern.IO_BOUND)).isNotEmpty();
    }
}
