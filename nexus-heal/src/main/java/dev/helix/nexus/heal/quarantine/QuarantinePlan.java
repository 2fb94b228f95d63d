package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.spi.Action;

import java.util.List;

/**
 * What each rung of the ladder does to one component, and how to tell whether it still misbehaves. Implementations
 * create fresh {@link Action} instances on every call (actions remember what they changed, for revert).
 */
public interface QuarantinePlan {

    /** The actions for entering {@code step} (empty means "nothing to change", e.g. MONITOR). */
    List<Action> actionsFor(QuarantineState step);

    /** True when the component behaves now (read on every tick). */
    boolean healthy();
}
