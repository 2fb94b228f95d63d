package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.bus.Message;
import dev.helix.nexus.core.bus.Priority;
import dev.helix.nexus.core.event.NexusEvent;
import java.util.List;

/** What a {@link DomainHandler} sees during one tick. Valid only during that call; not thread-safe. */
public interface TickContext {

    /** The tick number, from 1. */
    long tick();

    /** The tick's wall-clock time on the engine clock. */
    long timestampMillis();

    /** The current level. */
    NexusLevel level();

    /** The configuration. */
    NexusConfig config();

    /** The domain being run. */
    Domain domain();

    /** Messages delivered to this domain this tick, highest priority first. */
    List<Message> inbox();

    /** Sends a message from this domain; routing rules apply. Returns false if the bus dropped it. */
    boolean send(Domain target, Priority priority, Object payload);

    /** Appends to the structured event log. */
    void event(NexusEvent event);

    /**
     * Reports a problem with a part of NEXUS itself (a sensor, a detector): counts against health this tick. Report it
     * in every tick it persists; the engine logs a {@code component.problem} event only when it appears or its reason
     * changes, and then as a periodic reminder, and a {@code component.recovered} event in the first tick without a
     * report (see {@link NexusEngine}).
     *
     * @param component what has the problem, e.g. {@code sensor:jvm}
     * @param reason    why, in words; a text not yet logged since the problem began is logged at once
     */
    void reportProblem(String component, String reason);
}
