package dev.helix.nexus.heal.decide;

import dev.helix.nexus.core.spi.ComponentId;

import java.util.Objects;

/**
 * A pattern Reason attributed to one component (e.g. "memory leak", "crash loop"); a finding payload the
 * {@link ManagedQuarantinePolicy} understands besides {@link dev.helix.nexus.core.engine.Anomaly}.
 *
 * @param component what it is about
 * @param pattern   the pattern's name
 * @param severe    true: act at once (no repeat count needed)
 */
public record ComponentFinding(ComponentId component, String pattern, boolean severe) {
    public ComponentFinding {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(pattern, "pattern");
    }
}
