package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.TelemetrySnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * In-memory time-series store: one fixed-size ring of {@code (timestamp, value)} per series, with latest-value lookup,
 * history copy-out and a Prometheus text exporter.
 *
 * <p>Recording: {@link #record} is O(1) expected and allocation-free once the series exists and the caller reuses its
 * {@link MetricKey} instances (as sensors do); the first sample of a new series allocates its ring
 * ({@code 2 x capacity} longs: timestamp and value bits side by side). Sensors record the same keys in the same order
 * every tick, so each series remembers the series recorded right after it last time (its <em>successor</em>): when
 * the next key is that successor's key instance (a reference comparison), the series is found without any hash
 * lookup — at a 1 s tick the identity-hash table probe and the read of the key's header it needs are cache misses,
 * a few hundred per tick. Otherwise an identity-hash lookup (then an equality lookup) finds it and the link is
 * re-learnt, so a changed order costs one lookup per changed link. At most
 * {@code maxSeries} series are kept; samples of further new series are dropped and counted in
 * {@link #droppedSamples()} so a label explosion cannot exhaust the heap. NaN is stored as a gap.
 *
 * <p>Thread-safety: every method is {@code synchronized}, so the tick thread may record while another thread
 * exports or reads; the uncontended lock costs a few nanoseconds and does not allocate.
 */
public final class TelemetryStore implements MetricSink, TelemetrySnapshot {

    /** Default samples kept per series (one hour at the default one-second tick). */
    public static final int DEFAULT_CAPACITY = 3600;
    /** Default bound on the number of series. */
    public static final int DEFAULT_MAX_SERIES = 100_000;

    /**
     * One series' ring. Timestamp and value of slot i sit next to each other ({@code ring[2i]}, {@code ring[2i+1]}
     * as raw double bits), so recording a sample touches one cache line of the ring, not one in each of two arrays:
     * at a 1 s tick every ring slot is a cache miss, and the tick records hundreds of series.
     */
    private static final class Series {
        final MetricKey key;
        final long[] ring;
        final int capacity;
        int next;
        int size;
        /** The series recorded right after this one the last time; a guess, checked by key identity. */
        Series successor;

        Series(MetricKey key, int capacity) {
            this.key = key;
            this.capacity = capacity;
            this.ring = new long[2 * capacity];
        }

        int latestIndex() {
            return (next - 1 + capacity) % capacity;
        }

        long time(int i) {
            return ring[2 * i];
        }

        double value(int i) {
            return Double.longBitsToDouble(ring[2 * i + 1]);
        }
    }

    private final int capacity;
    private final int maxSeries;
    private final Map<MetricKey, Series> series = new HashMap<>();
    /**
     * Front cache by key identity: {@code MetricKey.hashCode()} walks the label map (allocating an iterator unless
     * the JIT removes it), while sensors reuse their key instances, so identity lookup keeps record allocation-free.
     */
    private final IdentityHashMap<MetricKey, Series> byIdentity = new IdentityHashMap<>();
    private long droppedSamples;
    private long newestTimestamp = Long.MIN_VALUE;
    /** The series of the last recorded sample (null at the start and after an eviction). */
    private Series lastRecorded;

    /** A store with {@link #DEFAULT_CAPACITY} samples per series and {@link #DEFAULT_MAX_SERIES} series. */
    public TelemetryStore() {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_SERIES);
    }

    /**
     * @param capacity  samples kept per series, at least 1
     * @param maxSeries series kept, at least 1
     */
    public TelemetryStore(int capacity, int maxSeries) {
        if (capacity < 1 || maxSeries < 1) {
            throw new IllegalArgumentException("capacity and maxSeries must be >= 1, got " + capacity + ", " + maxSeries);
        }
        this.capacity = capacity;
        this.maxSeries = maxSeries;
    }

    @Override
    public synchronized void record(MetricKey key, double value, long timestampMillis) {
        Series last = lastRecorded;
        Series s = last == null ? null : last.successor;
        if (s == null || s.key != key) {
            s = find(key);
            if (s == null) {
                droppedSamples++;
                return;
            }
            if (last != null) {
                last.successor = s;
            }
        }
        lastRecorded = s;
        int at = 2 * s.next;
        s.ring[at] = timestampMillis;
        s.ring[at + 1] = Double.doubleToRawLongBits(value);
        s.next = s.next + 1 == capacity ? 0 : s.next + 1;
        if (s.size < capacity) {
            s.size++;
        }
        if (timestampMillis > newestTimestamp) {
            newestTimestamp = timestampMillis;
        }
    }

    /** Every series whose latest sample is a value (not a gap). O(series). */
    /** The series of {@code key}, created if new and there is room; null if the series bound is reached. */
    private Series find(MetricKey key) {
        Series s = byIdentity.get(key);
        if (s == null) {
            s = series.get(key);
            if (s == null) {
                if (series.size() >= maxSeries) {
                    return null;
                }
                s = new Series(key, capacity);
                series.put(key, s);
            }
            if (byIdentity.size() > 2 * series.size() + 1024) {
                byIdentity.clear(); // callers that build new key instances every tick must not grow it forever
            }
            byIdentity.put(key, s);
        }
        return s;
    }

    @Override
    public synchronized Set<MetricKey> keys() {
        Set<MetricKey> out = new LinkedHashSet<>();
        for (Series s : series.values()) {
            if (!Double.isNaN(s.value(s.latestIndex()))) {
                out.add(s.key);
            }
        }
        return out;
    }

    /** Every series ever recorded, gap or not. O(series). */
    public synchronized Set<MetricKey> allKeys() {
        return new LinkedHashSet<>(series.keySet());
    }

    /** The latest sample of a series: NaN when unknown or when the last tick recorded a gap. O(1). */
    @Override
    public synchronized double latest(MetricKey key) {
        Series s = series.get(key);
        return s == null ? Double.NaN : s.value(s.latestIndex());
    }

    /** The timestamp of the latest sample of a series, or -1 when unknown. O(1). */
    public synchronized long latestTimestamp(MetricKey key) {
        Series s = series.get(key);
        return s == null ? -1 : s.time(s.latestIndex());
    }

    /** The most recent non-NaN value of a series within its ring, or NaN. O(capacity) worst case. */
    public synchronized double latestValue(MetricKey key) {
        Series s = series.get(key);
        if (s == null) {
            return Double.NaN;
        }
        for (int i = 0, idx = s.latestIndex(); i < s.size; i++, idx = idx == 0 ? capacity - 1 : idx - 1) {
            if (!Double.isNaN(s.value(idx))) {
                return s.value(idx);
            }
        }
        return Double.NaN;
    }

    /** Samples held for a series (at most the capacity). */
    public synchronized int size(MetricKey key) {
        Series s = series.get(key);
        return s == null ? 0 : s.size;
    }

    /**
     * Copies a series' history, oldest first, into the given arrays (either may be null). O(n).
     *
     * @return the number of samples copied: min(held, array length); the newest ones when the arrays are short
     */
    public synchronized int copyHistory(MetricKey key, long[] times, double[] values) {
        Series s = series.get(key);
        if (s == null) {
            return 0;
        }
        int room = Integer.MAX_VALUE;
        if (times != null) {
            room = Math.min(room, times.length);
        }
        if (values != null) {
            room = Math.min(room, values.length);
        }
        int n = Math.min(s.size, room);
        int start = (s.next - n + capacity) % capacity;
        for (int i = 0; i < n; i++) {
            int idx = (start + i) % capacity;
            if (times != null) {
                times[i] = s.time(idx);
            }
            if (values != null) {
                values[i] = s.value(idx);
            }
        }
        return n;
    }

    /** Number of series held. */
    public synchronized int seriesCount() {
        return series.size();
    }

    /** Samples dropped because {@code maxSeries} was reached. */
    public synchronized long droppedSamples() {
        return droppedSamples;
    }

    /** Removes series whose latest sample is older than {@code cutoffMillis} (e.g. exited processes). O(series). */
    public synchronized int evictOlderThan(long cutoffMillis) {
        int before = series.size();
        series.values().removeIf(s -> s.time(s.latestIndex()) < cutoffMillis);
        byIdentity.values().removeIf(s -> s.time(s.latestIndex()) < cutoffMillis);
        // successor links may point at evicted series, which a later sample of the same key instance must not
        // reach: drop every link (they are re-learnt within a tick)
        for (Series s : series.values()) {
            s.successor = null;
        }
        lastRecorded = null;
        return before - series.size();
    }

    /**
     * Writes every current series as one Prometheus text line {@code name{labels} value}, sorted by name then labels.
     * "Current" means its latest sample is a value (not a gap) and was recorded at the newest tick seen by the store
     * or within {@code maxAgeMillis} before it; series of processes that exited long ago drop out.
     * O(series log series).
     */
    public void writePrometheusText(Appendable out, long maxAgeMillis) throws IOException {
        List<Series> current = new ArrayList<>();
        synchronized (this) {
            for (Series s : series.values()) {
                int i = s.latestIndex();
                if (!Double.isNaN(s.value(i)) && s.time(i) >= newestTimestamp - maxAgeMillis) {
                    current.add(s);
                }
            }
            current.sort(Comparator.comparing((Series s) -> s.key.name()).thenComparing(s -> s.key.toString()));
            StringBuilder sb = new StringBuilder(64 * current.size() + 16);
            for (Series s : current) {
                sb.append(s.key).append(' ');
                appendValue(sb, s.value(s.latestIndex()));
                sb.append('\n');
            }
            out.append(sb);
        }
    }

    /** {@link #writePrometheusText(Appendable, long)} with a five-minute staleness bound. */
    public void writePrometheusText(Appendable out) throws IOException {
        writePrometheusText(out, 300_000L);
    }

    /** The Prometheus text of {@link #writePrometheusText(Appendable)} as a string. */
    public String toPrometheusText() {
        StringBuilder sb = new StringBuilder();
        try {
            writePrometheusText(sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with a StringBuilder
        }
        return sb.toString();
    }

    /** Prometheus/Go float formatting: integers without ".0", +Inf/-Inf/NaN spelled as Prometheus expects. */
    static void appendValue(StringBuilder sb, double v) {
        if (Double.isNaN(v)) {
            sb.append("NaN");
        } else if (v == Double.POSITIVE_INFINITY) {
            sb.append("+Inf");
        } else if (v == Double.NEGATIVE_INFINITY) {
            sb.append("-Inf");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            sb.append((long) v);
        } else {
            sb.append(v);
        }
    }
}
