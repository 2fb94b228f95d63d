package dev.helix.nexus.core.bus;

import dev.helix.nexus.core.Domain;

/** Thrown when a domain sends to a domain the routing rules do not allow. */
public final class RoutingException extends IllegalArgumentException {
    public RoutingException(Domain source, Domain target) {
        super("domain " + source + " may not send to " + target + "; it may send to " + source.targets());
    }
}
