package dev.helix.nexus.core.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Sends each event to every registered log; thread-safe, logs may be added while running. */
public final class CompositeEventLog implements EventLog {

    private final List<EventLog> logs = new CopyOnWriteArrayList<>();

    /** Adds a destination. */
    public void add(EventLog log) {
        logs.add(log);
    }

    @Override
    public void append(NexusEvent event) {
        for (EventLog l : logs) {
            try {
                l.append(event);
            } catch (RuntimeException e) {
                System.err.println("nexus: event sink " + l + " failed: " + e);
            }
        }
    }

    @Override
    public void flush() {
        logs.forEach(EventLog::flush);
    }

    @Override
    public void close() {
        logs.forEach(EventLog::close);
    }
}
