package dev.helix.nexus.core.spi;

/**
 * Receives the samples a {@link Sensor} produces during one tick.
 *
 * <p>Implementations used on the tick path must not allocate per sample after warm-up. A sink is used by one
 * thread at a time (the tick thread) unless an implementation says otherwise.
 */
@FunctionalInterface
public interface MetricSink {

    /**
     * Records one sample.
     *
     * @param key             the series
     * @param value           the sample value; NaN means "no value this tick" and is recorded as a gap
     * @param timestampMillis wall-clock time of the sample, milliseconds since the epoch
     */
    void record(MetricKey key, double value, long timestampMillis);
}
