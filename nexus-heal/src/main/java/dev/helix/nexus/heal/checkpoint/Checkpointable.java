package dev.helix.nexus.heal.checkpoint;

/**
 * A component whose state can be captured and put back exactly. {@link #checkpoint()} must return an independent
 * value (an immutable record or a deep copy) with a meaningful {@code equals}: rollback verifies itself by
 * checkpointing again after {@link #restore(Object)} and comparing.
 *
 * <p>Implementations decide their own thread-safety; the store calls them from the thread that asks for a checkpoint
 * or a rollback.
 *
 * @param <S> the state type
 */
public interface Checkpointable<S> {

    /** The current state, independent of later changes. */
    S checkpoint();

    /** Replaces the current state by {@code state}. */
    void restore(S state);
}
