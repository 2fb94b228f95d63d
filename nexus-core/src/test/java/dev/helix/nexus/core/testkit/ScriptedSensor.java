package dev.helix.nexus.core.testkit;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongToDoubleFunction;

/**
 * A deterministic {@link Sensor}: on its n-th sample (from 1) it records {@code values.applyAsDouble(n)} under one key,
 * or throws when n is in the failing set. Counts its samples and whether it was closed.
 */
public final class ScriptedSensor implements Sensor {

    private final String name;
    private final MetricKey key;
    private final LongToDoubleFunction values;
    private final Set<Long> failingSamples = new TreeSet<>();
    private long samples;
    private boolean closed;
    private SensorHealth health;

    public ScriptedSensor(String name, LongToDoubleFunction values) {
        this.name = name;
        this.key = MetricKey.of("test_" + name.replace('-', '_'));
        this.values = values;
        this.health = SensorHealth.healthy(name);
    }

    /** Makes the given samples (1-based) throw. */
    public ScriptedSensor failingOn(long... sampleNumbers) {
        for (long n : sampleNumbers) {
            failingSamples.add(n);
        }
        return this;
    }

    public MetricKey key() {
        return key;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void sample(MetricSink sink, long timestampMillis) {
        samples++;
        if (failingSamples.contains(samples)) {
            health = SensorHealth.failed(name, "scripted failure on sample " + samples);
            throw new IllegalStateException("scripted failure on sample " + samples);
        }
        sink.record(key, values.applyAsDouble(samples), timestampMillis);
        health = SensorHealth.healthy(name);
    }

    @Override
    public SensorHealth health() {
        return health;
    }

    public long samples() {
        return samples;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
