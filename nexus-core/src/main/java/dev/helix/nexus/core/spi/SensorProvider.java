package dev.helix.nexus.core.spi;

import dev.helix.nexus.core.NexusConfig;
import java.util.List;

/**
 * Service-loaded factory of sensors ({@code META-INF/services/dev.helix.nexus.core.spi.SensorProvider}), so that
 * the agent picks up every sensor on the class path without naming them.
 */
public interface SensorProvider {

    /** The sensors this provider offers on this machine for the given configuration (possibly none). */
    List<Sensor> create(NexusConfig config);
}
