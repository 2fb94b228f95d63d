package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.bus.Priority;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Prediction;
import dev.helix.nexus.core.spi.Predictor;
import dev.helix.nexus.core.spi.TelemetrySnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the predictors on the latest telemetry (at Prediction level and above) and forwards the anomalies it received
 * and the predictions it made to Decide, logging each prediction. A predictor that throws (an exception, a
 * {@link LinkageError} or an {@link InternalError}) is reported as a problem of {@code predictor:NAME} for that tick
 * and the other predictors still run. Tick thread only.
 */
public final class ReasonDomain implements DomainHandler {

    private final List<Predictor> predictors;
    private final TelemetrySnapshot telemetry;

    public ReasonDomain(List<Predictor> predictors, TelemetrySnapshot telemetry) {
        this.predictors = List.copyOf(predictors);
        this.telemetry = telemetry;
    }

    @Override
    public Domain domain() {
        return Domain.REASON;
    }

    @Override
    public void onTick(TickContext ctx) {
        for (var m : ctx.inbox()) {
            ctx.send(Domain.DECIDE, m.priority(), m.payload());
        }
        if (!ctx.level().allows(NexusLevel.Capability.PREDICT)) {
            return;
        }
        for (Predictor p : predictors) {
            List<Prediction> out;
            try {
                out = p.predict(telemetry, ctx.timestampMillis());
            } catch (RuntimeException | LinkageError | InternalError e) { // as Sense does for sensors
                ctx.reportProblem("predictor:" + p.name(), e.toString());
                continue;
            }
            for (Prediction pr : out) {
                ctx.send(Domain.DECIDE, Priority.HIGH, pr);
                ctx.send(Domain.MEMORY, Priority.NORMAL, pr);
                Map<String, Object> ev = new LinkedHashMap<>(pr.evidence());
                ev.put("probability", pr.probability());
                ev.put("horizonMillis", pr.horizon().toMillis());
                ctx.event(new NexusEvent(ctx.timestampMillis(), EventCategory.PREDICTION, "prediction." + pr.kind(),
                        pr.component().toString(), p.name() + " predicts " + pr.kind(), ev));
            }
        }
    }
}
