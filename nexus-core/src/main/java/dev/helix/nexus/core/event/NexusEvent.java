package dev.helix.nexus.core.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of the structured event log: what happened, when, to what, why, and the evidence.
 *
 * @param timestampMillis when, on the engine clock
 * @param category        the broad sort
 * @param type            a stable machine-readable name, e.g. {@code state.transition}, {@code action.completed}
 * @param component       what it concerns (a {@code ComponentId} string, a sensor or domain name, or {@code nexus})
 * @param reason          a human-readable sentence
 * @param evidence        named values supporting it; insertion-ordered
 */
public record NexusEvent(long timestampMillis, EventCategory category, String type, String component, String reason,
                         Map<String, Object> evidence) {

    public NexusEvent {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(type, "type");
        component = component == null ? "nexus" : component;
        reason = reason == null ? "" : reason;
        evidence = evidence == null || evidence.isEmpty()
                ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }

    /** An event without evidence. */
    public static NexusEvent of(long timestampMillis, EventCategory category, String type, String component, String reason) {
        return new NexusEvent(timestampMillis, category, type, component, reason, Map.of());
    }
}
