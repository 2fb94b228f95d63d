package dev.helix.nexus.core.spi;

import java.util.List;

/**
 * Turns recent telemetry into failure predictions (plug-in point of the Reason domain).
 *
 * <p>Called once per tick from the tick thread, after the Understand domain has updated its detectors.
 */
public interface Predictor {

    /** A short stable name. */
    String name();

    /**
     * Reads what it needs from {@code telemetry} and returns the failures it predicts now (possibly none).
     *
     * @param telemetry       the latest value of each series
     * @param timestampMillis the tick time
     */
    List<Prediction> predict(TelemetrySnapshot telemetry, long timestampMillis);
}
