package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.TelemetrySnapshot;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The latest value of each series: a {@link MetricSink} that keeps one slot per key (allocation-free once a key has
 * been seen) and a {@link TelemetrySnapshot} over them. Not thread-safe: the tick thread writes and reads it.
 */
public final class LatestValues implements MetricSink, TelemetrySnapshot {

    private final Map<MetricKey, double[]> values = new LinkedHashMap<>();

    @Override
    public void record(MetricKey key, double value, long timestampMillis) {
        double[] slot = values.get(key);
        if (slot == null) {
            values.put(key, new double[] {value});
        } else {
            slot[0] = value;
        }
    }

    @Override
    public Set<MetricKey> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    @Override
    public double latest(MetricKey key) {
        double[] slot = values.get(key);
        return slot == null ? Double.NaN : slot[0];
    }

    /** Receives a series and its latest value. */
    @FunctionalInterface
    interface LatestConsumer {
        void accept(MetricKey key, double value);
    }

    /**
     * Calls {@code action} for every series with its latest value, in the order of {@link #keys()} (first seen
     * first): what {@code keys()} followed by {@link #latest} per key gives, with no lookup. O(series), no
     * allocation. The action must not record into this table.
     */
    void forEachLatest(LatestConsumer action) {
        for (Map.Entry<MetricKey, double[]> e : values.entrySet()) {
            action.accept(e.getKey(), e.getValue()[0]);
        }
    }

    /** Number of series seen. */
    public int size() {
        return values.size();
    }
}
