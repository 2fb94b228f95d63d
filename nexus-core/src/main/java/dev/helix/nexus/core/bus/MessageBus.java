package dev.helix.nexus.core.bus;

import dev.helix.nexus.core.Domain;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The bounded priority bus between domains.
 *
 * <p>Holds at most {@code capacity} messages in total, in one FIFO per (target domain, priority). {@link #offer}
 * never blocks: when the bus is full, it evicts the oldest message of the lowest priority present; if the new message
 * is of a strictly lower priority than everything queued, the new message is the one dropped. Every drop is counted
 * per priority and reported to an optional drop listener, so nothing is lost silently and memory stays bounded.
 * {@link #drain} hands a domain its messages highest priority first, FIFO within a priority.
 *
 * <p>Thread-safe: any number of producers and consumers; each call holds one short lock. Offer is O(P·D) worst case
 * (P priorities × D domains) when evicting, O(1) otherwise.
 */
public final class MessageBus {

    private static final Priority[] PRIORITIES = Priority.values();
    private static final Domain[] DOMAINS = Domain.values();

    private final int capacity;
    private final ArrayDeque<Message>[][] queues; // [target][priority]
    private final long[] droppedByPriority = new long[PRIORITIES.length];
    private final Consumer<Message> dropListener;
    private int size;
    private int highWatermark;
    private long offered;
    private long delivered;
    private long dropped;
    private long rejected;

    /** A bus of the given capacity with no drop listener. */
    public MessageBus(int capacity) {
        this(capacity, m -> { });
    }

    /**
     * A bus of the given capacity.
     *
     * @param dropListener told of every dropped message, outside the lock (must be fast and must not throw)
     */
    @SuppressWarnings("unchecked")
    public MessageBus(int capacity, Consumer<Message> dropListener) {
        if (capacity < 1) {
            throw new IllegalArgumentException("bus capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.dropListener = dropListener;
        this.queues = new ArrayDeque[DOMAINS.length][PRIORITIES.length];
        for (int d = 0; d < DOMAINS.length; d++) {
            for (int p = 0; p < PRIORITIES.length; p++) {
                queues[d][p] = new ArrayDeque<>();
            }
        }
    }

    /**
     * Offers a message.
     *
     * @return true when the message was queued, false when it was dropped itself because the bus was full of
     *     higher-priority messages
     * @throws RoutingException when the route is illegal (counted as rejected)
     */
    public boolean offer(Message m) {
        Message victim = null;
        boolean accepted;
        synchronized (this) {
            offered++;
            if (!m.source().maySendTo(m.target())) {
                rejected++;
                throw new RoutingException(m.source(), m.target());
            }
            if (size >= capacity) {
                int lowest = lowestQueuedPriority();
                if (lowest > m.priority().ordinal()) {
                    victim = m;
                } else {
                    victim = evictOldest(lowest);
                }
                droppedByPriority[victim.priority().ordinal()]++;
                dropped++;
            }
            accepted = victim != m;
            if (accepted) {
                queues[m.target().ordinal()][m.priority().ordinal()].addLast(m);
                size++;
                highWatermark = Math.max(highWatermark, size);
            }
        }
        if (victim != null) {
            dropListener.accept(victim);
        }
        return accepted;
    }

    private int lowestQueuedPriority() {
        for (int p = 0; p < PRIORITIES.length; p++) {
            for (int d = 0; d < DOMAINS.length; d++) {
                if (!queues[d][p].isEmpty()) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("bus is full but no queue holds a message");
    }

    private Message evictOldest(int priority) {
        int oldestDomain = -1;
        long oldestTime = Long.MAX_VALUE;
        for (int d = 0; d < DOMAINS.length; d++) {
            Message head = queues[d][priority].peekFirst();
            if (head != null && head.timestampMillis() < oldestTime) {
                oldestTime = head.timestampMillis();
                oldestDomain = d;
            }
        }
        size--;
        return queues[oldestDomain][priority].pollFirst();
    }

    /**
     * Removes up to {@code max} messages for {@code target}, highest priority first, and adds them to {@code out}.
     *
     * @return how many were moved
     */
    public int drain(Domain target, List<Message> out, int max) {
        int n = 0;
        synchronized (this) {
            ArrayDeque<Message>[] byPriority = queues[target.ordinal()];
            for (int p = PRIORITIES.length - 1; p >= 0 && n < max; p--) {
                ArrayDeque<Message> q = byPriority[p];
                while (n < max && !q.isEmpty()) {
                    out.add(q.pollFirst());
                    n++;
                }
            }
            size -= n;
            delivered += n;
        }
        return n;
    }

    /** Messages waiting for {@code target}. */
    public synchronized int pending(Domain target) {
        int n = 0;
        for (ArrayDeque<Message> q : queues[target.ordinal()]) {
            n += q.size();
        }
        return n;
    }

    /** A consistent snapshot of the counters. */
    public synchronized BusStats stats() {
        return new BusStats(offered, delivered, dropped, droppedByPriority, rejected, size, capacity, highWatermark);
    }

    /** The bound on queued messages. */
    public int capacity() {
        return capacity;
    }
}
