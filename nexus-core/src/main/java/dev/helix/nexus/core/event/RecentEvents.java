package dev.helix.nexus.core.event;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the last {@code capacity} events in memory (a ring), for status pages and demos. Thread-safe.
 */
public final class RecentEvents implements EventLog {

    private final NexusEvent[] ring;
    private long count;

    public RecentEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.ring = new NexusEvent[capacity];
    }

    @Override
    public synchronized void append(NexusEvent event) {
        ring[(int) (count % ring.length)] = event;
        count++;
    }

    /** The kept events, oldest first. */
    public synchronized List<NexusEvent> snapshot() {
        int n = (int) Math.min(count, ring.length);
        List<NexusEvent> out = new ArrayList<>(n);
        for (long i = count - n; i < count; i++) {
            out.add(ring[(int) (i % ring.length)]);
        }
        return out;
    }

    /** How many events were ever appended. */
    public synchronized long total() {
        return count;
    }
}
