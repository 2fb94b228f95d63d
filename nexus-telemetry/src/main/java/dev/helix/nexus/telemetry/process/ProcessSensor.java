package dev.helix.nexus.telemetry.process;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.PidStat;
import dev.helix.nexus.telemetry.internal.Texts;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-process resource use from {@code /proc/[pid]/{stat,status,fd,io,task}}, reporting the top N processes by CPU,
 * by RSS and by RSS growth (the union, so at most 3N processes).
 *
 * <p>Per reported process, labels {@code pid} and {@code comm}: {@code process_cpu_cores} (CPU seconds per second),
 * {@code process_rss_bytes}, {@code process_rss_growth_bytes_per_second}, {@code process_threads},
 * {@code process_threads_d_state} (threads in uninterruptible sleep), {@code process_open_fds},
 * {@code process_read_bytes_per_second}, {@code process_write_bytes_per_second} (storage I/O from {@code io};
 * absent when not permitted). Host-wide: {@code host_processes}, {@code host_processes_d_state},
 * {@code host_threads_d_state}, {@code host_processes_zombie}.
 *
 * <p>A pid is tracked together with its start time, so a reused pid starts a new history instead of producing a
 * bogus rate. Processes exiting during the scan are normal and not reported as problems; neither is permission
 * denied on another user's {@code fd} or {@code io} (expected without root).
 *
 * <p>Cost: O(processes) stat and status reads plus O(threads) task stat reads for multi-threaded processes (capped
 * at {@link #MAX_TASK_READS} per tick), then fd and io reads for the reported processes only. Not thread-safe.
 */
public final class ProcessSensor extends AbstractSensor {

    /** Bound on per-thread stat reads per tick for D-state counting. */
    public static final int MAX_TASK_READS = 20_000;

    private static final MetricKey PROCS = MetricKey.of("host_processes");
    private static final MetricKey PROCS_D = MetricKey.of("host_processes_d_state");
    private static final MetricKey THREADS_D = MetricKey.of("host_threads_d_state");
    private static final MetricKey ZOMBIES = MetricKey.of("host_processes_zombie");
    private static final String[] NAMES = {"process_cpu_cores", "process_rss_bytes",
            "process_rss_growth_bytes_per_second", "process_threads", "process_threads_d_state", "process_open_fds",
            "process_read_bytes_per_second", "process_write_bytes_per_second"};

    /** State kept per (pid, start time). */
    private static final class Track {
        long startTime;
        long cpuTicks;
        long rssBytes;
        long readBytes = -1;
        long writeBytes = -1;
        long ioTs = Long.MIN_VALUE;
        long ts;
        MetricKey[] keys;
        String comm;
        // this tick
        double cpu = Double.NaN;
        double growth = Double.NaN;
        long rss;
        long threads;
        int dThreads;
        boolean seen;
    }

    private final Path proc;
    private final int topN;
    private final long ticksPerSecond;
    private final long pageSize;
    private final Map<Long, Track> tracks = new HashMap<>();

    /** Top 10, 100 clock ticks per second (USER_HZ on every mainstream Linux), 4 KiB pages. */
    public ProcessSensor(Path procRoot) {
        this(procRoot, 10, 100, 4096);
    }

    /**
     * @param procRoot       the proc mount, e.g. {@code /proc}
     * @param topN           how many processes to report per ranking
     * @param ticksPerSecond USER_HZ ({@code getconf CLK_TCK})
     * @param pageSize       bytes per page, used when {@code status} lacks VmRSS
     */
    public ProcessSensor(Path procRoot, int topN, long ticksPerSecond, long pageSize) {
        super("processes", procRoot.toString());
        if (topN < 1 || ticksPerSecond < 1 || pageSize < 1) {
            throw new IllegalArgumentException("topN, ticksPerSecond and pageSize must be positive");
        }
        this.proc = procRoot;
        this.topN = topN;
        this.ticksPerSecond = ticksPerSecond;
        this.pageSize = pageSize;
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        List<Track> live = new ArrayList<>();
        int dProcs = 0;
        int dThreads = 0;
        int zombies = 0;
        int taskReads = 0;
        int badStat = 0;
        for (Track t : tracks.values()) {
            t.seen = false;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                long pid = Texts.parseLong(name);
                if (pid <= 0) {
                    continue;
                }
                String statText = readQuietly(p.resolve("stat"));
                if (statText == null) {
                    continue; // exited
                }
                PidStat st = PidStat.parse(statText);
                if (st == null) {
                    badStat++;
                    if (badStat <= 3) {
                        problem(p.resolve("stat"), p.resolve("stat") + ": malformed '" + Texts.abbreviate(statText.strip()) + "'");
                    }
                    continue;
                }
                Track t = tracks.get(pid);
                if (t == null || t.startTime != st.startTime()) {
                    t = new Track();
                    t.startTime = st.startTime();
                    t.ts = Long.MIN_VALUE;
                    tracks.put(pid, t);
                }
                if (t.keys == null || !st.comm().equals(t.comm)) {
                    t.comm = st.comm();
                    t.keys = new MetricKey[NAMES.length];
                    for (int i = 0; i < NAMES.length; i++) {
                        t.keys[i] = MetricKey.of(NAMES[i], "pid", Long.toString(pid), "comm", st.comm());
                    }
                }
                t.seen = true;
                long rss = rssBytes(p, st);
                long cpuTicks = st.utimeTicks() + st.stimeTicks();
                long dt = ts - t.ts;
                if (t.ts != Long.MIN_VALUE && dt > 0) {
                    long dc = cpuTicks - t.cpuTicks;
                    t.cpu = dc >= 0 ? (double) dc / ticksPerSecond / (dt / 1000.0) : Double.NaN;
                    t.growth = (rss - t.rssBytes) / (dt / 1000.0);
                } else {
                    t.cpu = Double.NaN;
                    t.growth = Double.NaN;
                }
                t.cpuTicks = cpuTicks;
                t.rssBytes = rss;
                t.rss = rss;
                t.threads = st.threads();
                t.dThreads = st.state() == 'D' ? 1 : 0;
                if (st.state() == 'Z') {
                    zombies++;
                }
                if (st.threads() > 1 && taskReads < MAX_TASK_READS) {
                    taskReads += countDThreads(p, t);
                }
                if (t.dThreads > 0 || st.state() == 'D') {
                    dProcs++;
                }
                dThreads += t.dThreads;
                t.ts = ts;
                live.add(t);
            }
        } catch (IOException | RuntimeException e) {
            problem(proc, "cannot list " + proc + ": " + e.getMessage());
        }
        tracks.values().removeIf(t -> !t.seen);
        if (live.isEmpty()) {
            problem(proc, "no process entries in " + proc);
            return;
        }
        sink.record(PROCS, live.size(), ts);
        sink.record(PROCS_D, dProcs, ts);
        sink.record(THREADS_D, dThreads, ts);
        sink.record(ZOMBIES, zombies, ts);
        Set<Track> report = new HashSet<>();
        pick(live, Comparator.comparingDouble((Track t) -> Double.isNaN(t.cpu) ? -1 : t.cpu), report);
        pick(live, Comparator.comparingLong((Track t) -> t.rss), report);
        pick(live, Comparator.comparingDouble((Track t) -> Double.isNaN(t.growth) ? Double.NEGATIVE_INFINITY : t.growth), report);
        for (Track t : report) {
            emit(t, sink, ts);
        }
    }

    private void pick(List<Track> live, Comparator<Track> order, Set<Track> into) {
        live.sort(order.reversed());
        for (int i = 0; i < topN && i < live.size(); i++) {
            into.add(live.get(i));
        }
    }

    private void emit(Track t, MetricSink sink, long ts) {
        MetricKey[] k = t.keys;
        String pid = k[0].label("pid");
        Path p = proc.resolve(pid);
        sink.record(k[0], t.cpu, ts);
        sink.record(k[1], t.rss, ts);
        sink.record(k[2], t.growth, ts);
        sink.record(k[3], t.threads, ts);
        sink.record(k[4], t.dThreads, ts);
        long fds = countEntries(p.resolve("fd"));
        if (fds >= 0) {
            sink.record(k[5], fds, ts);
        }
        String io = readQuietly(p.resolve("io"));
        if (io != null) {
            long rb = -1;
            long wb = -1;
            for (String line : io.split("\n")) {
                if (line.startsWith("read_bytes:")) {
                    rb = Texts.parseLong(line.substring(11));
                } else if (line.startsWith("write_bytes:")) {
                    wb = Texts.parseLong(line.substring(12));
                }
            }
            // rates over the interval since this process was last reported (it may drop out of the top N)
            long dt = t.ioTs == Long.MIN_VALUE ? 0 : ts - t.ioTs;
            sink.record(k[6], rate(t.readBytes, rb, dt), ts);
            sink.record(k[7], rate(t.writeBytes, wb, dt), ts);
            t.readBytes = rb;
            t.writeBytes = wb;
            t.ioTs = ts;
        }
    }

    private static double rate(long prev, long cur, long dtMillis) {
        return prev < 0 || cur < prev || dtMillis <= 0 ? Double.NaN : (cur - prev) * 1000.0 / dtMillis;
    }

    private int countDThreads(Path p, Track t) {
        int reads = 0;
        int d = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(p.resolve("task"))) {
            for (Path task : tasks) {
                String s = readQuietly(task.resolve("stat"));
                reads++;
                if (s == null) {
                    continue;
                }
                int close = s.lastIndexOf(')');
                if (close > 0 && close + 2 < s.length() && s.charAt(close + 2) == 'D') {
                    d++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return reads; // process exited or not permitted: keep the process-level state
        }
        t.dThreads = d;
        return reads;
    }

    private long rssBytes(Path p, PidStat st) {
        String status = readQuietly(p.resolve("status"));
        if (status != null) {
            int i = status.indexOf("VmRSS:");
            if (i >= 0) {
                int end = status.indexOf('\n', i);
                String[] f = Texts.fields(status.substring(i + 6, end < 0 ? status.length() : end));
                long kb = f.length >= 1 ? Texts.parseLong(f[0]) : -1;
                if (kb >= 0) {
                    return kb * 1024;
                }
            }
        }
        return st.rssPages() * pageSize; // kernel threads have no VmRSS: 0 pages
    }

    private static long countEntries(Path dir) {
        long n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path ignored : ds) {
                n++;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Texts.readOrNull(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
