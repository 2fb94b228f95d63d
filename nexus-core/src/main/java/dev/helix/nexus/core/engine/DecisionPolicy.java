package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.spi.Action;
import java.util.List;

/**
 * Chooses actions from what Reason found this tick (anomalies, predictions, patterns). Plug-in point of the Decide
 * domain; the default policy proposes nothing.
 */
@FunctionalInterface
public interface DecisionPolicy {

    /**
     * @param findings the payloads delivered to Decide this tick, highest priority first
     * @return the actions to propose, each with its reason in {@link Action#describe()}
     */
    List<Action> decide(List<Object> findings, TickContext ctx);

    /** A policy that never acts. */
    static DecisionPolicy none() {
        return (f, c) -> List.of();
    }
}
