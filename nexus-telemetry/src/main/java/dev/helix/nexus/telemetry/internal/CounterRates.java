package dev.helix.nexus.telemetry.internal;

import dev.helix.nexus.core.spi.MetricKey;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns monotonically increasing kernel counters into per-second rates, one state slot per series.
 *
 * <p>Rules, for a counter read as an unsigned integer of {@code widthBits} bits (32 or 64):
 * <ul>
 *   <li>the first reading of a series gives no rate (NaN);</li>
 *   <li>a reading at the same or an earlier timestamp gives NaN and keeps the older reading;</li>
 *   <li>a smaller reading is a <em>wrap</em> when the wrapped delta is below a quarter of the counter range (the
 *       old value was near the top, the new near zero) and the rate uses that delta;</li>
 *   <li>any other smaller reading is a <em>reset</em> (reboot, device re-plugged, process restarted): NaN for this
 *       tick, never a negative rate or a spike; the next tick rates from the new base.</li>
 * </ul>
 *
 * <p>Complexity: O(1) expected per call; allocation-free once each series has been seen. Sensors rate the same keys
 * in the same order every tick, so each slot remembers the slot used right after it last time (its successor): when
 * the next key is that slot's key instance (a reference comparison) no hash lookup is made — at a 1 s tick the hash
 * table probe and the key's header are cache misses. Otherwise an identity-hash lookup (then an equality lookup)
 * finds the slot and the link is re-learnt. A removed slot is marked, so a stale link never reaches it.
 * Not thread-safe: owned by one sensor, called from the tick thread.
 */
public final class CounterRates {

    private static final class Slot {
        final Object key;
        long value;
        long timestamp;
        Slot successor; // the slot used right after this one last time: a guess, checked by key identity
        boolean removed; // forgotten: no link may lead here any more

        Slot(Object key) {
            this.key = key;
        }
    }

    private Slot lastUsed;

    private final Map<Object, Slot> slots = new HashMap<>();
    /**
     * Front cache by key identity: a {@link MetricKey}'s {@code hashCode} walks its label map on every call, while
     * sensors pass the same key instances every tick. Cleared whenever a slot is removed, so a hit is always the slot
     * the equality lookup would find.
     */
    private final java.util.IdentityHashMap<Object, Slot> byIdentity = new java.util.IdentityHashMap<>();
    private long resets;
    private long wraps;

    /** Rate of a 64-bit counter, per second. */
    public double rate(Object key, long value, long timestampMillis) {
        return rate(key, value, timestampMillis, 64);
    }

    /**
     * Rate per second of the counter identified by {@code key} (a {@link MetricKey} or any stable key).
     *
     * @param value           the raw counter reading, unsigned
     * @param timestampMillis when it was read
     * @param widthBits       32 or 64: where the counter wraps
     * @return the rate, or NaN on the first reading, a reset, or a non-increasing timestamp
     */
    public double rate(Object key, long value, long timestampMillis, int widthBits) {
        double d = delta(key, value, timestampMillis, widthBits);
        return d;
    }

    private long lastDt;

    /**
     * The unsigned increase since the previous reading divided by the elapsed seconds; see {@link #rate}.
     */
    private double delta(Object key, long value, long ts, int widthBits) {
        Slot last = lastUsed;
        Slot s = last == null ? null : last.successor;
        if (s == null || s.key != key || s.removed) {
            s = byIdentity.get(key);
            if (s == null) {
                s = slots.get(key);
                if (byIdentity.size() > 2 * slots.size() + 1024) {
                    byIdentity.clear(); // callers building new key instances every tick must not grow it forever
                }
                if (s == null) {
                    s = new Slot(key);
                    s.value = value;
                    s.timestamp = ts;
                    slots.put(key, s);
                    byIdentity.put(key, s);
                    link(last, s);
                    return Double.NaN;
                }
                byIdentity.put(key, s);
            }
            link(last, s);
        }
        lastUsed = s;
        long dt = ts - s.timestamp;
        if (dt <= 0) {
            return Double.NaN;
        }
        long prev = s.value;
        s.value = value;
        s.timestamp = ts;
        lastDt = dt;
        long inc = increase(prev, value, widthBits);
        if (inc < 0) {
            return Double.NaN;
        }
        return Texts.unsignedToDouble(inc) * 1000.0 / dt;
    }

    private void link(Slot last, Slot s) {
        lastUsed = s;
        if (last != null && !last.removed) {
            last.successor = s;
        }
    }

    /**
     * The increase from {@code prev} to {@code cur} of a counter {@code widthBits} wide, or -1 for a reset.
     * Values wider than 32 bits are treated as 64-bit whatever {@code widthBits} says. O(1).
     */
    public long increase(long prev, long cur, int widthBits) {
        if (Long.compareUnsigned(cur, prev) >= 0) {
            long inc = cur - prev;
            if (inc < 0) { // more than 2^63 in one step: not plausible
                resets++;
                return -1;
            }
            return inc;
        }
        boolean narrow = widthBits == 32 && (prev >>> 32) == 0 && (cur >>> 32) == 0;
        long wrapped = narrow ? (cur - prev) & 0xFFFF_FFFFL : cur - prev;
        long quarter = narrow ? 1L << 30 : 1L << 62;
        if (Long.compareUnsigned(wrapped, quarter) < 0) {
            wraps++;
            return wrapped;
        }
        resets++;
        return -1;
    }

    /** Milliseconds between the last two readings of the series last passed to {@link #rate}. */
    public long lastIntervalMillis() {
        return lastDt;
    }

    /** Forgets series not in use any more (e.g. exited processes). O(n). */
    public void retainOnly(java.util.Set<?> live) {
        slots.values().removeIf(s -> {
            boolean gone = !live.contains(s.key);
            s.removed |= gone;
            return gone;
        });
        byIdentity.clear();
    }

    /** Forgets one series. */
    public void forget(Object key) {
        Slot s = slots.remove(key);
        if (s != null) {
            s.removed = true;
            byIdentity.clear();
        }
    }

    /** Number of series tracked. */
    public int size() {
        return slots.size();
    }

    /** Resets seen so far (a counter went backwards). */
    public long resets() {
        return resets;
    }

    /** Wraps seen so far. */
    public long wraps() {
        return wraps;
    }
}
