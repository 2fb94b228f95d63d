package dev.helix.nexus.core;

import dev.helix.nexus.core.clock.EngineClock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Holds the engine's {@link NexusState} and allows only legal transitions, publishing a {@link StateTransition} to
 * every listener after each change.
 *
 * <p>Thread-safe: transitions are serialised; listeners run on the thread that made the transition, after the state
 * changed and outside the lock. A listener that throws does not stop the others.
 */
public final class NexusStateMachine {

    private final EngineClock clock;
    private final List<Consumer<StateTransition>> listeners = new CopyOnWriteArrayList<>();
    private NexusState state = NexusState.UNINITIALIZED;

    public NexusStateMachine(EngineClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The current state. */
    public synchronized NexusState state() {
        return state;
    }

    /** Registers a listener for every later transition. */
    public void addListener(Consumer<StateTransition> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Moves to {@code target}.
     *
     * @throws IllegalStateTransitionException when the move is not legal from the current state
     */
    public StateTransition transition(NexusState target, String reason) {
        StateTransition event;
        synchronized (this) {
            if (!state.canMoveTo(target)) {
                throw new IllegalStateTransitionException(state, target);
            }
            event = new StateTransition(state, target, reason, clock.wallMillis());
            state = target;
        }
        publish(event);
        return event;
    }

    /** Moves to {@code target} only if currently in {@code expected}; returns whether it moved. */
    public boolean transitionIf(NexusState expected, NexusState target, String reason) {
        StateTransition event;
        synchronized (this) {
            if (state != expected) {
                return false;
            }
            if (!state.canMoveTo(target)) {
                throw new IllegalStateTransitionException(state, target);
            }
            event = new StateTransition(state, target, reason, clock.wallMillis());
            state = target;
        }
        publish(event);
        return true;
    }

    private void publish(StateTransition event) {
        for (Consumer<StateTransition> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                // a broken listener must not break the engine; it is reported on stderr once per failure
                System.err.println("nexus: state listener failed on " + event + ": " + e);
            }
        }
    }
}
