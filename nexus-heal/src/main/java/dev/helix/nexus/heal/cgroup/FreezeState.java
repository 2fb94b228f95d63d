package dev.helix.nexus.heal.cgroup;

/** Freezer state of a cgroup, as read back from the kernel (v1 {@code freezer.state}, v2 {@code cgroup.events}). */
public enum FreezeState {
    /** Running normally. */
    THAWED,
    /** Freeze requested, not yet complete. */
    FREEZING,
    /** Every task is frozen. */
    FROZEN
}
