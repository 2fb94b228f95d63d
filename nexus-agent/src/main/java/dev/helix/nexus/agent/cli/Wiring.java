package dev.helix.nexus.agent.cli;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.engine.NexusEngine;

/**
 * The standard assembly of detectors, predictors, policies and safety checks that {@code run} and {@code demo} share.
 * Each module that lands adds its part here.
 */
final class Wiring {

    private Wiring() {
    }

    static void standard(NexusEngine.Builder b, NexusConfig config) {
        // detectors, predictors and the act policy are attached here as their modules land
    }
}
