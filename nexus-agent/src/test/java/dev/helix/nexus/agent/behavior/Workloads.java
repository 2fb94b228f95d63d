package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.detect.behavior.BehaviorClassifier;
import dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor;
import dev.helix.nexus.detect.behavior.BehaviorFeatures;
import dev.helix.nexus.detect.behavior.BehaviorSubject;
import dev.helix.nexus.detect.behavior.BehaviorVerdict;
import dev.helix.nexus.telemetry.TelemetryRecorder;
import dev.helix.nexus.telemetry.TelemetryReplay;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Test support: real workloads (stress-ng, small scripts, child JVMs) started as children and always killed with their
 * descendants; a live sampler at a fast tick whose every sample is also recorded, so the same window can be replayed
 * from the recording. Not thread-safe.
 */
final class Workloads implements AutoCloseable {

    /** stress-ng from PATH (Debian puts it in /usr/bin), or /usr/bin/stress-ng when PATH has none. */
    static final Path STRESS_NG = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .filter(d -> !d.isBlank()).map(d -> Path.of(d, "stress-ng")).filter(Files::isExecutable).findFirst()
            .orElse(Path.of("/usr/bin/stress-ng"));
    static final Duration TICK = Duration.ofMillis(250);

    private final List<Process> started = new ArrayList<>();
    private final StringWriter recording = new StringWriter();
    private final BehaviorClassifier classifier = new BehaviorClassifier();

    static void assumeStressNg() {
        assumeTrue(Files.isExecutable(STRESS_NG),
                "stress-ng is not installed (not on PATH nor in /usr/bin): run scripts/install-test-tools.sh as root");
    }

    /** Starts a child with output discarded; it is killed (with its descendants) by {@link #close}. */
    Process start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        return p;
    }

    /** A child that must print {@code ready} on its first stdout line before the test goes on (stderr discarded). */
    Process startAndAwaitReady(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        var line = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                line.complete(p.inputReader().readLine());
            } catch (IOException e) {
                line.completeExceptionally(e);
            }
        });
        try {
            String first = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(first).as("first line of %s", command).isEqualTo("ready");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("child " + command + " did not print 'ready' within " + timeout, e);
        }
        return p;
    }

    /** Samples the standard sensors (plus {@code extra}) for {@code ticks} ticks into a fresh extractor. */
    BehaviorFeatureExtractor sample(int ticks, List<Sensor> extra) throws InterruptedException {
        List<Sensor> sensors = new ArrayList<>(BehaviorSampler.standardSensors(Path.of("/proc"), 10));
        sensors.addAll(extra);
        BehaviorFeatureExtractor x = new BehaviorFeatureExtractor(ticks, 0);
        TelemetryRecorder recorder = new TelemetryRecorder(recording);
        try (BehaviorSampler s = new BehaviorSampler(sensors, x, recorder, EngineClock.system())) {
            s.run(ticks, TICK);
        }
        return x;
    }

    /** The recording of the last {@link #sample} window replayed, tick by tick, into a fresh extractor. */
    BehaviorFeatureExtractor replay(int ticks) throws IOException {
        TelemetryReplay r = TelemetryReplay.load("recording", new StringReader(recording.toString()));
        BehaviorFeatureExtractor x = new BehaviorFeatureExtractor(ticks, 0);
        while (r.remainingTicks() > 0) {
            r.sample(x, r.tickTimestamp(r.nextTick()));
        }
        return x;
    }

    /**
     * When the system property {@code nexus.behavior.saveTraces} names a directory, writes the last window's
     * recording there as {@code name.prom}, keeping only the series {@link BehaviorFeatureExtractor} reads, of the
     * host (total CPU only) and of the given subjects, under a comment header saying what it is. The committed
     * traces under {@code src/test/resources/behavior-traces/} were made this way.
     */
    void saveTraceIfAsked(String name, String what, java.util.Collection<BehaviorSubject> subjects) throws IOException {
        String dir = System.getProperty("nexus.behavior.saveTraces");
        if (dir == null || dir.isBlank()) {
            return;
        }
        Set<String> pids = new java.util.HashSet<>();
        Set<String> groups = new java.util.HashSet<>();
        for (BehaviorSubject s : subjects) {
            (s.kind() == BehaviorSubject.Kind.PROCESS ? pids : groups).add(s.id());
        }
        StringBuilder out = new StringBuilder();
        out.append("# ").append(what).append('\n');
        out.append("# recorded ").append(java.time.Instant.now()).append(" by LiveBehaviorTest on Linux ")
                .append(System.getProperty("os.version")).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, with other work running; real sensors at a ").append(TICK.toMillis())
                .append(" ms tick, filtered to the series BehaviorFeatureExtractor reads for the host and ")
                .append(subjects).append('\n');
        for (String line : recording.toString().split("\n")) {
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String metric = line.substring(0, brace >= 0 && brace < space ? brace : space);
            if (!BehaviorFeatureExtractor.METRIC_NAMES.contains(metric)) {
                continue;
            }
            String pid = label(line, "pid");
            String group = label(line, "cgroup");
            String cpu = label(line, "cpu");
            if ((pid == null || pids.contains(pid)) && (group == null || groups.contains(group))
                    && (cpu == null || cpu.equals("total"))) {
                out.append(line).append('\n');
            }
        }
        Files.createDirectories(Path.of(dir));
        Files.writeString(Path.of(dir, name + ".prom"), out);
    }

    private static String label(String line, String name) {
        String key = (line.contains("{" + name + "=\"") ? "{" : ",") + name + "=\"";
        int i = line.indexOf(key);
        if (i < 0) {
            return null;
        }
        int start = i + key.length();
        return line.substring(start, line.indexOf('"', start));
    }

    int recordingChars() {
        return recording.getBuffer().length();
    }

    List<BehaviorVerdict> verdicts(BehaviorFeatureExtractor x, BehaviorSubject s) {
        BehaviorFeatures f = x.features(s).orElseThrow(() -> new AssertionError(s + " not in the telemetry window"));
        return classifier.classify(f);
    }

    Map<BehaviorSubject, List<BehaviorVerdict>> all(BehaviorFeatureExtractor x) {
        return x.classify(classifier);
    }

    /** Waits until a condition holds or fails with {@code what}. */
    static void await(String what, Duration timeout, java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : started) {
            p.waitFor(10, TimeUnit.SECONDS);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        started.clear();
    }
}
