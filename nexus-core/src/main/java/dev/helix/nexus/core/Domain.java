package dev.helix.nexus.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * The seven cognitive domains a tick runs through, in order, and the routing rule of the bus between them:
 * Sense → Understand → Reason → Decide → Act along the main line; Understand, Reason, Decide and Act may also write
 * to Memory; any domain may write to Reflect.
 */
public enum Domain {
    SENSE, UNDERSTAND, REASON, DECIDE, ACT, MEMORY, REFLECT;

    private Set<Domain> targets;

    static {
        SENSE.targets = EnumSet.of(UNDERSTAND, REFLECT);
        UNDERSTAND.targets = EnumSet.of(REASON, MEMORY, REFLECT);
        REASON.targets = EnumSet.of(DECIDE, MEMORY, REFLECT);
        DECIDE.targets = EnumSet.of(ACT, MEMORY, REFLECT);
        ACT.targets = EnumSet.of(MEMORY, REFLECT);
        MEMORY.targets = EnumSet.of(REFLECT);
        REFLECT.targets = EnumSet.of(REFLECT);
    }

    /** True when this domain may send a message to {@code target}. */
    public boolean maySendTo(Domain target) {
        return targets.contains(target);
    }

    /** The domains this one may send to. */
    public Set<Domain> targets() {
        return EnumSet.copyOf(targets);
    }
}
