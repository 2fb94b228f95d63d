package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.NexusState;
import dev.helix.nexus.core.bus.BusStats;
import dev.helix.nexus.core.spi.SensorHealth;
import java.util.Map;

/**
 * A snapshot of a running engine, as shown by {@code nexus status}.
 *
 * @param state         lifecycle state
 * @param level         current level
 * @param startedMillis when the engine started
 * @param nowMillis     when the snapshot was taken
 * @param ticks         timing
 * @param bus           bus counters
 * @param sensors       health of each sensor by name
 * @param series        how many time series have a value
 * @param anomalies     anomalies detected so far
 * @param pid           the engine's process id
 */
public record EngineStatus(NexusState state, NexusLevel level, long startedMillis, long nowMillis, TickStats ticks,
                           BusStats bus, Map<String, SensorHealth> sensors, int series, long anomalies, long pid) {
    public EngineStatus {
        sensors = Map.copyOf(sensors);
    }
}
