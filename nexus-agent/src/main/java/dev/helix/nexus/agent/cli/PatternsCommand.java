package dev.helix.nexus.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.helix.nexus.agent.behavior.BehaviorSampler;
import dev.helix.nexus.agent.live.LivePatterns;
import dev.helix.nexus.agent.live.LivePatterns.Subject;
import dev.helix.nexus.core.Durations;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.detect.behavior.BehaviorClassifier;
import dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor;
import dev.helix.nexus.detect.behavior.BehaviorPattern;
import dev.helix.nexus.detect.behavior.BehaviorSubject;
import dev.helix.nexus.detect.behavior.BehaviorVerdict;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nexus patterns}: samples this machine's real sensors ({@link BehaviorSampler#standardSensors}) every
 * {@code --tick} for {@code --window}, classifies the window with {@link BehaviorClassifier} and prints one block per
 * subject: the host, then the top {@code --top} processes and the top {@code --top} cgroups (every one with
 * {@code --all}). A block gives the most confident pattern with its confidence and evidence, then every other
 * non-Normal pattern with confidence at least {@link #ALSO_SHOWN} (Normal is 1 minus the strongest symptom, so it adds
 * nothing when another pattern leads). {@code --json} prints the same subjects as a JSON array with every verdict the
 * classifier returned. Changes nothing on the machine. Exit codes: 0 printed, 1 the host sensors read nothing (no
 * {@code /proc}), 2 a bad option (one line on stderr naming it; nothing is sampled).
 *
 * <p>Processes and cgroups are ranked and selected as the live agent does ({@link LivePatterns#RANKING},
 * {@link LivePatterns#select}): the confidence of their most confident non-Normal pattern, then mean CPU cores over
 * the window, then id. The pool ranked is what the process sensor reports (its top max(--top, 10) per ranking: CPU,
 * memory, threads...) and every cgroup of the mounted hierarchies.
 *
 * <p>Cost: floor(window / tick) + 1 sensor ticks (each dominated by the process scan, O(processes + threads)), then
 * O(samples × subjects) to build features and O(s log s) to rank s subjects. Not thread-safe (a picocli command runs
 * once, on one thread).
 */
@Command(name = "patterns", mixinStandardHelpOptions = true,
        description = "Sample this machine for a window and print the behaviour pattern (CpuBound, IoBound, "
                + "MemoryPressure, Thrashing, InterruptStorm, Deadlock, ResourceLeak or Normal) of the host and its "
                + "top processes and cgroups, with confidence and evidence.")
public final class PatternsCommand implements Callable<Integer> {

    /** Non-leading patterns are printed (text output) when their confidence is at least this. */
    public static final double ALSO_SHOWN = 0.2;

    /** At most this many samples per run, so that a typo such as {@code --tick 1ms --window 1h} is refused. */
    static final long MAX_SAMPLES = 10_000;

    /** Shortest tick: samples need distinct millisecond timestamps, and a process scan alone takes milliseconds. */
    static final Duration MIN_TICK = Duration.ofMillis(10);

    /** Processes the process and demand sensors report per ranking, at least (the pool the top N is chosen from). */
    static final int MIN_SENSOR_POOL = 10;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = "--window", defaultValue = "5s", paramLabel = "DURATION",
            description = "How long to sample (default ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--tick", defaultValue = "250ms", paramLabel = "DURATION",
            description = "Time between samples, at least 10ms and at most the window (default ${DEFAULT-VALUE}).")
    String tick;

    @Option(names = "--top", defaultValue = "5", paramLabel = "N",
            description = "Processes and cgroups shown, each (default ${DEFAULT-VALUE}).")
    String top;

    @Option(names = "--all", description = "Show every process and cgroup sampled, not only the top N.")
    boolean all;

    @Option(names = "--json", description = "Print a JSON array (one object per subject, every verdict) instead.")
    boolean json;

    /** Time source of the sampling: the system clock (package-private so that tests can substitute one). */
    EngineClock clock = EngineClock.system();

    /** The proc mount read by the sensors: {@code /proc} (package-private so that tests can point it elsewhere). */
    Path procRoot = Path.of("/proc");

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration w = DurationOption.positive(err, "--window", window);
        Duration t = DurationOption.positive(err, "--tick", tick);
        Integer n = count(err, "--top", top);
        if (w == null || t == null || n == null) {
            return ExitCodes.USAGE;
        }
        if (t.compareTo(MIN_TICK) < 0) {
            err.println("nexus: --tick must be at least " + Durations.format(MIN_TICK) + " (samples need distinct "
                    + "millisecond timestamps), got " + tick);
            return ExitCodes.USAGE;
        }
        if (t.compareTo(w) > 0) {
            err.println("nexus: --tick " + tick + " is longer than --window " + window + ": a window needs at least "
                    + "two samples");
            return ExitCodes.USAGE;
        }
        long samples = w.toNanos() / t.toNanos() + 1;
        if (samples > MAX_SAMPLES) {
            err.println("nexus: --window " + window + " / --tick " + tick + " gives " + samples + " samples, more than "
                    + MAX_SAMPLES + "; use a longer --tick or a shorter --window");
            return ExitCodes.USAGE;
        }

        BehaviorFeatureExtractor x = new BehaviorFeatureExtractor((int) samples, 0);
        try (BehaviorSampler sampler = new BehaviorSampler(
                BehaviorSampler.standardSensors(procRoot, Math.max(n, MIN_SENSOR_POOL)), x, null, clock)) {
            sampler.run((int) samples, t);
        }
        List<Subject> classified = LivePatterns.classify(x, new BehaviorClassifier());
        if (classified.stream().noneMatch(s -> s.subject().kind() == BehaviorSubject.Kind.HOST)) {
            err.println("nexus: patterns: the host sensors read nothing under " + procRoot
                    + " in " + samples + " samples (not Linux, or /proc not mounted?): nothing to classify");
            return ExitCodes.FAILURE;
        }
        List<Subject> shown = LivePatterns.select(classified, all ? Integer.MAX_VALUE : n);
        if (json) {
            writeJson(out, shown);
        } else {
            long processes = classified.stream().filter(s -> s.subject().kind() == BehaviorSubject.Kind.PROCESS).count();
            long cgroups = classified.stream().filter(s -> s.subject().kind() == BehaviorSubject.Kind.CGROUP).count();
            out.printf(Locale.ROOT, "nexus patterns: %d samples %s apart over %s; %d processes and %d cgroups sampled, "
                            + "%s shown%n", x.ticks(), Durations.format(t), Durations.format(t.multipliedBy(samples - 1)),
                    processes, cgroups, all ? "all" : "top " + n + " of each");
            writeText(out, shown);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * Text blocks, one per subject:
     * <pre>
     * PROCESS 4242 stress-ng (0.98 cores)
     *   CpuBound  confidence 1.00
     *     CPU busy 100%
     *     run queue 2.10 per core
     *   also IoBound 0.31: iowait 12%; PSI io some 20%
     * </pre>
     */
    static void writeText(PrintWriter out, List<Subject> subjects) {
        for (Subject s : subjects) {
            BehaviorSubject b = s.subject();
            StringBuilder head = new StringBuilder(b.kind().name());
            if (b.kind() != BehaviorSubject.Kind.HOST) {
                head.append(' ').append(b.id());
            }
            if (b.kind() == BehaviorSubject.Kind.PROCESS && !s.name().equals(b.id())) {
                head.append(' ').append(s.name());
            }
            if (!Double.isNaN(s.cpuCores())) {
                head.append(String.format(Locale.ROOT, " (%.2f cores)", s.cpuCores()));
            }
            out.println(head);
            BehaviorVerdict lead = s.verdicts().get(0);
            out.printf(Locale.ROOT, "  %s  confidence %.2f%n", LivePatterns.label(lead.pattern()), lead.confidence());
            for (String e : lead.evidence()) {
                out.println("    " + e);
            }
            for (BehaviorVerdict v : s.verdicts().subList(1, s.verdicts().size())) {
                if (v.pattern() != BehaviorPattern.NORMAL && v.confidence() >= ALSO_SHOWN) {
                    out.printf(Locale.ROOT, "  also %s %.2f: %s%n", LivePatterns.label(v.pattern()), v.confidence(),
                            String.join("; ", v.evidence()));
                }
            }
        }
    }

    /**
     * A JSON array, one object per subject: {@code kind} (host, process, cgroup), {@code id}, {@code name},
     * {@code cpuCores} (null when unknown), {@code pattern} and {@code confidence} of the most confident verdict, and
     * {@code verdicts}: every verdict, most confident first, each with {@code pattern} (the enum name, e.g.
     * {@code CPU_BOUND}), {@code label} ({@code CpuBound}), {@code confidence} and {@code evidence}.
     */
    static void writeJson(PrintWriter out, List<Subject> subjects) throws com.fasterxml.jackson.core.JsonProcessingException {
        List<Map<String, Object>> array = new ArrayList<>();
        for (Subject s : subjects) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("kind", s.subject().kind().name().toLowerCase(Locale.ROOT));
            o.put("id", s.subject().id());
            o.put("name", s.name());
            o.put("cpuCores", Double.isNaN(s.cpuCores()) ? null : s.cpuCores());
            o.put("pattern", s.verdicts().get(0).pattern().name());
            o.put("confidence", s.verdicts().get(0).confidence());
            List<Map<String, Object>> verdicts = new ArrayList<>();
            for (BehaviorVerdict v : s.verdicts()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pattern", v.pattern().name());
                m.put("label", LivePatterns.label(v.pattern()));
                m.put("confidence", v.confidence());
                m.put("evidence", v.evidence());
                verdicts.add(m);
            }
            o.put("verdicts", verdicts);
            array.add(o);
        }
        out.println(JSON.writeValueAsString(array));
    }

    private static Integer count(PrintWriter err, String option, String value) {
        int v;
        try {
            v = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            err.println("nexus: " + option + ": '" + value + "' is not a whole number");
            return null;
        }
        if (v < 1) {
            err.println("nexus: " + option + " must be at least 1, got " + value);
            return null;
        }
        return v;
    }
}
