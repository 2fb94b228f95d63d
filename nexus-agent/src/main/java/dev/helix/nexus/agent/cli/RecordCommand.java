package dev.helix.nexus.agent.cli;

import dev.helix.nexus.agent.Agent;
import dev.helix.nexus.core.Durations;
import dev.helix.nexus.core.InvalidConfigException;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.telemetry.TelemetryRecorder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nexus record}: reads every discovered sensor once per {@code --interval} for {@code --duration} and writes each
 * sample as {@code name{labels} value timestampMillis} (the {@link TelemetryRecorder} format, all samples of one
 * reading sharing one timestamp), for {@code nexus replay}. Changes nothing on the machine.
 */
@Command(name = "record", mixinStandardHelpOptions = true,
        description = "Record every metric NEXUS senses to a file, for 'nexus replay'.")
public final class RecordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** {@code -c FILE} and {@code --set}: the sensing keys ({@code jvmTargets}, {@code scrapeTargets}) apply here too. */
    @Mixin
    ConfigFileOptions configFile = new ConfigFileOptions();

    @Option(names = "--duration", defaultValue = "30s", paramLabel = "DURATION", description = "How long to record (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION", description = "Time between readings (default ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The recording to write (replaced if it exists).")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration total = DurationOption.positive(err, "--duration", duration);
        Duration every = DurationOption.positive(err, "--interval", interval);
        if (total == null || every == null) {
            return ExitCodes.USAGE;
        }
        long readings = Math.max(1, total.toNanos() / every.toNanos());
        NexusConfig config;
        try {
            config = configFile.load(List.of(), List.of());
        } catch (InvalidConfigException e) {
            ConfigOptions.report(e, err);
            return ExitCodes.USAGE;
        }
        List<Sensor> sensors = Agent.discoverSensors(config);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            err.println("nexus: --out: directory " + parent + " does not exist");
            return ExitCodes.USAGE;
        }
        long lastTs = Long.MIN_VALUE;
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
             TelemetryRecorder recorder = new TelemetryRecorder(w)) {
            w.write("# nexus recording: " + sensors.size() + " sensors, interval " + Durations.format(every) + "\n");
            long next = System.nanoTime();
            for (long i = 0; i < readings; i++) {
                long now = System.currentTimeMillis();
                if (now <= lastTs) {
                    now = lastTs + 1; // readings must have distinct, increasing timestamps to stay separate ticks
                }
                lastTs = now;
                for (Sensor s : sensors) {
                    try {
                        s.sample(recorder, now);
                    } catch (UncheckedIOException e) {
                        throw e.getCause();
                    } catch (Exception | LinkageError | InternalError e) { // as the engine's Sense domain does
                        err.println("nexus: sensor " + s.name() + " failed: " + e);
                    }
                }
                recorder.flush();
                next += every.toNanos();
                long wait = next - System.nanoTime();
                if (i + 1 < readings && wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            stdout.printf("recorded %d readings, %d samples from %d sensors to %s%n", readings, recorder.written(),
                    sensors.size(), out);
        } catch (IOException e) {
            err.println("nexus: cannot write " + out + ": " + e.getMessage());
            return ExitCodes.FAILURE;
        } finally {
            sensors.forEach(Sensor::close);
        }
        stdout.flush();
        return ExitCodes.OK;
    }
}
