package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.spi.TelemetrySnapshot;

/**
 * What the Sense domain saw in one tick, sent to Understand: the latest value of every series.
 *
 * @param telemetry       the values (valid during the tick that sent it)
 * @param timestampMillis when
 */
public record Observation(TelemetrySnapshot telemetry, long timestampMillis) {
}
