package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.ProcFileReader;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;

/**
 * System-wide exhaustion limits: file handles from {@code /proc/sys/fs/file-nr} and thread ids in use (the task
 * count of {@code /proc/loadavg}) against {@code /proc/sys/kernel/pid_max} and {@code threads-max}.
 *
 * <p>Metrics: {@code host_file_handles_allocated}, {@code host_file_handles_max},
 * {@code host_file_handles_used_fraction}, {@code host_pids_in_use}, {@code host_pid_max},
 * {@code host_pids_used_fraction}, {@code host_threads_max}.
 *
 * <p>O(1) per tick. Not thread-safe (tick thread only).
 */
public final class KernelLimitsSensor extends AbstractSensor {

    private static final MetricKey FH_ALLOC = MetricKey.of("host_file_handles_allocated");
    private static final MetricKey FH_MAX = MetricKey.of("host_file_handles_max");
    private static final MetricKey FH_FRAC = MetricKey.of("host_file_handles_used_fraction");
    private static final MetricKey PIDS = MetricKey.of("host_pids_in_use");
    private static final MetricKey PID_MAX = MetricKey.of("host_pid_max");
    private static final MetricKey PID_FRAC = MetricKey.of("host_pids_used_fraction");
    private static final MetricKey THREADS_MAX = MetricKey.of("host_threads_max");

    private final Path proc;

    /** Reads under {@code procRoot}. */
    public KernelLimitsSensor(Path procRoot) {
        super("kernel-limits", procRoot.resolve("sys").toString());
        this.proc = procRoot;
        if (ProcFileReader.isKernelFileSystem(procRoot)) {
            reader().keepOpen(8); // a handful of fixed files, re-read with one pread each per tick
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        Path fileNr = proc.resolve("sys/fs/file-nr");
        String t = read(fileNr, true);
        if (t != null) {
            String[] f = Texts.fields(t);
            long alloc = f.length == 3 ? Texts.parseLong(f[0]) : -1;
            long max = f.length == 3 ? Texts.parseLong(f[2]) : -1;
            if (alloc < 0 || max < 0) {
                problem(fileNr, fileNr + ": want 'allocated unused max', got '" + t.strip() + "'");
            } else {
                sink.record(FH_ALLOC, alloc, ts);
                sink.record(FH_MAX, max, ts);
                if (max > 0) {
                    sink.record(FH_FRAC, (double) alloc / max, ts);
                }
            }
        }
        long pidMax = readNumber(proc.resolve("sys/kernel/pid_max"));
        if (pidMax >= 0) {
            sink.record(PID_MAX, pidMax, ts);
        }
        long threadsMax = readNumber(proc.resolve("sys/kernel/threads-max"));
        if (threadsMax >= 0) {
            sink.record(THREADS_MAX, threadsMax, ts);
        }
        Path loadavg = proc.resolve("loadavg");
        String la = read(loadavg, true);
        if (la != null) {
            String[] f = Texts.fields(la);
            int slash = f.length >= 4 ? f[3].indexOf('/') : -1;
            long tasks = slash > 0 ? Texts.parseLong(f[3].substring(slash + 1)) : -1;
            if (tasks < 0) {
                problem(loadavg, loadavg + ": no running/total task field");
            } else {
                sink.record(PIDS, tasks, ts);
                if (pidMax > 0) {
                    sink.record(PID_FRAC, (double) tasks / pidMax, ts);
                }
            }
        }
    }

    private long readNumber(Path p) {
        String t = read(p, true);
        if (t == null) {
            return -1;
        }
        long v = Texts.parseLong(t);
        if (v < 0) {
            problem(p, p + ": not a number '" + Texts.abbreviate(t.strip()) + "'");
            return -1;
        }
        return v;
    }
}
