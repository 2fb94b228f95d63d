package dev.helix.nexus.agent.cli;

import dev.helix.nexus.agent.Agent;
import dev.helix.nexus.core.Durations;
import dev.helix.nexus.core.InvalidConfigException;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TelemetryStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nexus metrics}: prints every metric NEXUS senses as Prometheus text lines {@code name{labels} value}, one per
 * series. Rates need two readings, so the sensors are read twice, {@code --interval} apart, before the first print.
 *
 * <p>Label values are escaped as {@link dev.helix.nexus.core.spi.MetricKey#appendTo(StringBuilder)} defines
 * (backslash, double quote, line feed as the exposition format asks, and carriage return as {@code \r} so that every
 * series stays on one line; other characters are written as they are).
 *
 * <p>Time comes from the {@link EngineClock} (the system clock unless a test injects one): samples are stamped with
 * its wall time and the wait between readings is its {@link EngineClock#sleepNanos}. Not thread-safe (one run).
 */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = "Print every current metric as Prometheus text (name{labels} value), once or every interval.")
public final class MetricsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** {@code -c FILE} and {@code --set}: the sensing keys ({@code jvmTargets}, {@code scrapeTargets}) apply here too. */
    @Mixin
    ConfigFileOptions configFile = new ConfigFileOptions();

    @Option(names = "--once", description = "Print once and exit (default: print every interval until interrupted).")
    boolean once;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION", description = "Time between readings (default ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--health", description = "Also print each sensor's health as comments.")
    boolean health;

    /** The clock readings are stamped and paced with; tests inject a manual one. */
    EngineClock clock = EngineClock.system();

    /** Where the sensors come from; tests inject their own. */
    Function<NexusConfig, List<Sensor>> sensorSource = Agent::discoverSensors;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Duration every;
        try {
            every = Durations.parse(interval);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("nexus: --interval: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (every.isNegative() || every.isZero()) {
            spec.commandLine().getErr().println("nexus: --interval must be positive, got " + interval);
            return ExitCodes.USAGE;
        }
        NexusConfig config;
        try {
            config = configFile.load(List.of(), List.of());
        } catch (InvalidConfigException e) {
            ConfigOptions.report(e, spec.commandLine().getErr());
            return ExitCodes.USAGE;
        }
        List<Sensor> sensors = sensorSource.apply(config);
        TelemetryStore store = new TelemetryStore();
        try {
            sampleAll(sensors, store, clock.wallMillis());
            do {
                clock.sleepNanos(every.toNanos());
                sampleAll(sensors, store, clock.wallMillis());
                if (health) {
                    for (Sensor s : sensors) {
                        SensorHealth h = s.health();
                        out.printf("# sensor %s %s %s %s%n", s.name(), h.status(), h.source(), h.reason());
                    }
                }
                store.writePrometheusText(out);
                out.flush();
            } while (!once);
        } finally {
            sensors.forEach(Sensor::close);
        }
        return ExitCodes.OK;
    }

    private static void sampleAll(List<Sensor> sensors, TelemetryStore store, long now) {
        for (Sensor s : sensors) {
            try {
                s.sample(store, now);
            } catch (Exception | LinkageError | InternalError e) { // as the engine's Sense domain does
                System.err.println("nexus: sensor " + s.name() + " failed: " + e);
            }
        }
    }
}
