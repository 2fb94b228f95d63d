package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.HdrHistogram.IntCountsHistogram;

/**
 * Probes kernel responsiveness: each tick times {@code iterations} cheap real system calls of two kinds and reports
 * their latency quantiles over the last {@code windowTicks} ticks through an HdrHistogram, which rise when the host
 * is starved (CPU contention, memory pressure, a stalled filesystem, a noisy neighbour), often before the
 * application notices.
 *
 * <ul>
 *   <li>{@code op="pread"}: a 64-byte positional read of {@code /proc/self/stat} through a channel kept open
 *       (one {@code pread64}, the kernel formatting the file each time);</li>
 *   <li>{@code op="stat"}: {@link Files#getLastModifiedTime} on the same file (one {@code stat}/{@code statx}).</li>
 * </ul>
 *
 * <p>Metrics, per op: {@code host_syscall_latency_seconds{op, quantile="0.5"|"0.99"|"0.999"}} and
 * {@code host_syscall_latency_max_seconds{op}} over the window's {@code iterations × windowTicks} most recent calls,
 * {@code host_syscall_probes{op}} (calls timed this tick) and {@code host_syscall_window_calls{op}} (calls the
 * quantiles rest on; fewer than the window during the first {@code windowTicks} ticks).
 *
 * <p>Defaults: {@value #DEFAULT_ITERATIONS} calls of each kind per tick (20 system calls per tick) and a window of
 * {@value #DEFAULT_WINDOW_TICKS} ticks, so the quantiles rest on the last {@value #DEFAULT_WINDOW_CALLS} calls of
 * each kind (100 s at 1 Hz). With 1000 calls the p99.9 is the 999th smallest timing (HdrHistogram's rank
 * {@code round(0.999 × count)}), not the maximum, which is reported separately. A stall raises the max and the
 * upper quantiles in the tick it happens (the max by the stall's own timing, whatever the window length) and weighs
 * on them until it leaves the window.
 *
 * <p>Why 10 × 100 and not 25 × 40 (until round 7): the probe's cost is almost all its own system calls, so it scales
 * with the calls per tick, while the quantiles need a fixed number of calls (1000, for a p99.9 that is not the
 * maximum). Measured per call on this host's JDK 25 (thread CPU, tight loop): {@code pread} of 64 bytes of
 * {@code /proc/self/stat} 3.3-3.4 us (the kernel formats the file and sums the CPU times of all the JVM's threads),
 * {@code getLastModifiedTime} 1.84 us and 176 bytes of JDK attribute objects, {@code System.nanoTime} 25 ns (3 per
 * pair of calls, 1.5 % of the pair). 25 pairs cost about 0.13 ms of calls and 4.4 KB per tick (0.21-0.22 ms in the
 * sensing tick with cold caches); 10 pairs cost 2.5 times less. The price: the quantiles cover the last 100 s instead
 * of 40 s, so a burst of slow calls moves the p99/p99.9 by less per call and weighs on them 2.5 times longer, and a
 * tick takes 10 timings of each call instead of 25 (a contention episode shorter than a tick is sampled by fewer
 * calls). The max reacts in the same tick either way. Cheaper ways to time the same calls were measured and not
 * taken: {@link Files#exists} ({@code access(F_OK)}: the same path walk, allocation-free, 1.58 us) skips the inode
 * attribute read that {@code statx} does, so it is a different call and would change what {@code op="stat"} means;
 * {@link Files#isRegularFile} and {@code readAttributes(BasicFileAttributes)} do the same {@code statx} and still
 * allocate (144 bytes); {@code FileChannel.size} is an {@code fstat} without the path walk (0.44 us), a different call
 * again. The timer is not worth cutting (3 × 25 ns of 5.2 us per pair). Measured at 1 Hz in the full sensing tick
 * ({@code SensingOverheadRun 600 0}, both builds at once): 0.211 → 0.117 ms per tick after the first minute, 7.0 →
 * 3.5 KB. What is left is mostly fixed per tick (a fit of 25 and 10 pairs at 1 Hz gives ~0.08 ms + 5.9 us per pair):
 * the 6 percentile scans of the counts (~11.5 us per op, measured) and 16 records into the sink with cold caches.
 *
 * <p>How: a ring of the raw nanosecond timings per op (the window; it is what lets old calls leave) and one
 * fixed-size {@link IntCountsHistogram} per op (1 ns to 10 s, 2 significant digits: a reported quantile is the upper
 * end of its bucket, at most 1 % above the true timing; timings above 10 s are clamped to 10 s), kept equal to the
 * ring's contents incrementally: a new timing is counted in, the one it overwrites counted out (a count of -1), so the
 * counts are exactly those of a histogram rebuilt from the ring. The histogram's own maximum cannot forget a timing
 * that left, so the maximum is taken from the ring. Memory is fixed at construction: {@code 2 × 8 × iterations ×
 * windowTicks} bytes of ring plus about 14 KiB of counts per op.
 *
 * <p>Cost per tick: {@code 2 × iterations} system calls, plus per op {@code 2 × iterations} histogram updates, one
 * scan of the ring for the maximum ({@code iterations × windowTicks} longs) and 3 percentile scans of the counts
 * (until round 4 the histogram was reset and refilled from the whole ring every tick). Allocation-free
 * after the first tick apart from the JDK's attribute objects of {@code stat} (176 bytes per call). A missing or unreadable file gives
 * FAILED naming it. Not thread-safe: sample from one thread.
 */
public final class SyscallLatencySensor extends AbstractSensor {

    /** Default calls of each kind per tick. */
    public static final int DEFAULT_ITERATIONS = 10;
    /** Default number of ticks whose calls the quantiles cover. */
    public static final int DEFAULT_WINDOW_TICKS = 100;
    /** Default calls per op in the window: {@code DEFAULT_ITERATIONS × DEFAULT_WINDOW_TICKS}. */
    public static final int DEFAULT_WINDOW_CALLS = DEFAULT_ITERATIONS * DEFAULT_WINDOW_TICKS;

    private static final String[] OPS = {"pread", "stat"};
    private static final double[] QUANTILES = {0.5, 0.99, 0.999};
    private static final String[] QUANTILE_LABELS = {"0.5", "0.99", "0.999"};

    private final Path file;
    private final int iterations;
    private final LatencyWindow[] windows = new LatencyWindow[OPS.length];
    private final MetricKey[][] quantileKeys = new MetricKey[OPS.length][QUANTILES.length];
    private final MetricKey[] maxKeys = new MetricKey[OPS.length];
    private final MetricKey[] countKeys = new MetricKey[OPS.length];
    private final MetricKey[] windowKeys = new MetricKey[OPS.length];
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64);
    private FileChannel channel;

    /**
     * Probes {@code /proc/self/stat} {@value #DEFAULT_ITERATIONS} times per kind per tick, quantiles over
     * {@value #DEFAULT_WINDOW_TICKS} ticks.
     */
    public SyscallLatencySensor() {
        this(Path.of("/proc/self/stat"), DEFAULT_ITERATIONS, DEFAULT_WINDOW_TICKS);
    }

    /** Probes {@code file} {@code iterations} times per kind per tick; quantiles of this tick's calls only. */
    public SyscallLatencySensor(Path file, int iterations) {
        this(file, iterations, 1);
    }

    /**
     * Probes {@code file} {@code iterations} times per kind per tick; quantiles over the last {@code windowTicks}
     * ticks' calls.
     *
     * @throws IllegalArgumentException if {@code iterations < 1}, {@code windowTicks < 1} or their product exceeds
     *     1 000 000
     */
    public SyscallLatencySensor(Path file, int iterations, int windowTicks) {
        super("syscall-latency", file.toString());
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1: " + iterations);
        }
        if (windowTicks < 1 || (long) iterations * windowTicks > 1_000_000) {
            throw new IllegalArgumentException("windowTicks must be at least 1 and iterations × windowTicks at most "
                    + "1000000: " + iterations + " × " + windowTicks);
        }
        this.file = file;
        this.iterations = iterations;
        for (int o = 0; o < OPS.length; o++) {
            windows[o] = new LatencyWindow(iterations * windowTicks);
            for (int q = 0; q < QUANTILES.length; q++) {
                quantileKeys[o][q] = MetricKey.of("host_syscall_latency_seconds", "op", OPS[o], "quantile", QUANTILE_LABELS[q]);
            }
            maxKeys[o] = MetricKey.of("host_syscall_latency_max_seconds", "op", OPS[o]);
            countKeys[o] = MetricKey.of("host_syscall_probes", "op", OPS[o]);
            windowKeys[o] = MetricKey.of("host_syscall_window_calls", "op", OPS[o]);
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        int timed = 0;
        try {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            for (int i = 0; i < iterations; i++) {
                buffer.clear();
                long t0 = System.nanoTime();
                channel.read(buffer, 0);
                long t1 = System.nanoTime();
                Files.getLastModifiedTime(file);
                long t2 = System.nanoTime();
                windows[0].add(t1 - t0);
                windows[1].add(t2 - t1);
                timed++;
            }
        } catch (IOException e) {
            closeChannel();
            problem(file, file + ": " + Texts.describe(e));
        }
        if (timed == 0) {
            return; // nothing measured this tick: report nothing rather than stale quantiles
        }
        for (int o = 0; o < OPS.length; o++) {
            LatencyWindow w = windows[o];
            w.rebuild();
            for (int q = 0; q < QUANTILES.length; q++) {
                sink.record(quantileKeys[o][q], w.quantileNanos(QUANTILES[q]) / 1e9, ts);
            }
            sink.record(maxKeys[o], w.maxNanos() / 1e9, ts);
            recordMeta(sink, countKeys[o], timed, ts);
            recordMeta(sink, windowKeys[o], w.size(), ts);
        }
    }

    /**
     * The last {@code capacity} timings of one op: a ring of raw nanoseconds (so old calls can leave the window)
     * and a fixed-size HdrHistogram rebuilt from it on demand. Package-private for tests. Not thread-safe.
     */
    static final class LatencyWindow {
        /** Largest timing tracked: 10 s; longer timings are clamped to it. */
        static final long HIGHEST_NANOS = 10_000_000_000L;
        private final long[] ring;
        private final IntCountsHistogram histogram = new IntCountsHistogram(1, HIGHEST_NANOS, 2);
        private int filled;
        private int next;
        private long max; // largest timing in the window as of the last rebuild; 0 before

        LatencyWindow(int capacity) {
            ring = new long[capacity];
        }

        /**
         * Adds one timing (clamped to 1 ns … 10 s), evicting the oldest once the window is full; the histogram is
         * updated at once (the evicted timing counted out). O(1).
         */
        void add(long nanos) {
            long v = Math.max(1, Math.min(HIGHEST_NANOS, nanos));
            if (filled == ring.length) {
                histogram.recordValueWithCount(ring[next], -1); // leaves the window
            } else {
                filled++;
            }
            ring[next] = v;
            histogram.recordValue(v);
            next = next + 1 == ring.length ? 0 : next + 1;
        }

        /**
         * Makes {@link #maxNanos} current: the histogram's own maximum never forgets a timing that left the window,
         * so the largest timing is found in the ring. O(capacity); allocation-free. (The counts are always current.)
         */
        void rebuild() {
            long m = 0;
            for (int i = 0; i < filled; i++) {
                m = Math.max(m, ring[i]);
            }
            max = m;
        }

        /** Timings in the window. */
        int size() {
            return filled;
        }

        /** The {@code q} quantile (0..1) of the window (the counts are always current), in ns (bucket upper end). */
        long quantileNanos(double q) {
            return histogram.getValueAtPercentile(q * 100.0);
        }

        /** The largest timing of the window as of the last {@link #rebuild}, in ns (bucket upper end). */
        long maxNanos() {
            return max == 0 ? 0 : histogram.highestEquivalentValue(max);
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        closeChannel();
        super.close();
    }
}
