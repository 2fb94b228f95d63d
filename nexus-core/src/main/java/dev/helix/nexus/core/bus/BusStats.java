package dev.helix.nexus.core.bus;

/**
 * A consistent snapshot of the bus counters. Every message ever offered ends in exactly one of: still queued,
 * delivered, dropped (evicted or refused because the bus was full) or rejected (illegal route), so
 * {@code offered == queued + delivered + dropped + rejected}.
 *
 * @param offered          messages offered
 * @param delivered        messages handed to a receiver
 * @param dropped          messages lost to overload, all priorities
 * @param droppedByPriority drops per {@link Priority} ordinal
 * @param rejected         messages refused for an illegal route
 * @param queued           messages waiting now
 * @param capacity         the bound on queued messages
 * @param highWatermark    the most messages ever queued at once
 */
public record BusStats(long offered, long delivered, long dropped, long[] droppedByPriority, long rejected, int queued,
                       int capacity, int highWatermark) {

    public BusStats {
        droppedByPriority = droppedByPriority.clone();
    }

    /** Drops of one priority. */
    public long dropped(Priority p) {
        return droppedByPriority[p.ordinal()];
    }

    @Override
    public long[] droppedByPriority() {
        return droppedByPriority.clone();
    }

    /** Equal when every counter is equal (a record compares array components by identity, so this is spelled out). */
    @Override
    public boolean equals(Object o) {
        return o instanceof BusStats b && offered == b.offered && delivered == b.delivered && dropped == b.dropped
                && java.util.Arrays.equals(droppedByPriority, b.droppedByPriority) && rejected == b.rejected
                && queued == b.queued && capacity == b.capacity && highWatermark == b.highWatermark;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(offered, delivered, dropped, java.util.Arrays.hashCode(droppedByPriority), rejected,
                queued, capacity, highWatermark);
    }

    @Override
    public String toString() {
        return "BusStats[offered=" + offered + ", delivered=" + delivered + ", dropped=" + dropped + ", droppedByPriority="
                + java.util.Arrays.toString(droppedByPriority) + ", rejected=" + rejected + ", queued=" + queued
                + ", capacity=" + capacity + ", highWatermark=" + highWatermark + "]";
    }
}
