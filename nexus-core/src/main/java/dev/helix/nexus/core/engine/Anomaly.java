package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.spi.MetricKey;

/**
 * An anomalous sample found by the Understand domain; sent to Reason and Memory.
 *
 * @param key             the series
 * @param value           the sample
 * @param score           the detector's score in [0, 1]
 * @param detector        which detector
 * @param timestampMillis when
 */
public record Anomaly(MetricKey key, double value, double score, String detector, long timestampMillis) {
}
