package dev.helix.nexus.heal.quarantine;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of one quarantine. The ladder RESTRICT → LIMIT → MONITOR → ISOLATE → REPLACE is climbed one rung at a
 * time while the component keeps misbehaving; REPLACE may repeat (another restart) within the restart policy. Any
 * active state may end in RELEASED (healthy long enough, max duration, or by hand); GAVE_UP (restart intensity
 * exceeded) stops escalating but keeps every restriction in effect until released.
 */
public enum QuarantineState {
    RESTRICT, LIMIT, MONITOR, ISOLATE, REPLACE, RELEASED, GAVE_UP;

    /** The states reachable from this one. */
    public Set<QuarantineState> legalNext() {
        return switch (this) {
            case RESTRICT -> EnumSet.of(LIMIT, RELEASED, GAVE_UP);
            case LIMIT -> EnumSet.of(MONITOR, RELEASED, GAVE_UP);
            case MONITOR -> EnumSet.of(ISOLATE, RELEASED, GAVE_UP);
            case ISOLATE -> EnumSet.of(REPLACE, RELEASED, GAVE_UP);
            case REPLACE -> EnumSet.of(REPLACE, RELEASED, GAVE_UP);
            case GAVE_UP -> EnumSet.of(RELEASED);
            case RELEASED -> EnumSet.noneOf(QuarantineState.class);
        };
    }

    /** True while the quarantine holds (GAVE_UP keeps its restrictions until released). */
    public boolean active() {
        return this != RELEASED;
    }

    /** The next rung of the ladder (REPLACE stays REPLACE); only for active states. */
    public QuarantineState escalation() {
        return switch (this) {
            case RESTRICT -> LIMIT;
            case LIMIT -> MONITOR;
            case MONITOR -> ISOLATE;
            case ISOLATE, REPLACE -> REPLACE;
            default -> throw new IllegalStateException(this + " does not escalate");
        };
    }
}
