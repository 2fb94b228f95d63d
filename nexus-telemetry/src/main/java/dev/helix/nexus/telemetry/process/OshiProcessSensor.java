package dev.helix.nexus.telemetry.process;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.CounterRates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import oshi.SystemInfo;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Per-process resource use through OSHI ({@code OperatingSystem.getProcesses}): the fallback of {@link ProcessSensor}
 * where {@code /proc/self/stat} cannot be read (macOS, Windows, BSD, a restricted container).
 * {@code TelemetrySensorProvider} registers it only there; it works on Linux too (OSHI reads {@code /proc}), which is
 * how it is tested on a real process list.
 *
 * <p>It reports the same processes as {@link ProcessSensor} — the top N by CPU (only those with CPU above 0), by RSS
 * and by RSS growth (only growing ones), as the union, chosen by the same {@link TopSelection} — under the same
 * metric names and labels ({@code pid}, {@code comm} = OSHI's process name) wherever OSHI has the value:
 * {@code process_cpu_cores} (kernel plus user time over the elapsed time between the two sample timestamps the caller
 * passes, i.e. its injected clock; NaN on a process's first tick), {@code process_rss_bytes},
 * {@code process_rss_growth_bytes_per_second}, {@code process_threads}, {@code process_open_fds},
 * {@code process_read_bytes_per_second}, {@code process_write_bytes_per_second} and
 * {@code process_info{pid, comm, cmdline}} = 1 (control characters as spaces, cut to
 * {@value ProcessSensor#MAX_CMDLINE} characters, read once per process); host-wide {@code host_processes} and
 * {@code host_processes_zombie}. CPU and byte rates go through {@link CounterRates} (no rate on the first reading, NaN
 * on a reset such as a reused pid, never a negative rate).
 *
 * <p>Not reported, because OSHI has no portable equivalent: {@code process_threads_d_state},
 * {@code host_processes_d_state} and {@code host_threads_d_state} (OSHI's {@code WAITING} state means "D" on Linux but
 * other things elsewhere). What the bytes count depends on the platform: storage I/O on Linux ({@code read_bytes}),
 * disk I/O on macOS, all I/O (files, network, devices) on Windows.
 *
 * <p>OSHI reports what it cannot read as 0 or -1 instead of failing, so such values are "unknown", never a healthy
 * zero: a process's RSS or thread count of 0 or less, an open-file count of 0 or less (-1: the platform has no count;
 * 0: it could not read it, e.g. another user's process; a process without a single open file is too rare to tell
 * apart) leaves that metric out for that process and makes the sensor DEGRADED with a reason counting how many
 * reported processes lacked it. A cumulative byte counter of 0 leaves that process's byte rate out (it may be
 * unreadable, or the process may never have done I/O; the two cannot be told apart); when no reported process has a
 * non-zero byte counter, the counters are taken as unavailable and that is a DEGRADED reason too. An empty process
 * list (on Linux: {@code /proc} hidden) is FAILED with a reason, as nothing can be reported.
 *
 * <p>Cost per tick: whatever OSHI's full process listing costs on the platform (on Linux several {@code /proc} files
 * per process, plus a count of {@code fd/} for each, done by OSHI), plus O(processes × N) for the selection and O(N)
 * command-line reads for newly reported processes. Memory: one track per live process; tracks and counter state of
 * exited processes are dropped on the tick that misses them. OSHI is initialised on the first sample (a
 * {@link LinkageError} there, e.g. no JNA native library, makes the sensor FAILED naming it). Not thread-safe (tick
 * thread only).
 */
public final class OshiProcessSensor extends AbstractSensor {

    /** Default number of processes per ranking, as {@link ProcessSensor}. */
    public static final int DEFAULT_TOP_N = 10;
    private static final String SOURCE = "oshi";
    private static final MetricKey PROCS = MetricKey.of("host_processes");
    private static final MetricKey ZOMBIES = MetricKey.of("host_processes_zombie");
    private static final String[] NAMES = {"process_cpu_cores", "process_rss_bytes",
            "process_rss_growth_bytes_per_second", "process_threads", "process_open_fds",
            "process_read_bytes_per_second", "process_write_bytes_per_second"};

    /** The process list; may throw ({@link LinkageError}, {@link RuntimeException}), which fails that tick only. */
    @FunctionalInterface
    interface ProcessSource {
        /** Every process OSHI can see right now. */
        List<OSProcess> processes();
    }

    /** Creates the source on the first sample (OSHI's initialisation may fail with a LinkageError). */
    @FunctionalInterface
    interface SourceFactory {
        ProcessSource create();
    }

    /** State kept per (pid, start time). */
    private static final class Track {
        final int pid;
        final String pidText;
        final long startTime;
        final Object readSlot = new Object(); // CounterRates keys (identity) of this process's byte counters
        final Object writeSlot = new Object();
        String comm;
        MetricKey[] keys;
        MetricKey info;
        OSProcess process; // this tick's reading, for the command line of a newly reported process
        long rss = -1;
        long rssTs;
        boolean seen;
        // this tick
        double cpu;
        double growth;
        long threads;
        long openFiles;
        long readBytes;
        long writeBytes;
        double readRate;
        double writeRate;

        Track(int pid, long startTime) {
            this.pid = pid;
            this.pidText = Integer.toString(pid);
            this.startTime = startTime;
        }
    }

    private final SourceFactory factory;
    private final int topN;
    private final CounterRates rates = new CounterRates();
    private final Map<Integer, Track> tracks = new HashMap<>();
    private final List<Track> live = new ArrayList<>();
    private final TopSelection selection = new TopSelection();
    private ProcessSource source;
    private String unavailable;

    /** The top {@value #DEFAULT_TOP_N} per ranking of this machine's processes through OSHI. */
    public OshiProcessSensor() {
        this(DEFAULT_TOP_N);
    }

    /** As {@link #OshiProcessSensor()} with the top {@code topN} processes per ranking. */
    public OshiProcessSensor(int topN) {
        this(() -> {
            OperatingSystem os = new SystemInfo().getOperatingSystem();
            return () -> os.getProcesses(null, null, 0);
        }, topN);
    }

    /** For tests: reads the processes {@code factory}'s source lists instead of OSHI's. */
    OshiProcessSensor(SourceFactory factory, int topN) {
        super("oshi-processes", SOURCE);
        if (topN < 1) {
            throw new IllegalArgumentException("OshiProcessSensor: topN must be positive, got " + topN);
        }
        this.factory = factory;
        this.topN = topN;
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        if (source == null) {
            if (unavailable == null) {
                try {
                    source = factory.create();
                } catch (LinkageError | RuntimeException e) {
                    unavailable = "OSHI unavailable: " + e;
                }
            }
            if (source == null) {
                problem(SOURCE, unavailable);
                return;
            }
        }
        List<OSProcess> list;
        try {
            list = source.processes();
        } catch (LinkageError | RuntimeException e) {
            problem(SOURCE, "oshi: cannot list processes: " + e);
            return;
        }
        for (Track t : tracks.values()) {
            t.seen = false;
        }
        live.clear();
        int zombies = 0;
        for (OSProcess p : list == null ? List.<OSProcess>of() : list) {
            OSProcess.State state = p.getState();
            if (state == OSProcess.State.INVALID || p.getProcessID() < 0) {
                continue; // exited between listing and reading
            }
            if (state == OSProcess.State.ZOMBIE) {
                zombies++;
            }
            visit(p, ts);
        }
        boolean gone = tracks.values().removeIf(t -> !t.seen);
        if (gone) {
            Set<Object> keep = new HashSet<>();
            for (Track t : tracks.values()) {
                keep.add(t);
                keep.add(t.readSlot);
                keep.add(t.writeSlot);
            }
            rates.retainOnly(keep); // bounded memory with churning processes
        }
        if (live.isEmpty()) {
            problem(SOURCE, "oshi: no processes listed (on Linux OSHI reads /proc, which is hidden or unreadable "
                    + "here): no process_* or host_processes metrics");
            return;
        }
        sink.record(PROCS, live.size(), ts);
        sink.record(ZOMBIES, zombies, ts);
        emitReported(sink, ts);
    }

    /** Reads one process into its track (a new one for a new pid or a reused one) and adds it to {@link #live}. */
    private void visit(OSProcess p, long ts) {
        int pid = p.getProcessID();
        long start = p.getStartTime();
        Track t = tracks.get(pid);
        if (t == null || t.startTime != start) {
            if (t != null) {
                rates.forget(t);
                rates.forget(t.readSlot);
                rates.forget(t.writeSlot);
            }
            t = new Track(pid, start);
            tracks.put(pid, t);
        }
        String name = p.getName();
        name = name == null ? "" : name;
        if (!name.equals(t.comm)) {
            t.comm = name; // an exec: new labels and command line
            t.keys = null;
            t.info = null;
        }
        t.seen = true;
        t.process = p;
        long kernel = p.getKernelTime();
        long user = p.getUserTime();
        if (kernel >= 0 && user >= 0) {
            double msPerSecond = rates.rate(t, kernel + user, ts);
            t.cpu = msPerSecond / 1000.0;
        } else {
            rates.forget(t);
            t.cpu = Double.NaN;
        }
        long rss = p.getResidentSetSize();
        if (rss > 0 && t.rss > 0 && ts > t.rssTs) {
            t.growth = (rss - t.rss) * 1000.0 / (ts - t.rssTs);
        } else {
            t.growth = Double.NaN;
        }
        t.rss = rss;
        t.rssTs = ts;
        t.threads = p.getThreadCount();
        t.openFiles = p.getOpenFiles();
        t.readBytes = p.getBytesRead();
        t.writeBytes = p.getBytesWritten();
        t.readRate = byteRate(t.readSlot, t.readBytes, ts);
        t.writeRate = byteRate(t.writeSlot, t.writeBytes, ts);
        live.add(t);
    }

    /** The rate of a cumulative byte counter, or NaN (and no state) while it reads 0 or less: unknown. */
    private double byteRate(Object slot, long bytes, long ts) {
        if (bytes <= 0) {
            rates.forget(slot);
            return Double.NaN;
        }
        return rates.rate(slot, bytes, ts);
    }

    /** Picks the reported processes ({@link TopSelection}) and records their metrics and what was unknown. */
    private void emitReported(MetricSink sink, long ts) {
        int n = live.size();
        selection.clear(n);
        for (int i = 0; i < n; i++) {
            Track t = live.get(i);
            selection.add(t.cpu, Math.max(0, t.rss), t.growth);
        }
        int m = selection.select(topN);
        int noRss = 0;
        int noThreads = 0;
        int noFiles = 0;
        long filesValue = 0;
        int withBytes = 0;
        for (int r = 0; r < m; r++) {
            Track t = live.get(selection.picked(r));
            MetricKey[] k = keys(t);
            sink.record(k[0], t.cpu, ts);
            if (t.rss > 0) {
                sink.record(k[1], t.rss, ts);
                sink.record(k[2], t.growth, ts);
            } else {
                noRss++;
            }
            if (t.threads > 0) {
                sink.record(k[3], t.threads, ts);
            } else {
                noThreads++;
            }
            if (t.openFiles > 0) {
                sink.record(k[4], t.openFiles, ts);
            } else {
                noFiles++;
                filesValue = t.openFiles;
            }
            if (t.readBytes > 0 || t.writeBytes > 0) {
                withBytes++;
            }
            if (t.readBytes > 0) {
                sink.record(k[5], t.readRate, ts);
            }
            if (t.writeBytes > 0) {
                sink.record(k[6], t.writeRate, ts);
            }
            if (t.info == null) {
                t.info = MetricKey.of("process_info", "pid", t.pidText, "comm", t.comm, "cmdline", cmdline(t.process));
            }
            sink.record(t.info, 1, ts);
        }
        for (Track t : live) {
            t.process = null; // do not keep OSHI's objects beyond the tick
        }
        if (noRss > 0) {
            problem("oshi:processes", "oshi: RSS unknown (0 or less) for " + noRss + " of " + m
                    + " reported processes: process_rss_bytes left out for them");
        }
        if (noThreads > 0) {
            problem("oshi:processes", "oshi: thread count unknown (0 or less) for " + noThreads + " of " + m
                    + " reported processes: process_threads left out for them");
        }
        if (noFiles > 0) {
            problem("oshi:processes", "oshi: open files unknown for " + noFiles + " of " + m + " reported processes"
                    + (noFiles == m && filesValue < 0 ? " (-1: no count on this platform)" : " (OSHI gave "
                    + filesValue + ": not readable, e.g. another user's process)")
                    + ": process_open_fds left out for them");
        }
        if (m > 0 && withBytes == 0) {
            problem("oshi:processes", "oshi: I/O byte counters 0 for all " + m + " reported processes (not "
                    + "readable here): no process_read/write_bytes_per_second");
        }
    }

    private static MetricKey[] keys(Track t) {
        MetricKey[] k = t.keys;
        if (k == null) {
            k = new MetricKey[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                k[i] = MetricKey.of(NAMES[i], "pid", t.pidText, "comm", t.comm);
            }
            t.keys = k;
        }
        return k;
    }

    /** OSHI's command line, control characters as spaces, trailing blanks dropped, cut to MAX_CMDLINE; "" if none. */
    static String cmdline(OSProcess p) {
        String s;
        try {
            s = p == null ? null : p.getCommandLine();
        } catch (RuntimeException e) {
            s = null; // not permitted or gone: the same "" as a kernel thread, as in ProcessSensor
        }
        if (s == null) {
            return "";
        }
        int end = Math.min(s.length(), ProcessSensor.MAX_CMDLINE);
        char[] c = new char[end];
        for (int i = 0; i < end; i++) {
            char v = s.charAt(i);
            c[i] = v < 0x20 || v == 0x7F ? ' ' : v;
        }
        return new String(c).stripTrailing();
    }

    /** Number of processes tracked right now (for tests and diagnostics). */
    int tracked() {
        return tracks.size();
    }
}
