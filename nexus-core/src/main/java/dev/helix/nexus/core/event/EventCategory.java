package dev.helix.nexus.core.event;

/** The broad sort of a {@link NexusEvent}. */
public enum EventCategory {
    /** Something sensed that matters (a source became unhealthy, a threshold crossed). */
    OBSERVATION,
    /** An anomaly or a behaviour pattern. */
    DETECTION,
    /** A predicted failure. */
    PREDICTION,
    /** What NEXUS decided to do, and why. */
    DECISION,
    /** An action proposed, started, completed, failed, skipped or reverted: the audit trail. */
    ACTION,
    /** The engine itself: state and level changes, tick overruns, bus drops, errors. */
    ENGINE
}
