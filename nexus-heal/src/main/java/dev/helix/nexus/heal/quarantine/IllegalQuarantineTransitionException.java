package dev.helix.nexus.heal.quarantine;

/** Thrown when a quarantine would move to a state not in {@link QuarantineState#legalNext()}. */
public final class IllegalQuarantineTransitionException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public IllegalQuarantineTransitionException(QuarantineState from, QuarantineState to) {
        super("illegal quarantine transition " + from + " -> " + to + "; legal next: " + from.legalNext());
    }
}
