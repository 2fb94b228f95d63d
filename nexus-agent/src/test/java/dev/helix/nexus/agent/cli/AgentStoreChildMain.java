package dev.helix.nexus.agent.cli;

import dev.helix.nexus.agent.Agent;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.spi.MetricKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The child of {@link AgentKillTest}: the engine exactly as {@code nexus run} assembles it ({@link Agent#create} with
 * {@link Wiring#standard}, every sensor on the class path, the SQLite store behind its background writer), ticking on
 * the system clock every {@code tickMillis} until it is killed. After each tick it prints
 * {@code tick <n> <wallMillis> <ts>:<series>[,<ts>:<series>...]}: the distinct series the tick recorded per sample
 * timestamp (counted by an extra sample sink, which sees every sample after the store's sink).
 *
 * <p>Arguments: data directory, tick in milliseconds, and optionally {@code nosense} to run with the Sense domain off
 * (no samples at all: only the engine's events reach the store).
 */
public final class AgentStoreChildMain {

    private AgentStoreChildMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long tickMillis = Long.parseLong(args[1]);
        boolean sense = !(args.length > 2 && args[2].equals("nosense"));
        NexusConfig config = NexusConfig.builder().dataDir(dir).tickDuration(Duration.ofMillis(tickMillis))
                .enableSense(sense).build();
        Map<Long, Set<MetricKey>> recorded = new HashMap<>();
        NexusEngine engine = Agent.create(config, EngineClock.system(), null, b -> {
            Wiring.standard(b, config);
            b.sampleSink((key, value, ts) -> recorded.computeIfAbsent(ts, t -> new HashSet<>()).add(key));
        });
        engine.start();
        long next = System.nanoTime();
        for (long n = 1; ; n++) {
            recorded.clear();
            engine.tick();
            StringBuilder line = new StringBuilder("tick ").append(n).append(' ').append(System.currentTimeMillis())
                    .append(' ');
            recorded.forEach((ts, keys) -> line.append(ts).append(':').append(keys.size()).append(','));
            line.setLength(line.length() - 1);
            System.out.println(line);
            System.out.flush();
            next += tickMillis * 1_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
        }
    }
}
