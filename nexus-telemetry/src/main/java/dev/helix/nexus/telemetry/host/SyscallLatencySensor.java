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
import org.HdrHistogram.Histogram;

/**
 * Probes kernel responsiveness: each tick times {@code iterations} cheap real system calls of two kinds and reports
 * their latency quantiles, which rise when the host is starved (CPU contention, memory pressure, a stalled
 * filesystem, a noisy neighbour), often before the application notices.
 *
 * <ul>
 *   <li>{@code op="pread"}: a 64-byte positional read of {@code /proc/self/stat} through a channel kept open
 *       (one {@code pread64}, the kernel formatting the file each time);</li>
 *   <li>{@code op="stat"}: {@link Files#getLastModifiedTime} on the same file (one {@code stat}/{@code statx}).</li>
 * </ul>
 *
 * <p>Metrics, per op: {@code host_syscall_latency_seconds{op, quantile="0.5"|"0.99"|"0.999"}},
 * {@code host_syscall_latency_max_seconds{op}} and {@code host_syscall_probes{op}} (calls timed this tick). The
 * histograms ({@link Histogram}, 1 ns .. 10 s, 3 significant digits) are reset every tick.
 *
 * <p>Cost: {@code 2 × iterations} system calls per tick (default 200 each: well under a millisecond on an idle host).
 * A missing or unreadable file gives FAILED naming it. Not thread-safe.
 */
public final class SyscallLatencySensor extends AbstractSensor {

    /** Default calls of each kind per tick. */
    public static final int DEFAULT_ITERATIONS = 200;

    private static final String[] OPS = {"pread", "stat"};
    private static final double[] QUANTILES = {50.0, 99.0, 99.9};
    private static final String[] QUANTILE_LABELS = {"0.5", "0.99", "0.999"};

    private final Path file;
    private final int iterations;
    private final Histogram[] histograms = new Histogram[OPS.length];
    private final MetricKey[][] quantileKeys = new MetricKey[OPS.length][QUANTILES.length];
    private final MetricKey[] maxKeys = new MetricKey[OPS.length];
    private final MetricKey[] countKeys = new MetricKey[OPS.length];
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64);
    private FileChannel channel;

    /** Probes {@code /proc/self/stat} {@value #DEFAULT_ITERATIONS} times per kind per tick. */
    public SyscallLatencySensor() {
        this(Path.of("/proc/self/stat"), DEFAULT_ITERATIONS);
    }

    /** Probes {@code file} {@code iterations} times per kind per tick. */
    public SyscallLatencySensor(Path file, int iterations) {
        super("syscall-latency", file.toString());
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1: " + iterations);
        }
        this.file = file;
        this.iterations = iterations;
        for (int o = 0; o < OPS.length; o++) {
            histograms[o] = new Histogram(1, 10_000_000_000L, 3);
            for (int q = 0; q < QUANTILES.length; q++) {
                quantileKeys[o][q] = MetricKey.of("host_syscall_latency_seconds", "op", OPS[o], "quantile", QUANTILE_LABELS[q]);
            }
            maxKeys[o] = MetricKey.of("host_syscall_latency_max_seconds", "op", OPS[o]);
            countKeys[o] = MetricKey.of("host_syscall_probes", "op", OPS[o]);
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        for (Histogram h : histograms) {
            h.reset();
        }
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
                record(0, t1 - t0);
                record(1, t2 - t1);
            }
        } catch (IOException e) {
            closeChannel();
            problem(file, file + ": " + Texts.describe(e));
        }
        for (int o = 0; o < OPS.length; o++) {
            Histogram h = histograms[o];
            long n = h.getTotalCount();
            if (n == 0) {
                continue;
            }
            for (int q = 0; q < QUANTILES.length; q++) {
                sink.record(quantileKeys[o][q], h.getValueAtPercentile(QUANTILES[q]) / 1e9, ts);
            }
            sink.record(maxKeys[o], h.getMaxValue() / 1e9, ts);
            recordMeta(sink, countKeys[o], n, ts);
        }
    }

    private void record(int op, long nanos) {
        Histogram h = histograms[op];
        h.recordValue(Math.max(1, Math.min(nanos, h.getHighestTrackableValue())));
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
    }
}
