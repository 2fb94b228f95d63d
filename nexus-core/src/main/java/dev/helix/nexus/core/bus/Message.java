package dev.helix.nexus.core.bus;

import dev.helix.nexus.core.Domain;
import java.util.Objects;

/**
 * One message on the bus.
 *
 * @param source          the sending domain
 * @param target          the receiving domain
 * @param priority        delivery and drop order
 * @param timestampMillis when it was sent, on the engine clock
 * @param payload         what it carries (an observation, anomaly, prediction, decision, action result...)
 */
public record Message(Domain source, Domain target, Priority priority, long timestampMillis, Object payload) {
    public Message {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(payload, "payload");
    }
}
