package dev.helix.nexus.core;

/** Thrown when a state change is not in {@link NexusState#legalNext()}. */
public final class IllegalStateTransitionException extends IllegalStateException {

    private final NexusState from;
    private final NexusState to;

    public IllegalStateTransitionException(NexusState from, NexusState to) {
        super("illegal NEXUS state transition " + from + " -> " + to + "; from " + from + " the legal next states are "
                + from.legalNext());
        this.from = from;
        this.to = to;
    }

    public NexusState from() {
        return from;
    }

    public NexusState to() {
        return to;
    }
}
