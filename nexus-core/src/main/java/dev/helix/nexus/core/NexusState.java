package dev.helix.nexus.core;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle state of a NEXUS engine, with its legal transitions.
 *
 * <pre>
 * UNINITIALIZED → INITIALIZING → RUNNING ⇄ PAUSED
 *                      │            ⇅   ⇅
 *                      │       DEGRADED ⇄ HEALING
 *                      ↓            ↓ (from every live state)
 *                   STOPPED ← SHUTTING_DOWN
 * </pre>
 * DEGRADED is entered when NEXUS itself misbehaves (ticks overrun their budget, a sensor or domain fails) and left when
 * it recovers; HEALING while a healing action runs. STOPPED is final.
 */
public enum NexusState {
    UNINITIALIZED,
    INITIALIZING,
    RUNNING,
    PAUSED,
    DEGRADED,
    HEALING,
    SHUTTING_DOWN,
    STOPPED;

    private Set<NexusState> next;

    static {
        UNINITIALIZED.next = EnumSet.of(INITIALIZING);
        INITIALIZING.next = EnumSet.of(RUNNING, SHUTTING_DOWN, STOPPED);
        RUNNING.next = EnumSet.of(PAUSED, DEGRADED, HEALING, SHUTTING_DOWN);
        PAUSED.next = EnumSet.of(RUNNING, SHUTTING_DOWN);
        DEGRADED.next = EnumSet.of(RUNNING, PAUSED, HEALING, SHUTTING_DOWN);
        HEALING.next = EnumSet.of(RUNNING, DEGRADED, SHUTTING_DOWN);
        SHUTTING_DOWN.next = EnumSet.of(STOPPED);
        STOPPED.next = EnumSet.noneOf(NexusState.class);
        for (NexusState s : values()) {
            s.next = Collections.unmodifiableSet(s.next);
        }
    }

    /** The states this state may move to. */
    public Set<NexusState> legalNext() {
        return next;
    }

    /** True when {@code target} may follow this state. */
    public boolean canMoveTo(NexusState target) {
        return next.contains(target);
    }

    /** True in the states where the tick loop runs its domains (RUNNING, DEGRADED, HEALING). */
    public boolean isActive() {
        return this == RUNNING || this == DEGRADED || this == HEALING;
    }
}
