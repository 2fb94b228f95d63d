package dev.helix.nexus.heal.checkpoint;

/**
 * One stored state.
 *
 * @param component      the component's registered name
 * @param sequence       increasing per store
 * @param takenMillis    engine wall time
 * @param takenNanos     engine monotonic time (for max age)
 * @param knownSafe      marked as last-known-safe (taken while healthy)
 * @param state          the state
 */
public record Checkpoint<S>(String component, long sequence, long takenMillis, long takenNanos, boolean knownSafe,
                            S state) { }
