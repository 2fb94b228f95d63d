package dev.helix.nexus.heal.healing;

import java.util.List;

/**
 * The healing strategies, in the default escalation order. The first six repair the component and are verified by
 * its health check; {@link #QUARANTINE} and {@link #SURVIVAL_MODE} only contain the damage.
 */
public enum HealingStrategy {
    /** The component's registered reset hook, called on the live primary. */
    SOFT_RESET(true),
    /** A fresh primary from the registered factory, swapped in ({@code ManagedComponent#replacePrimary}). */
    HARD_RESTART(true),
    /** Roll the state back to the latest checkpoint. */
    MICRO_ROLLBACK(true),
    /** Roll the state back to the last-known-safe checkpoint. */
    FULL_ROLLBACK(true),
    /** Rebuild the state from the checkpoint journal on disk ({@code CheckpointStore#reconstructAction}). */
    RECONSTRUCT(true),
    /** Force the breaker open so the registered fallback serves. */
    SUBSTITUTE(true),
    /** Hand the component to the {@code QuarantineManager}. */
    QUARANTINE(false),
    /** Shed every optional feature through the {@code DegradationManager}. */
    SURVIVAL_MODE(false);

    /** Every strategy, in the order above. */
    public static final List<HealingStrategy> DEFAULT_CHAIN = List.of(values());

    private final boolean repairs;

    HealingStrategy(boolean repairs) {
        this.repairs = repairs;
    }

    /** True for strategies meant to restore health (verified by the health check), false for containment. */
    public boolean repairs() {
        return repairs;
    }
}
