package dev.helix.nexus.core.event;

/**
 * Where events go. Implementations are thread-safe; {@link #append} never throws for I/O trouble (it reports it once
 * on stderr and keeps counting failed writes) so that logging can never stop the engine.
 */
public interface EventLog extends AutoCloseable {

    /** Records one event. */
    void append(NexusEvent event);

    /** Pushes buffered events to durable storage. */
    default void flush() {
    }

    @Override
    default void close() {
        flush();
    }

    /** A log that discards everything. */
    static EventLog discarding() {
        return e -> { };
    }
}
