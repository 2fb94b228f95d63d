package dev.helix.nexus.core.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A forecast that a component will fail within a horizon.
 *
 * @param kind          what failure is predicted, e.g. {@code OOM}, {@code DEADLOCK}, {@code RESOURCE_EXHAUSTION}
 * @param component     what will fail
 * @param probability   P(failure within {@code horizon}), in [0, 1]
 * @param horizon       the window the probability refers to
 * @param timeToFailure best estimate of the time left, or {@code null} when unknown
 * @param evidence      named values that support the prediction
 */
public record Prediction(String kind, ComponentId component, double probability, Duration horizon,
                         Duration timeToFailure, Map<String, Object> evidence) {

    public Prediction {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(horizon, "horizon");
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be in [0,1], got " + probability);
        }
        evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
    }
}
