package dev.helix.nexus.core.spi;

import dev.helix.nexus.core.NexusLevel;

/**
 * One concrete change NEXUS may make to the system, e.g. "set memory.max of cgroup X to 256 MiB" (plug-in point of
 * the Act domain).
 *
 * <p>Actions never run directly: the engine's safety gate checks the level, the safety rules and the action budget,
 * records an audit event before and after, and honours dry-run, then calls {@link #execute()}. Every action must be
 * reversible through {@link #revert()}; when NEXUS stops, the engine reverts what is still in effect unless the action
 * asks to be kept ({@link #revertOnStop()}).
 */
public interface Action {

    /** A short verb phrase naming the kind of action, e.g. {@code cgroup.memory.limit}. */
    String name();

    /** What is acted on; checked against the safety rules (never PID 1, never NEXUS itself, the protect-list). */
    ComponentId target();

    /** The lowest level at which this action may run ({@link NexusLevel#CORRECTION} or higher). */
    NexusLevel requiredLevel();

    /** The exact change, in words, as logged in dry-run mode and in the audit log. */
    String describe();

    /** Makes the change, verifies it took effect, and reports honestly. */
    ActionResult execute() throws Exception;

    /** Undoes the change made by {@link #execute()}; reports failure if it cannot. */
    ActionResult revert() throws Exception;

    /**
     * Whether this action is undone when NEXUS stops. Restrictive changes such as limits, freezes and quarantines are
     * undone when NEXUS stops (the default, {@code true}); repairs such as rollbacks, restarts and reconstructions are
     * kept ({@code false}), since undoing them would put the broken state back. An action that returns {@code false}
     * can still be reverted explicitly; only the stop-time "revert everything" skips it (logged as
     * {@code action.kept}).
     */
    default boolean revertOnStop() {
        return true;
    }
}
