package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.checkpoint.CheckpointStore;
import dev.helix.nexus.heal.component.ManagedComponent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The ladder for an in-JVM component: RESTRICT = fewer concurrent calls (bulkhead); LIMIT = calls-per-second limit;
 * MONITOR = no change; ISOLATE = breaker forced open, the fallback serves; REPLACE = keep the fallback serving and roll
 * the component's state back to its last-known-safe checkpoint (when a {@link CheckpointStore} holds it under the
 * component's name). REPLACE is a heal and is not undone on release; release undoes the other steps.
 *
 * <p>Immutable and thread-safe; fresh actions on every call.
 */
public final class JvmQuarantinePlan implements QuarantinePlan {

    private final ManagedComponent<?> component;
    private final int maxConcurrentCalls;
    private final int callsPerSecond;
    private final CheckpointStore checkpoints;
    private final BooleanSupplier healthy;

    /**
     * @param checkpoints where the component's state is checkpointed, or null
     * @param healthy     the health signal; null uses the component's own health check
     */
    public JvmQuarantinePlan(ManagedComponent<?> component, int maxConcurrentCalls, int callsPerSecond,
                             CheckpointStore checkpoints, BooleanSupplier healthy) {
        this.component = Objects.requireNonNull(component);
        this.maxConcurrentCalls = maxConcurrentCalls;
        this.callsPerSecond = callsPerSecond;
        this.checkpoints = checkpoints;
        this.healthy = healthy == null ? component::primaryHealthy : healthy;
    }

    @Override
    public List<Action> actionsFor(QuarantineState step) {
        return switch (step) {
            case RESTRICT -> List.of(component.limitConcurrencyAction(maxConcurrentCalls));
            case LIMIT -> List.of(component.limitRateAction(callsPerSecond));
            case MONITOR -> List.of();
            case ISOLATE -> List.of(component.isolateAction("quarantine: still misbehaving"));
            case REPLACE -> List.of(replace());
            default -> throw new IllegalArgumentException("no actions for " + step);
        };
    }

    private Action replace() {
        return new Action() {
            @Override
            public String name() {
                return "jvm.replace";
            }

            @Override
            public ComponentId target() {
                return component.id();
            }

            @Override
            public NexusLevel requiredLevel() {
                return NexusLevel.HEALING;
            }

            @Override
            public String describe() {
                return "keep " + component.name() + " on its fallback and roll its state back to the last-known-safe"
                        + " checkpoint";
            }

            @Override
            public ActionResult execute() {
                component.isolate();
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("serving", component.serving().name());
                if (component.spec().fallback() != null && component.serving() != ManagedComponent.Serving.FALLBACK) {
                    return ActionResult.failed("fallback not serving: " + component.serving());
                }
                if (checkpoints != null && checkpoints.components().contains(component.name())) {
                    ActionResult r = checkpoints.rollback(component.name(), CheckpointStore.Target.LAST_KNOWN_SAFE);
                    if (!r.succeeded()) {
                        return r;
                    }
                    ev.put("rollback", r.detail());
                }
                return ActionResult.succeeded(component.name() + " replaced by its fallback", ev);
            }

            @Override
            public ActionResult revert() {
                return ActionResult.skipped("a heal is not undone; release restores the primary via the isolate step");
            }
        };
    }

    @Override
    public boolean healthy() {
        return healthy.getAsBoolean();
    }
}
