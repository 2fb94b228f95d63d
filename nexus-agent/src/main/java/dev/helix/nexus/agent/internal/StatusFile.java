package dev.helix.nexus.agent.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.engine.DomainHandler;
import dev.helix.nexus.core.engine.EngineStatus;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.engine.TickContext;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Publishes the engine's status as {@code status.json} in the data directory, at most once a second, written to a
 * temporary file and renamed so readers never see half a file. Runs in the Reflect domain.
 */
public final class StatusFile implements DomainHandler {

    /** File name inside the data directory. */
    public static final String NAME = "status.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Supplier<NexusEngine> engine;
    private long lastWrite = Long.MIN_VALUE;

    public StatusFile(Path dataDir, Supplier<NexusEngine> engine) {
        this.file = dataDir.resolve(NAME);
        this.engine = engine;
    }

    @Override
    public Domain domain() {
        return Domain.REFLECT;
    }

    @Override
    public void onTick(TickContext ctx) throws IOException {
        if (ctx.timestampMillis() - lastWrite < 1000) {
            return;
        }
        lastWrite = ctx.timestampMillis();
        write(engine.get().status());
    }

    /** Writes a status now. */
    public void write(EngineStatus s) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(NAME + ".tmp");
        JSON.writeValue(tmp.toFile(), toMap(s));
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The JSON shape of a status. */
    public static Map<String, Object> toMap(EngineStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", s.pid());
        m.put("state", s.state().name());
        m.put("level", s.level().name().toLowerCase());
        m.put("levelNumber", s.level().number());
        m.put("startedMillis", s.startedMillis());
        m.put("updatedMillis", s.nowMillis());
        m.put("ticks", s.ticks().ticks());
        m.put("overruns", s.ticks().overruns());
        m.put("skippedTicks", s.ticks().skipped());
        m.put("tickP50Micros", s.ticks().p50Nanos() / 1000);
        m.put("tickP99Micros", s.ticks().p99Nanos() / 1000);
        m.put("tickBudgetMillis", s.ticks().budgetNanos() / 1_000_000);
        m.put("series", s.series());
        m.put("anomalies", s.anomalies());
        m.put("busQueued", s.bus().queued());
        m.put("busDropped", s.bus().dropped());
        Map<String, Object> sensors = new LinkedHashMap<>();
        s.sensors().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sensors.put(e.getKey(),
                e.getValue().isHealthy() ? "HEALTHY" : e.getValue().status() + ": " + e.getValue().reason()));
        m.put("sensors", sensors);
        return m;
    }

    /** Reads a status file. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(Path dataDir) throws IOException {
        return JSON.readValue(dataDir.resolve(NAME).toFile(), Map.class);
    }
}
