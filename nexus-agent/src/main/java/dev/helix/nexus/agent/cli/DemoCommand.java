package dev.helix.nexus.agent.cli;

import dev.helix.nexus.agent.Agent;
import dev.helix.nexus.agent.demo.HealingScenario;
import dev.helix.nexus.core.InvalidConfigException;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.engine.TickStats;
import dev.helix.nexus.core.event.CompositeEventLog;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.JsonLinesEventLog;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.store.BackgroundStoreWriter;
import dev.helix.nexus.telemetry.store.SqliteTelemetryStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nexus demo}: the main job of the README. Phase 1 runs the engine on this machine for a few seconds with every
 * sensor found, and prints what it saw: each sensor's health, the series it read, anomalies, and the engine's own
 * tick timing (changes nothing: Detection level unless overridden). Phase 2 is the healing scenario
 * ({@link HealingScenario}): NEXUS starts two misbehaving children of its own (a memory leak, a CPU hog), names their
 * patterns, walks the quarantine ladder on them, heals them and leaves nothing behind; dry-run where cgroups are not
 * writable.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run NEXUS on this machine for a few seconds, then heal a leaking and a CPU-hogging child of its own.")
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--seconds", defaultValue = "3", description = "How long to sense (phase 1, default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--show", defaultValue = "25", description = "How many series to print (default ${DEFAULT-VALUE}).")
    int show;

    @Option(names = "--no-heal", description = "Skip the healing scenario (phase 2).")
    boolean noHeal;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (seconds < 1 || seconds > 3600) {
            err.println("nexus: --seconds must be from 1 to 3600, got " + seconds);
            return ExitCodes.USAGE;
        }
        NexusConfig config;
        try {
            Path dir = options.dataDir != null ? options.dataDir : Files.createTempDirectory("nexus-demo-");
            config = options.load(List.of("tickDuration=500ms", "level=detection", "dataDir=" + dir));
        } catch (InvalidConfigException e) {
            ConfigOptions.report(e, err);
            return ExitCodes.USAGE;
        }
        out.printf("NEXUS %s demo: sensing this machine for %d s at level %s (tick %s)%n", VersionCommand.version(),
                seconds, config.level().name().toLowerCase(), dev.helix.nexus.core.Durations.format(config.tickDuration()));
        NexusEngine engine = Agent.create(config, EngineClock.system(),
                new ConsoleEvents(out, EnumSet.of(EventCategory.DETECTION, EventCategory.PREDICTION,
                        EventCategory.DECISION, EventCategory.ACTION, EventCategory.OBSERVATION)),
                b -> Wiring.standard(b, config));
        out.printf("sensors found: %d%n", engine.sense().sensors().size());
        out.flush();
        try {
            engine.start();
            long ticks = Math.max(1, seconds * 1_000_000_000L / config.tickDuration().toNanos());
            engine.runLoop(ticks);
            print(out, engine, config);
        } finally {
            engine.close();
        }
        if (!noHeal) {
            out.printf("%n== healing scenario: NEXUS starts a leaking and a CPU-hogging child of its own and heals them%n");
            out.flush();
            // the scenario's audit trail goes where the agent's does: events.jsonl and the SQLite store, whose
            // actions table takes every ACTION event (the engine above is closed, so the store file is free)
            try (CompositeEventLog events = new CompositeEventLog()) {
                events.add(new JsonLinesEventLog(config.dataDir().resolve(Agent.EVENTS)));
                events.add(BackgroundStoreWriter.start(SqliteTelemetryStore.open(config.dataDir().resolve(Agent.STORE))));
                HealingScenario.Report r = new HealingScenario(out, events, HealingScenario.Timings.DEMO, options.dryRun,
                        dev.helix.nexus.core.NexusConfig.DEFAULT_DATA_DIR.resolve("demo-heal")).run();
                if (!r.clean()) {
                    err.println("nexus: the demo left something behind: " + r.leftoverCgroups() + " "
                            + r.leftoverChildren());
                    out.printf("events: %s%n", config.dataDir().resolve(Agent.EVENTS));
                    out.flush();
                    return ExitCodes.FAILURE;
                }
            }
        }
        out.printf("events: %s%n", config.dataDir().resolve(Agent.EVENTS));
        out.flush();
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, NexusEngine engine, NexusConfig config) {
        out.println();
        out.println("== sensors");
        Map<String, SensorHealth> health = new TreeMap<>(engine.sense().health());
        if (health.isEmpty()) {
            out.println("  (none on the class path: only the engine itself ran)");
        }
        health.forEach((name, h) -> out.printf("  %-22s %-8s %s%n", name, h.status(),
                h.isHealthy() ? h.source() : h.source() + ": " + h.reason()));
        var latest = engine.sense().latest();
        out.printf("%n== %d series sensed; the first %d by name:%n", latest.size(), Math.min(show, latest.size()));
        latest.keys().stream().sorted(Comparator.comparing(MetricKey::toString)).limit(show)
                .forEach(k -> out.printf("  %-60s %s%n", k, format(latest.latest(k))));
        TickStats t = engine.tickStats();
        var bus = engine.bus().stats();
        out.printf("%n== engine%n  state %s, level %s, %d ticks, tick p50 %.2f ms, p99 %.2f ms, max %.2f ms (budget %d ms), %d overruns%n",
                engine.state(), engine.level().name().toLowerCase(), t.ticks(), t.p50Nanos() / 1e6, t.p99Nanos() / 1e6,
                t.maxNanos() / 1e6, config.tickDuration().toMillis(), t.overruns());
        out.printf("  bus: %d offered, %d delivered, %d dropped; %d anomalies; %d findings remembered%n", bus.offered(),
                bus.delivered(), bus.dropped(), engine.status().anomalies(), engine.memory().total());
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format("%.4g", v);
    }
}
