package dev.helix.nexus.telemetry.jvm;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * The own JVM through a JDK Flight Recorder {@link RecordingStream}: what the MXBeans cannot see — individual GC
 * pauses, contended monitors, long thread parks, safepoint pauses (and how long threads took to reach them) and the
 * allocation rate.
 *
 * <p>The stream is started lazily on the first {@link #sample} (so merely constructing the sensor costs nothing) and
 * closed by {@link #close()}. Events arrive on JFR's own streaming thread (in batches, about once per second, the
 * JFR flush interval): they are accumulated in lock-free counters (GC pause durations in a small buffer handed over
 * under a lock), and every {@code sample} publishes and resets what arrived since the previous tick. Values
 * therefore describe "since the previous tick" and lag the events by up to the flush interval.
 *
 * <p>Metrics (the counts and sums are per tick, i.e. since the previous {@code sample}, except the GC pause
 * quantiles, which cover a window of recent ticks):
 * <ul>
 *   <li>{@code jvm_jfr_gc_collections} ({@code jdk.GarbageCollection} events), {@code jvm_jfr_gc_pause_sum_seconds}
 *       (their {@code sumOfPauses});</li>
 *   <li>{@code jvm_jfr_gc_pauses} (stop-the-world pauses this tick, {@code jdk.GCPhasePause}) and
 *       {@code jvm_jfr_gc_pause_max_seconds} (the longest of them, exact, 0 in a tick without pauses);</li>
 *   <li>{@code jvm_jfr_gc_pause_seconds{quantile="0.5"|"0.99"}} and {@code jvm_jfr_gc_pause_window_max_seconds}:
 *       exact nearest-rank quantiles and maximum of the pauses of the last {@code pauseWindowTicks} ticks (default
 *       {@value #DEFAULT_PAUSE_WINDOW_TICKS}, five minutes at 1 Hz; at most the {@value #PAUSE_WINDOW_CAPACITY} most
 *       recent pauses), the current tick included; {@code jvm_jfr_gc_pause_window_pauses} says how many pauses they
 *       rest on (NaN quantiles and window maximum while it is 0). A p99 is the largest pause while fewer than 100
 *       pauses are in the window, so read it together with that count. One long pause raises the upper quantiles in
 *       the tick it arrives and weighs on them until it leaves the window;</li>
 *   <li>{@code jvm_jfr_monitor_contended}, {@code jvm_jfr_monitor_contended_seconds} ({@code jdk.JavaMonitorEnter}:
 *       count and total blocked time of monitor enters that waited longer than the lock threshold);</li>
 *   <li>{@code jvm_jfr_thread_parks}, {@code jvm_jfr_thread_park_seconds} ({@code jdk.ThreadPark} above the lock
 *       threshold);</li>
 *   <li>{@code jvm_jfr_safepoints} (safepoints completed), {@code jvm_jfr_safepoint_pause_seconds} and
 *       {@code jvm_jfr_safepoint_pause_max_seconds} (sum and maximum of the whole stop-the-world pause: from
 *       {@code jdk.SafepointBegin}'s start to the end of the {@code jdk.SafepointEnd} with the same
 *       {@code safepointId}), {@code jvm_jfr_time_to_safepoint_seconds} and
 *       {@code jvm_jfr_time_to_safepoint_max_seconds} (sum and maximum of {@code jdk.SafepointBegin}'s duration,
 *       which ends once every thread has stopped: the time-to-safepoint part of the pause only). A pair whose other
 *       half has not arrived yet is counted in the tick its second half arrives;</li>
 *   <li>{@code jvm_jfr_allocation_bytes_per_second} (sum of {@code jdk.ObjectAllocationSample} weights divided by the
 *       injected time between ticks; absent on the first tick). A <em>sampled estimate</em>: the weight of a sample
 *       is the bytes the thread allocated since its previous sample, so the sum converges to all allocation over
 *       many seconds, but the weights arrive per TLAB refill and per JFR flush, so a single tick often reads 0 and
 *       the next several times the true rate. For the rate itself use {@link JvmSensor}'s exact
 *       {@code jvm_allocation_bytes_per_second}.</li>
 * </ul>
 *
 * <p>Overhead: JFR's {@code default.jfc} settings, which are designed for always-on production use (&lt;1%):
 * GC events without threshold, {@code jdk.JavaMonitorEnter}/{@code jdk.ThreadPark} with the default.jfc locking
 * threshold of 20 ms (profile.jfc uses 10 ms; pass another threshold to the constructor),
 * {@code jdk.ObjectAllocationSample} throttled to 150 events/s; {@code jdk.SafepointBegin} and
 * {@code jdk.SafepointEnd} without threshold (default.jfc: 10 ms, which would drop nearly every pair: a safepoint's
 * begin phase is usually well under 1 ms even when the pause is long), i.e. two small events per safepoint, a
 * handful per second in a busy JVM. Stack traces
 * are disabled for every event (this sensor only aggregates), which removes most of JFR's per-event cost. Only
 * these events are enabled in the stream's recording (other recordings in the JVM are unaffected).
 *
 * <p>GC pause window: a ring of the window's raw pause durations (nanoseconds) in arrival order, with the tick each
 * arrived in, and the same values kept sorted; a pause entering or leaving costs a binary search and an array shift
 * (O(window pauses)), the quantiles are then array reads. Fixed memory: {@code 3 × 8 ×}
 * {@value #PAUSE_WINDOW_CAPACITY} bytes of window plus {@code 2 × 8 ×} {@value #MAX_PAUSES_PER_TICK} bytes of
 * hand-over buffer; allocation-free per tick. Pauses beyond {@value #MAX_PAUSES_PER_TICK} in one tick still count in
 * {@code jvm_jfr_gc_pauses} and the tick maximum but are left out of the window.
 *
 * <p>Where JFR is unavailable (no {@code jdk.jfr} module, JFR disabled, a JVM without JFR support), the sensor
 * reports FAILED with the reason on every tick and never throws. {@link #sample} is for the tick thread;
 * {@link #close()} may be called from any thread.
 */
public final class JfrSensor extends AbstractSensor {

    /** JFR's default.jfc threshold for {@code jdk.JavaMonitorEnter} and {@code jdk.ThreadPark}. */
    public static final Duration DEFAULT_LOCK_THRESHOLD = Duration.ofMillis(20);
    /** Most safepoints whose begin or end waits for its other half; beyond it the oldest halves are dropped. */
    static final int MAX_UNPAIRED_SAFEPOINTS = 256;
    /** JFR's default.jfc throttle of {@code jdk.ObjectAllocationSample}. */
    public static final String ALLOCATION_THROTTLE = "150/s";
    /** Default number of ticks whose GC pauses the pause quantiles cover (five minutes at 1 Hz). */
    public static final int DEFAULT_PAUSE_WINDOW_TICKS = 300;
    /** Most GC pauses the window holds; beyond it the oldest leave early. */
    public static final int PAUSE_WINDOW_CAPACITY = 2048;
    /** Most GC pauses handed from the JFR thread to the window per tick. */
    static final int MAX_PAUSES_PER_TICK = 1024;

    private static final String SOURCE = "jfr:RecordingStream";
    private static final MetricKey GC_COLLECTIONS = MetricKey.of("jvm_jfr_gc_collections");
    private static final MetricKey GC_PAUSE_SUM = MetricKey.of("jvm_jfr_gc_pause_sum_seconds");
    private static final MetricKey GC_PAUSES = MetricKey.of("jvm_jfr_gc_pauses");
    private static final MetricKey GC_PAUSE_MAX = MetricKey.of("jvm_jfr_gc_pause_max_seconds");
    private static final MetricKey GC_PAUSE_P50 = MetricKey.of("jvm_jfr_gc_pause_seconds", "quantile", "0.5");
    private static final MetricKey GC_PAUSE_P99 = MetricKey.of("jvm_jfr_gc_pause_seconds", "quantile", "0.99");
    private static final MetricKey GC_PAUSE_WINDOW_MAX = MetricKey.of("jvm_jfr_gc_pause_window_max_seconds");
    private static final MetricKey GC_PAUSE_WINDOW_PAUSES = MetricKey.of("jvm_jfr_gc_pause_window_pauses");
    private static final MetricKey MONITOR = MetricKey.of("jvm_jfr_monitor_contended");
    private static final MetricKey MONITOR_SECONDS = MetricKey.of("jvm_jfr_monitor_contended_seconds");
    private static final MetricKey PARKS = MetricKey.of("jvm_jfr_thread_parks");
    private static final MetricKey PARK_SECONDS = MetricKey.of("jvm_jfr_thread_park_seconds");
    private static final MetricKey SAFEPOINTS = MetricKey.of("jvm_jfr_safepoints");
    private static final MetricKey SAFEPOINT_PAUSE = MetricKey.of("jvm_jfr_safepoint_pause_seconds");
    private static final MetricKey SAFEPOINT_PAUSE_MAX = MetricKey.of("jvm_jfr_safepoint_pause_max_seconds");
    private static final MetricKey TTSP = MetricKey.of("jvm_jfr_time_to_safepoint_seconds");
    private static final MetricKey TTSP_MAX = MetricKey.of("jvm_jfr_time_to_safepoint_max_seconds");
    private static final MetricKey ALLOC_RATE = MetricKey.of("jvm_jfr_allocation_bytes_per_second");

    /** Event counts and summed durations (nanoseconds) or bytes, written by the JFR thread. */
    private static final int GC = 0, GC_SUM = 1, MON = 2, MON_NS = 3, PARK = 4, PARK_NS = 5, SP = 6, SP_NS = 7,
            ALLOC = 8, TTSP_NS = 9, N = 10;

    private final Duration lockThreshold;
    private final LongAdder[] acc = new LongAdder[N];
    /** Guards the hand-over of GC pauses from the JFR thread: {@link #pending} and the three counters below. */
    private final Object pauseLock = new Object();
    private long[] pending = new long[MAX_PAUSES_PER_TICK]; // guarded by pauseLock
    private int pendingCount; // pauses in pending; guarded by pauseLock
    private long pendingPauses; // pauses this tick, including any beyond pending's capacity; guarded by pauseLock
    private long pendingMax; // longest pause this tick, nanoseconds; guarded by pauseLock
    /** The buffer the tick thread drains while the JFR thread fills the other one. Tick thread only. */
    private long[] draining = new long[MAX_PAUSES_PER_TICK];
    private final PauseWindow pauseWindow;
    private final AtomicLong safepointPauseMax = new AtomicLong();
    private final AtomicLong ttspMax = new AtomicLong();
    /** Start (epoch ns) of safepoints whose end has not arrived, by safepointId; JFR thread only. */
    private final java.util.LinkedHashMap<Long, Long> safepointBegins = new java.util.LinkedHashMap<>();
    /** End (epoch ns) of safepoints whose begin has not arrived, by safepointId; JFR thread only. */
    private final java.util.LinkedHashMap<Long, Long> safepointEnds = new java.util.LinkedHashMap<>();
    private final AtomicReference<Throwable> streamError = new AtomicReference<>();
    private final AtomicLong handlerErrors = new AtomicLong();
    private final Object lifecycle = new Object();
    private RecordingStream stream; // guarded by lifecycle
    private boolean closed; // guarded by lifecycle
    private String unavailable; // set once when starting failed
    private long lastTs = Long.MIN_VALUE;

    /** A sensor with JFR's default.jfc thresholds. */
    public JfrSensor() {
        this(DEFAULT_LOCK_THRESHOLD);
    }

    /** @param lockThreshold minimum duration of a reported contended monitor enter or thread park */
    public JfrSensor(Duration lockThreshold) {
        this(lockThreshold, DEFAULT_PAUSE_WINDOW_TICKS);
    }

    /**
     * @param lockThreshold    minimum duration of a reported contended monitor enter or thread park
     * @param pauseWindowTicks ticks whose GC pauses the pause quantiles cover (1 = this tick's only)
     * @throws IllegalArgumentException if {@code pauseWindowTicks < 1} or {@code lockThreshold} is negative
     */
    public JfrSensor(Duration lockThreshold, int pauseWindowTicks) {
        super("jvm-jfr", SOURCE);
        this.lockThreshold = java.util.Objects.requireNonNull(lockThreshold, "lockThreshold");
        if (lockThreshold.isNegative()) {
            throw new IllegalArgumentException("lockThreshold must not be negative: " + lockThreshold);
        }
        this.pauseWindow = new PauseWindow(pauseWindowTicks, PAUSE_WINDOW_CAPACITY);
        for (int i = 0; i < N; i++) {
            acc[i] = new LongAdder();
        }
    }

    /** Whether JFR can record in this JVM (the jdk.jfr module is present and Flight Recorder is available). */
    public static boolean available() {
        try {
            return ModuleLayer.boot().findModule("jdk.jfr").isPresent() && jdk.jfr.FlightRecorder.isAvailable();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Whether the stream has been started (after the first successful sample) and not closed. */
    public boolean started() {
        synchronized (lifecycle) {
            return stream != null && !closed;
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        if (unavailable != null) {
            problem(SOURCE, unavailable);
            return;
        }
        synchronized (lifecycle) {
            if (closed) {
                problem(SOURCE, "sensor closed");
                return;
            }
            if (stream == null && !start()) {
                return;
            }
        }
        Throwable err = streamError.get();
        if (err != null) {
            problem(SOURCE, "JFR stream stopped: " + err);
        }
        long bad = handlerErrors.getAndSet(0);
        if (bad > 0) {
            problem(SOURCE, bad + " malformed JFR events skipped");
        }
        publish(sink, ts);
    }

    private boolean start() {
        RecordingStream rs = null;
        try {
            if (!available()) {
                unavailable = "JFR unavailable in this JVM (no jdk.jfr module or Flight Recorder disabled)";
                problem(SOURCE, unavailable);
                return false;
            }
            rs = new RecordingStream();
            rs.enable("jdk.GarbageCollection").withoutStackTrace();
            rs.enable("jdk.GCPhasePause").withoutStackTrace();
            rs.enable("jdk.JavaMonitorEnter").withThreshold(lockThreshold).withoutStackTrace();
            rs.enable("jdk.ThreadPark").withThreshold(lockThreshold).withoutStackTrace();
            rs.enable("jdk.SafepointBegin").withThreshold(Duration.ZERO).withoutStackTrace();
            rs.enable("jdk.SafepointEnd").withThreshold(Duration.ZERO).withoutStackTrace();
            rs.enable("jdk.ObjectAllocationSample").with("throttle", ALLOCATION_THROTTLE).withoutStackTrace();
            rs.onEvent("jdk.GarbageCollection", e -> guarded(() -> {
                acc[GC].increment();
                acc[GC_SUM].add(nanos(e, "sumOfPauses"));
            }));
            rs.onEvent("jdk.GCPhasePause", e -> guarded(() -> gcPause(Math.max(0, e.getDuration().toNanos()))));
            rs.onEvent("jdk.JavaMonitorEnter", e -> guarded(() -> count(e, MON, MON_NS)));
            rs.onEvent("jdk.ThreadPark", e -> guarded(() -> count(e, PARK, PARK_NS)));
            rs.onEvent("jdk.SafepointBegin", e -> guarded(() -> safepointBegin(e)));
            rs.onEvent("jdk.SafepointEnd", e -> guarded(() -> safepointEnd(e)));
            rs.onEvent("jdk.ObjectAllocationSample", e -> guarded(() -> acc[ALLOC].add(Math.max(0, e.getLong("weight")))));
            rs.onError(t -> streamError.compareAndSet(null, t));
            rs.setReuse(true);
            rs.startAsync();
            stream = rs;
            return true;
        } catch (LinkageError | RuntimeException e) {
            if (rs != null) {
                try {
                    rs.close();
                } catch (RuntimeException ignored) {
                    // best effort
                }
            }
            unavailable = "JFR unavailable: " + e;
            problem(SOURCE, unavailable);
            return false;
        }
    }

    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) { // a field missing in some JDK build: skip the event, report it next tick
            handlerErrors.incrementAndGet();
        }
    }

    /** Hands one GC pause over to the next tick. JFR thread; O(1). */
    private void gcPause(long nanos) {
        synchronized (pauseLock) {
            pendingPauses++;
            pendingMax = Math.max(pendingMax, nanos);
            if (pendingCount < pending.length) {
                pending[pendingCount++] = nanos;
            }
        }
    }

    private void count(RecordedEvent e, int countSlot, int nanosSlot) {
        acc[countSlot].increment();
        acc[nanosSlot].add(Math.max(0, e.getDuration().toNanos()));
    }

    private void safepointBegin(RecordedEvent e) {
        long ttsp = Math.max(0, e.getDuration().toNanos());
        acc[TTSP_NS].add(ttsp);
        ttspMax.accumulateAndGet(ttsp, Math::max);
        long id = e.getLong("safepointId");
        long begin = epochNanos(e.getStartTime());
        Long end = safepointEnds.remove(id);
        if (end != null) {
            safepointPause(end - begin);
        } else {
            remember(safepointBegins, id, begin);
        }
    }

    private void safepointEnd(RecordedEvent e) {
        long id = e.getLong("safepointId");
        long end = epochNanos(e.getEndTime());
        Long begin = safepointBegins.remove(id);
        if (begin != null) {
            safepointPause(end - begin);
        } else {
            remember(safepointEnds, id, end);
        }
    }

    /** Records one completed safepoint of {@code nanos}. JFR thread only. */
    private void safepointPause(long nanos) {
        long n = Math.max(0, nanos);
        acc[SP].increment();
        acc[SP_NS].add(n);
        safepointPauseMax.accumulateAndGet(n, Math::max);
    }

    private static void remember(java.util.LinkedHashMap<Long, Long> halves, long id, long nanos) {
        halves.put(id, nanos);
        if (halves.size() > MAX_UNPAIRED_SAFEPOINTS) { // a half whose partner was never delivered
            halves.pollFirstEntry();
        }
    }

    private static long epochNanos(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static long nanos(RecordedEvent e, String field) {
        if (!e.hasField(field)) {
            return 0;
        }
        Duration d = e.getDuration(field);
        return d == null || d.isNegative() ? 0 : d.toNanos();
    }

    private void publish(MetricSink sink, long ts) {
        sink.record(GC_COLLECTIONS, acc[GC].sumThenReset(), ts);
        sink.record(GC_PAUSE_SUM, acc[GC_SUM].sumThenReset() / 1e9, ts);
        long n;
        long max;
        int drained;
        long[] full;
        synchronized (pauseLock) {
            n = pendingPauses;
            max = pendingMax;
            drained = pendingCount;
            full = pending;
            pending = draining;
            pendingCount = 0;
            pendingPauses = 0;
            pendingMax = 0;
        }
        draining = full;
        pauseWindow.advance();
        for (int i = 0; i < drained; i++) {
            pauseWindow.add(full[i]);
        }
        sink.record(GC_PAUSES, n, ts);
        sink.record(GC_PAUSE_MAX, max / 1e9, ts);
        int w = pauseWindow.size();
        sink.record(GC_PAUSE_P50, w == 0 ? Double.NaN : pauseWindow.quantile(0.5) / 1e9, ts);
        sink.record(GC_PAUSE_P99, w == 0 ? Double.NaN : pauseWindow.quantile(0.99) / 1e9, ts);
        sink.record(GC_PAUSE_WINDOW_MAX, w == 0 ? Double.NaN : pauseWindow.max() / 1e9, ts);
        sink.record(GC_PAUSE_WINDOW_PAUSES, w, ts);
        sink.record(MONITOR, acc[MON].sumThenReset(), ts);
        sink.record(MONITOR_SECONDS, acc[MON_NS].sumThenReset() / 1e9, ts);
        sink.record(PARKS, acc[PARK].sumThenReset(), ts);
        sink.record(PARK_SECONDS, acc[PARK_NS].sumThenReset() / 1e9, ts);
        sink.record(SAFEPOINTS, acc[SP].sumThenReset(), ts);
        sink.record(SAFEPOINT_PAUSE, acc[SP_NS].sumThenReset() / 1e9, ts);
        sink.record(SAFEPOINT_PAUSE_MAX, safepointPauseMax.getAndSet(0) / 1e9, ts);
        sink.record(TTSP, acc[TTSP_NS].sumThenReset() / 1e9, ts);
        sink.record(TTSP_MAX, ttspMax.getAndSet(0) / 1e9, ts);
        long allocated = acc[ALLOC].sumThenReset();
        if (lastTs != Long.MIN_VALUE && ts > lastTs) {
            sink.record(ALLOC_RATE, allocated * 1000.0 / (ts - lastTs), ts);
        }
        lastTs = ts;
    }

    /** Stops and closes the recording stream; later samples report FAILED "sensor closed". Idempotent. */
    @Override
    public void close() {
        RecordingStream rs;
        synchronized (lifecycle) {
            closed = true;
            rs = stream;
            stream = null;
        }
        if (rs != null) {
            try {
                rs.close();
            } catch (RuntimeException ignored) {
                // closing is best effort
            }
        }
    }

    /**
     * The GC pauses of the last {@code windowTicks} ticks (at most {@code capacity}, the most recent): a ring in
     * arrival order, tagged with the tick each arrived in, and a sorted copy for exact nearest-rank quantiles.
     * Memory fixed at construction ({@code 3 × 8 × capacity} bytes). Package-private for tests. Not thread-safe.
     */
    static final class PauseWindow {
        private final int windowTicks;
        private final long[] ring;
        private final long[] ringTick;
        private final long[] sorted;
        private int head;
        private int size;
        private long tick;

        /**
         * @throws IllegalArgumentException if {@code windowTicks < 1} or {@code capacity < 1}
         */
        PauseWindow(int windowTicks, int capacity) {
            if (windowTicks < 1) {
                throw new IllegalArgumentException("pauseWindowTicks must be at least 1: " + windowTicks);
            }
            if (capacity < 1) {
                throw new IllegalArgumentException("pause window capacity must be at least 1: " + capacity);
            }
            this.windowTicks = windowTicks;
            this.ring = new long[capacity];
            this.ringTick = new long[capacity];
            this.sorted = new long[capacity];
        }

        /** Starts the next tick: pauses that arrived {@code windowTicks} or more ticks ago leave. O(leaving × size). */
        void advance() {
            tick++;
            while (size > 0 && ringTick[head] <= tick - windowTicks) {
                removeOldest();
            }
        }

        /** Adds one pause of {@code nanos} (negative counts as 0) to the current tick. O(size). */
        void add(long nanos) {
            long v = Math.max(0, nanos);
            if (size == ring.length) {
                removeOldest();
            }
            int tail = (head + size) % ring.length;
            ring[tail] = v;
            ringTick[tail] = tick;
            int at = java.util.Arrays.binarySearch(sorted, 0, size, v);
            if (at < 0) {
                at = -at - 1;
            }
            System.arraycopy(sorted, at, sorted, at + 1, size - at);
            sorted[at] = v;
            size++;
        }

        private void removeOldest() {
            long v = ring[head];
            head = (head + 1) % ring.length;
            int at = java.util.Arrays.binarySearch(sorted, 0, size, v); // present: it was added and not yet removed
            System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
            size--;
        }

        /** Pauses in the window. */
        int size() {
            return size;
        }

        /**
         * The nearest-rank {@code q}-quantile in nanoseconds: the {@code ceil(q × size)}-th smallest pause (the
         * smallest for {@code q = 0}). O(1).
         *
         * @throws IllegalStateException if the window is empty
         */
        long quantile(double q) {
            if (size == 0) {
                throw new IllegalStateException("no GC pause in the window");
            }
            int rank = (int) Math.ceil(q * size - 1e-9); // 0.99 × 100 must be rank 99 despite rounding
            return sorted[Math.min(size - 1, Math.max(0, rank - 1))];
        }

        /** The longest pause in the window, nanoseconds. @throws IllegalStateException if empty */
        long max() {
            return quantile(1.0);
        }
    }
}
