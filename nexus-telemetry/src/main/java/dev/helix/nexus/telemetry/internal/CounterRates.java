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
 * <p>Complexity: O(1) expected per call (an identity-hash lookup for a key instance seen before, else one equality
 * lookup); allocation-free once each series has been seen.
 * Not thread-safe: owned by one sensor, called from the tick thread.
 */
public final class CounterRates {

    private static final class Slot {
        long value;
        long timestamp;
    }

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
        Slot s = byIdentity.get(key);
        if (s == null) {
            s = slots.get(key);
            if (byIdentity.size() > 2 * slots.size() + 1024) {
                byIdentity.clear(); // callers building new key instances every tick must not grow it forever
            }
            if (s == null) {
                s = new Slot();
                s.value = value;
                s.timestamp = ts;
                slots.put(key, s);
                byIdentity.put(key, s);
                return Double.NaN;
            }
            byIdentity.put(key, s);
        }
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
        slots.keySet().retainAll(live);
        byIdentity.clear();
    }

    /** Forgets one series. */
    public void forget(Object key) {
        if (slots.remove(key) != null) {
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
