package dev.helix.nexus.agent;

import dev.helix.nexus.agent.internal.StatusFile;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.JsonLinesEventLog;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorProvider;
import dev.helix.nexus.telemetry.store.BackgroundStoreWriter;
import dev.helix.nexus.telemetry.store.SqliteTelemetryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Assembles a NEXUS engine the way the {@code nexus} command runs it: every sensor found on the class path
 * ({@link SensorProvider} services), the event log at {@code dataDir/events.jsonl}, the embedded SQLite store at
 * {@code dataDir/nexus.db} and the status file.
 *
 * <p>The store keeps by default the last hour of raw samples, one-minute history for 30 days, every event for 30 days
 * and, in its {@code actions} table, every ACTION event (the gates' audit trail: attempts, outcomes, refusals,
 * reversals), within a 2 GiB size cap that trims the oldest history first ({@link SqliteTelemetryStore.Config}). It is
 * written by a {@link BackgroundStoreWriter} thread, never on the tick thread, which commits at least once a second:
 * a {@code kill -9} of the agent loses at most what was recorded in the last ~1.2 s (one or two ticks at the default
 * tick) and never corrupts the file ({@code AgentKillTest} kills a real agent to check it).
 */
public final class Agent {

    /** Event log file name inside the data directory. */
    public static final String EVENTS = "events.jsonl";
    /** Embedded SQLite store (samples, downsampled history, events) inside the data directory. */
    public static final String STORE = "nexus.db";

    private Agent() {
    }

    /** Every sensor the service-loaded providers offer for this configuration. */
    public static List<Sensor> discoverSensors(NexusConfig config) {
        List<Sensor> out = new ArrayList<>();
        for (SensorProvider p : ServiceLoader.load(SensorProvider.class)) {
            try {
                out.addAll(p.create(config));
            } catch (RuntimeException | LinkageError e) {
                System.err.println("nexus: sensor provider " + p.getClass().getName() + " failed: " + e);
            }
        }
        return out;
    }

    /**
     * An engine with discovered sensors, the JSON-lines event log and the status file attached.
     *
     * @param extraLog  an additional event destination (e.g. the console), or null
     * @param customize adds detectors, predictors, policies, safety checks before the engine is built
     */
    public static NexusEngine create(NexusConfig config, EngineClock clock, EventLog extraLog,
                                     Consumer<NexusEngine.Builder> customize) {
        Path dir = config.dataDir();
        AtomicReference<NexusEngine> ref = new AtomicReference<>();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir + ": " + e.getMessage(), e);
        }
        // SQLite inserts and commits cost ~15 ms per tick of 600 series: a background writer takes them off the tick
        // thread (bounded queue, oldest dropped and counted when full; committed within ~1.2 s of being recorded, and
        // drained and committed when the engine closes its logs at a clean stop)
        BackgroundStoreWriter store = BackgroundStoreWriter.start(SqliteTelemetryStore.open(dir.resolve(STORE)));
        NexusEngine.Builder b = NexusEngine.builder(config, clock)
                .sensors(discoverSensors(config))
                .eventLog(new JsonLinesEventLog(dir.resolve(EVENTS)))
                .eventLog(store)
                .telemetrySink(store)
                .handler(new StatusFile(dir, ref::get));
        if (extraLog != null) {
            b.eventLog(extraLog);
        }
        customize.accept(b);
        NexusEngine engine = b.build();
        ref.set(engine);
        return engine;
    }
}
