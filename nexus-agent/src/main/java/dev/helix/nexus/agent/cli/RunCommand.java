package dev.helix.nexus.agent.cli;

import dev.helix.nexus.agent.Agent;
import dev.helix.nexus.agent.internal.StatusFile;
import dev.helix.nexus.core.InvalidConfigException;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.event.EventCategory;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nexus run}: the agent. Starts the engine from a configuration, logs events (JSON lines in the data
 * directory, and the important ones on the console), and stops cleanly on SIGINT or SIGTERM, reverting every action
 * still in effect.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the NEXUS agent until interrupted (Ctrl-C / SIGTERM stop it cleanly).")
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop by itself after this long (default: run until stopped).")
    String duration;

    @Option(names = "--quiet", description = "Print no events on the console (they still go to the event log).")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NexusConfig config;
        Duration limit;
        try {
            config = options.load(List.of());
            limit = duration == null ? null : dev.helix.nexus.core.Durations.parse(duration);
        } catch (InvalidConfigException e) {
            ConfigOptions.report(e, err);
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException e) {
            err.println("nexus: --duration: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        for (dev.helix.nexus.core.ConfigProblem p : dev.helix.nexus.core.SenseTargets.overrideProblems()) {
            // the override is read by the sensor providers: the entry's sensor will be FAILED naming it
            err.println("nexus: warning: " + p + " (its sensor will be FAILED)");
        }
        NexusEngine engine = Agent.create(config, EngineClock.system(),
                quiet ? null : new ConsoleEvents(out, EnumSet.of(EventCategory.DETECTION, EventCategory.PREDICTION,
                        EventCategory.DECISION, EventCategory.ACTION, EventCategory.ENGINE, EventCategory.OBSERVATION)),
                b -> Wiring.standard(b, config));
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            engine.stop();
            try {
                finished.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "nexus-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("nexus %s: running at level %s, tick %s, %d sensors; events in %s (Ctrl-C to stop)%n",
                VersionCommand.version(), config.level().name().toLowerCase(), dev.helix.nexus.core.Durations.format(config.tickDuration()),
                engine.sense().sensors().size(), config.dataDir().resolve(Agent.EVENTS));
        out.flush();
        try {
            engine.start();
            long maxTicks = limit == null ? 0 : Math.max(1, limit.toNanos() / config.tickDuration().toNanos());
            engine.runLoop(maxTicks);
        } finally {
            engine.close();
            try {
                new StatusFile(config.dataDir(), () -> engine).write(engine.status());
            } catch (java.io.IOException e) {
                err.println("nexus: cannot write the final status to " + config.dataDir() + ": " + e.getMessage());
            }
            out.printf("nexus: stopped after %d ticks (%d overruns)%n", engine.tickStats().ticks(), engine.tickStats().overruns());
            out.flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting because of a signal; the hook is running and waits on 'finished'
            }
        }
        return ExitCodes.OK;
    }
}
