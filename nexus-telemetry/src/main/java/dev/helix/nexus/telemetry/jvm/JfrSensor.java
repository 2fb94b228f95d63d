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
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The own JVM through a JDK Flight Recorder {@link RecordingStream}: what the MXBeans cannot see — individual GC
 * pauses, contended monitors, long thread parks, safepoint pauses (and how long threads took to reach them) and the
 * allocation rate.
 *
 * <p>The stream is started lazily on the first {@link #sample} (so merely constructing the sensor costs nothing) and
 * closed by {@link #close()}. Events arrive on JFR's own streaming thread (in batches, about once per second, the
 * JFR flush interval): they are accumulated in lock-free counters and an HdrHistogram {@link Recorder}, and every
 * {@code sample} publishes and resets what arrived since the previous tick. Values therefore describe "since the
 * previous tick" and lag the events by up to the flush interval.
 *
 * <p>Metrics (the counts and sums are per tick, i.e. since the previous {@code sample}):
 * <ul>
 *   <li>{@code jvm_jfr_gc_collections} ({@code jdk.GarbageCollection} events), {@code jvm_jfr_gc_pause_sum_seconds}
 *       (their {@code sumOfPauses});</li>
 *   <li>{@code jvm_jfr_gc_pauses} (stop-the-world pauses, {@code jdk.GCPhasePause}), {@code jvm_jfr_gc_pause_max_seconds},
 *       {@code jvm_jfr_gc_pause_seconds{quantile="0.5"|"0.99"}} from an HdrHistogram of the pauses (microsecond
 *       resolution, 2 significant digits; NaN quantiles in a tick without pauses);</li>
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
 *       injected time between ticks; absent on the first tick). The weight of a sample is the bytes the thread
 *       allocated since its previous sample, so the sum estimates all allocation even though events are throttled.</li>
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

    private static final String SOURCE = "jfr:RecordingStream";
    private static final MetricKey GC_COLLECTIONS = MetricKey.of("jvm_jfr_gc_collections");
    private static final MetricKey GC_PAUSE_SUM = MetricKey.of("jvm_jfr_gc_pause_sum_seconds");
    private static final MetricKey GC_PAUSES = MetricKey.of("jvm_jfr_gc_pauses");
    private static final MetricKey GC_PAUSE_MAX = MetricKey.of("jvm_jfr_gc_pause_max_seconds");
    private static final MetricKey GC_PAUSE_P50 = MetricKey.of("jvm_jfr_gc_pause_seconds", "quantile", "0.5");
    private static final MetricKey GC_PAUSE_P99 = MetricKey.of("jvm_jfr_gc_pause_seconds", "quantile", "0.99");
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
    /** GC pauses in microseconds, up to one hour, 2 significant digits; wait-free for the JFR thread. */
    private final Recorder pauses = new Recorder(3_600_000_000L, 2);
    private Histogram interval;
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
        super("jvm-jfr", SOURCE);
        this.lockThreshold = java.util.Objects.requireNonNull(lockThreshold, "lockThreshold");
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
            rs.onEvent("jdk.GCPhasePause", e -> guarded(() ->
                    pauses.recordValue(Math.max(0, e.getDuration().toNanos() / 1000))));
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
        interval = pauses.getIntervalHistogram(interval);
        long n = interval.getTotalCount();
        sink.record(GC_PAUSES, n, ts);
        sink.record(GC_PAUSE_MAX, n == 0 ? 0 : interval.getMaxValue() / 1e6, ts);
        sink.record(GC_PAUSE_P50, n == 0 ? Double.NaN : interval.getValueAtPercentile(50) / 1e6, ts);
        sink.record(GC_PAUSE_P99, n == 0 ? Double.NaN : interval.getValueAtPercentile(99) / 1e6, ts);
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
}
