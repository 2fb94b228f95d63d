package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.bus.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Short-term memory: keeps the last {@code capacity} findings and action results sent to Memory (a ring), for
 * status, the demo and later learning. Long-term storage is the event log and the telemetry store. Tick thread writes;
 * {@link #recent()} may be called from any thread.
 */
public final class MemoryDomain implements DomainHandler {

    private final Object[] ring;
    private long count;

    public MemoryDomain(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("memory capacity must be at least 1, got " + capacity);
        }
        ring = new Object[capacity];
    }

    @Override
    public Domain domain() {
        return Domain.MEMORY;
    }

    @Override
    public synchronized void onTick(TickContext ctx) {
        for (Message m : ctx.inbox()) {
            ring[(int) (count++ % ring.length)] = m.payload();
        }
    }

    /** The remembered payloads, oldest first. */
    public synchronized List<Object> recent() {
        int n = (int) Math.min(count, ring.length);
        List<Object> out = new ArrayList<>(n);
        for (long i = count - n; i < count; i++) {
            out.add(ring[(int) (i % ring.length)]);
        }
        return out;
    }

    /** Everything ever remembered, including what the ring has forgotten. */
    public synchronized long total() {
        return count;
    }
}
