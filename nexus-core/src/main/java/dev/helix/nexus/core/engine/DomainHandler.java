package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;

/**
 * The work one domain does in each tick. Several handlers may serve one domain; they run in registration order.
 *
 * <p>Called from the tick thread only. An exception marks the domain as failed for this tick: the engine records it,
 * goes to Degraded, and runs the remaining domains.
 */
public interface DomainHandler {

    /** The domain served. */
    Domain domain();

    /** Processes this tick's inbox and sends what follows from it. */
    void onTick(TickContext ctx) throws Exception;
}
