package dev.helix.nexus.telemetry.process;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.Bytes;
import dev.helix.nexus.telemetry.internal.PageSize;
import dev.helix.nexus.telemetry.internal.FdBudget;
import dev.helix.nexus.telemetry.internal.ProcFileReader;
import dev.helix.nexus.telemetry.internal.StatLine;
import dev.helix.nexus.telemetry.internal.Texts;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-process resource use from {@code /proc/[pid]/{stat,fd,io,cmdline,task}}, reporting the top N processes by CPU,
 * by RSS and by RSS growth (the union, so at most 3N processes). Only processes that used CPU since the previous
 * tick take part in the CPU ranking, and only growing ones in the growth ranking (an idle process is not "top CPU"
 * because fewer than N processes were busy); every process takes part in the RSS ranking.
 *
 * <p>Per reported process, labels {@code pid} and {@code comm}: {@code process_cpu_cores} (CPU seconds per second),
 * {@code process_rss_bytes}, {@code process_rss_growth_bytes_per_second}, {@code process_threads},
 * {@code process_threads_d_state} (threads in uninterruptible sleep), {@code process_open_fds},
 * {@code process_read_bytes_per_second}, {@code process_write_bytes_per_second} (storage I/O from {@code io};
 * absent when not permitted), and {@code process_info{pid, comm, cmdline}} = 1 (the command line, NULs as spaces,
 * cut to {@value #MAX_CMDLINE} characters; empty for kernel threads). Host-wide: {@code host_processes},
 * {@code host_processes_d_state}, {@code host_threads_d_state}, {@code host_processes_zombie}, and the sensor's own
 * work: {@code host_processes_stat_read} (processes whose {@code stat} was read this tick) and
 * {@code host_processes_stat_skipped} (processes carried from an earlier read by the idle re-check, below); the two
 * add up to {@code host_processes} unless a stat line was malformed.
 *
 * <p>What is read, and how often:
 * <ul>
 *   <li>the list of processes: {@code /proc} is listed only when the last pid the kernel allocated (last field of
 *       {@code loadavg}, one kept-open pread) moved since the previous listing, since a new process needs a fork
 *       and every fork or clone takes a new pid; otherwise the processes of the last listing are read again, and
 *       exits show up as failing stat reads. Used only when {@code procRoot/self} names this JVM (the pid
 *       namespace whose last pid loadavg reports); else, and when loadavg cannot be read, {@code /proc} is listed
 *       every tick. Blind spot: exactly {@code pid_max} allocations between two ticks would bring the counter back
 *       to the same value;</li>
 *   <li>every tick, every process that is not idle: {@code stat} only (CPU ticks, RSS pages, threads, state, start
 *       time), read into one reused buffer and parsed in place ({@link StatLine}), no String per file. RSS is the
 *       stat page count times {@code pageSize} (the same kernel counters as {@code VmRSS} in {@code status});</li>
 *   <li>idle processes less often (the <em>idle re-check</em>, off with {@code idleRecheckCap} 1): a process whose
 *       last {@value #IDLE_READS_BEFORE_BACKOFF} reads in a row found CPU ticks, RSS, state and thread count
 *       unchanged is read again after 2 ticks, then 4, 8, ... up to {@code idleRecheckCap} ticks (default
 *       {@value #DEFAULT_IDLE_RECHECK_CAP}); any change found sets it back to every tick. Between reads it is
 *       counted and ranked with the values of its last read (CPU and growth 0, the same RSS), which is what a read
 *       would give while it stays idle. CPU time is a cumulative counter, so none is lost: the read after a wake-up
 *       rates the CPU and RSS change over the whole time since the previous read. The cost is a bounded delay:
 *       an idle process that wakes, grows, blocks or exits (as a zombie) shows up at most {@code idleRecheckCap - 1}
 *       ticks late, and its first rate is the average over that interval. Always read at once, whatever their
 *       interval: new pids; a known pid the last-pid counter moved through since the last listing (it may name a
 *       new process); processes reported on the previous tick (their values are exported); processes last seen
 *       running, in D, stopped or zombie (only {@code S} and {@code I} count as idle); multi-threaded processes on
 *       their task-rotation turn (below) or with a thread last found in D; and every process on a tick on which the
 *       host has tasks in I/O wait ({@code procs_blocked} above 0 or unknown), on which a {@link #scanListener} is
 *       attached (it is promised every process's stat every tick), or when {@code procRoot} is not this JVM's own
 *       procfs (pid reuse cannot be seen there). Exits of unread processes: on ticks without a listing, the
 *       task count of {@code loadavg} (the number after the slash) must equal the previous tick's; since no pid
 *       was allocated, no task was created, so an equal count means none was reaped either. When it differs,
 *       {@code /proc} is listed (about 80 us) and the processes no longer there are dropped on that tick, as
 *       before;</li>
 *   <li>every tick, the reported processes only: {@code fd} (counted from the directory's size on Linux 6.2+
 *       procfs, else listed) and {@code io};</li>
 *   <li>once per process (pid + start time, re-read when the command name changes, i.e. after an exec):
 *       {@code cmdline}. A process that rewrites its argv in place keeps the first command line seen;</li>
 *   <li>per-thread states ({@code task/[tid]/stat}, kept open; the task directory re-listed only when the thread
 *       count changed or a thread's file failed) of multi-threaded processes, for {@code process_threads_d_state}
 *       and the host-wide D-state counts: each multi-threaded process is counted when it is first seen, then every
 *       {@code taskSweepEvery} ticks (default {@value #DEFAULT_TASK_SWEEP_EVERY}; 1 = every tick) in a rotation
 *       by pid, so about 1/{@code taskSweepEvery} of them per tick and no tick pays for all. A <em>reported</em>
 *       process is in addition counted on every tick on which one of these holds: the host has tasks blocked in
 *       I/O wait ({@code procs_blocked} of {@code procRoot/stat} is above 0, or cannot be read, e.g. a fixture
 *       tree), its main thread is in D, or its last count found a thread in D (so an episode is followed to its
 *       end). {@code procs_blocked} is the kernel's {@code nr_iowait()}: tasks sleeping inside
 *       {@code io_schedule()}, which are nearly always in D; it does not count D sleeps outside I/O wait (mutexes
 *       and semaphores, {@code vfork} parents, uninterruptible {@code msleep}), so the gate is <em>not exact</em>:
 *       such a thread, other than the main thread, of a reported process shows in {@code process_threads_d_state}
 *       up to {@code taskSweepEvery - 1} ticks late or, if its D sleep is shorter than that, not at all. Between
 *       its counts a process contributes the count of its last one (at least 1 when its main thread is in D).
 *       Single-threaded processes and main threads are always current (their state is the stat state).</li>
 * </ul>
 *
 * <p>Files read every tick or in rotation ({@code stat}, {@code io}, task {@code stat}) are kept open between ticks, up to
 * {@code maxOpenFiles} (default {@value #DEFAULT_MAX_OPEN_FILES}; capped at an eighth of the process's soft
 * descriptor limit, see {@code FdBudget}), and re-read from offset 0 with one {@code pread}
 * (procfs regenerates them on each read) instead of open, read and close; they are closed when the process exits
 * (the read fails with ESRCH), when its pid is reused, and by {@link #close()}. Beyond the budget files are opened
 * per read.
 *
 * <p>A pid is tracked together with its start time, so a reused pid starts a new history instead of producing a
 * bogus rate. Processes exiting during the scan are normal and not reported as problems; neither is permission
 * denied on another user's {@code fd} or {@code io} (expected without root; remembered per process so it is not
 * retried every tick).
 *
 * <p>Cost per tick: O(processes) stat reads (about processes that changed + idle ones / {@code idleRecheckCap} +
 * the reported ones in steady state), O(N) fd/io reads for the reported processes, one read of
 * {@code procRoot/stat} for {@code procs_blocked}, O(threads of multi-threaded processes / taskSweepEvery) task
 * stat reads for the rotation plus O(threads of the reported processes) on gated ticks (capped at
 * {@link #MAX_TASK_READS} per tick), plus a listing of {@code /proc} on ticks after a fork or clone. Allocation per
 * tick is O(processes) small objects (one name String per directory entry, boxed pids) on ticks that list
 * {@code /proc} (listed by name, {@code ProcFileReader.list}: a {@code Path} only for new pids), and otherwise
 * only for new or reported processes, never O(bytes read). Kernel cost, the bulk of this sensor's CPU: each
 * {@code stat} or task {@code stat} read makes procfs format the whole line (about 3 us per file on a 2-vCPU VM),
 * so it is proportional to the processes plus the threads read that tick. With the idle re-check on, one read
 * of {@code procRoot/stat} ({@code procs_blocked}) per tick, and a {@code /proc} listing on ticks where a task exited. The reported processes are chosen by one
 * bounded selection per ranking ({@link TopSelection}), O(processes × N) at worst, instead of three sorts.
 * Not thread-safe.
 *
 * <p>An optional {@link ProcessScanListener} ({@link #scanListener}) receives the stat fields of every process read
 * in a tick (pid, start time, CPU ticks, threads, command name), so that another sensor needing them reuses this scan
 * instead of reading every {@code stat} again; the call passes values already parsed and the track's cached command
 * String, so it allocates nothing. While a listener is attached the idle re-check is suspended (every process is
 * read every tick, as the listener's contract promises), so a sensor with a listener costs what it did before the
 * re-check existed.
 */
public final class ProcessSensor extends AbstractSensor {

    /** Bound on per-thread stat reads per tick for D-state counting. */
    public static final int MAX_TASK_READS = 20_000;
    /** Default period, in ticks, of the rotation over every multi-threaded process's threads. */
    public static final int DEFAULT_TASK_SWEEP_EVERY = 10;
    /** Longest command line kept in {@code process_info}. */
    public static final int MAX_CMDLINE = 256;
    /** Default budget of /proc files kept open between ticks. */
    public static final int DEFAULT_MAX_OPEN_FILES = 1024;
    /**
     * Default cap, in ticks, on the re-read interval of an idle process's {@code stat} (see the class comment;
     * 1 = every process every tick). Chosen by measurement: docs/benchmarks/telemetry.md, round 6.
     */
    public static final int DEFAULT_IDLE_RECHECK_CAP = 4;
    /** Consecutive unchanged reads after which an idle process's re-read interval starts to double. */
    static final int IDLE_READS_BEFORE_BACKOFF = 2;

    private static final MetricKey PROCS = MetricKey.of("host_processes");
    private static final MetricKey PROCS_D = MetricKey.of("host_processes_d_state");
    private static final MetricKey THREADS_D = MetricKey.of("host_threads_d_state");
    private static final MetricKey ZOMBIES = MetricKey.of("host_processes_zombie");
    private static final MetricKey STAT_READ = MetricKey.of("host_processes_stat_read");
    private static final MetricKey STAT_SKIPPED = MetricKey.of("host_processes_stat_skipped");
    private static final String[] NAMES = {"process_cpu_cores", "process_rss_bytes",
            "process_rss_growth_bytes_per_second", "process_threads", "process_threads_d_state", "process_open_fds",
            "process_read_bytes_per_second", "process_write_bytes_per_second"};
    /** A file of one process, read through a channel kept open while the channel budget allows. */
    private final class Kept {
        final Path path;
        final String tid; // the thread id of a task/[tid]/stat file, else null
        FileChannel channel;

        Kept(Path path) {
            this(path, null);
        }

        Kept(Path path, String tid) {
            this.path = path;
            this.tid = tid;
        }

        /**
         * Reads into the shared buffer: pread on the kept channel; if that fails (the process is gone, or the pid now
         * names another process) the channel is closed and the path opened afresh once.
         *
         * @return bytes read, or -1 when the file does not exist
         */
        int read() throws IOException {
            if (channel != null) {
                try {
                    return reader.pread(channel);
                } catch (IOException e) {
                    close();
                }
            }
            if (openChannels < maxOpenChannels) {
                try {
                    channel = FileChannel.open(path, StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    return -1;
                }
                openChannels++;
                return reader.pread(channel);
            }
            return reader.read(path);
        }

        void close() {
            if (channel != null) {
                openChannels--;
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a /proc file: nothing to do
                }
                channel = null;
            }
        }
    }

    /** State kept per (pid, start time). */
    private final class Track {
        final long pid;
        final Path dir;
        final String pidText;
        final Kept stat;
        final Path task;
        final Path fd;
        final Kept io;
        final Path cmdline;
        Kept[] tasks = NO_TASKS; // kept task/[tid]/stat files, re-listed when the thread count changes
        FileChannel fdChannel; // the fd/ directory kept open: its size (fstat) is the fd count on Linux 6.2+
        boolean tasksStale;
        long startTime;
        long cpuTicks;
        long rssBytes;
        long readBytes = -1;
        long writeBytes = -1;
        long ioTs = Long.MIN_VALUE;
        long ts = Long.MIN_VALUE;
        int idleReads; // consecutive stat reads that found CPU ticks, RSS, state and threads unchanged
        long nextRead; // first tick on which the stat is due again (idle re-check; see readDue)
        MetricKey[] keys;
        MetricKey info;
        String comm;
        boolean fdDenied;
        boolean ioDenied;
        boolean threadsCounted; // dThreads comes from a task sweep (else from the process state)
        boolean countTried; // a count was attempted since the process became multi-threaded
        // this tick
        double cpu = Double.NaN;
        double growth = Double.NaN;
        long rss;
        long threads;
        char state;
        int dThreads;
        boolean seen;
        boolean report;
        boolean countedThisTick;

        Track(long pid, Path dir, String pidText) {
            this.pid = pid;
            this.dir = dir;
            this.pidText = pidText;
            this.stat = new Kept(dir.resolve("stat"));
            this.task = dir.resolve("task");
            this.fd = dir.resolve("fd");
            this.io = new Kept(dir.resolve("io"));
            this.cmdline = dir.resolve("cmdline");
        }

        void close() {
            stat.close();
            io.close();
            closeTasks();
            closeFd();
        }

        void closeFd() {
            if (fdChannel != null) {
                openChannels--;
                try {
                    fdChannel.close();
                } catch (IOException ignored) {
                    // closing a /proc directory: nothing to do
                }
                fdChannel = null;
            }
        }

        void closeTasks() {
            for (Kept k : tasks) {
                k.close();
            }
            tasks = NO_TASKS;
        }
    }

    private static final Kept[] NO_TASKS = new Kept[0];

    private final Path proc;
    private final int topN;
    private final long ticksPerSecond;
    private final long pageSize;
    private final int taskSweepEvery;
    private final int idleRecheckCap;
    private final Map<Long, Track> tracks = new HashMap<>();
    private final List<Track> live = new ArrayList<>();
    private final List<Track> report = new ArrayList<>();
    private final ProcFileReader reader = new ProcFileReader(1024, 1 << 20);
    private final StatLine stat = new StatLine();
    private final int maxOpenChannels;
    private final boolean fdDirSizeIsCount;
    private int openChannels;
    private long tick;
    /** {@code procRoot/loadavg} kept open when procRoot is this JVM's own procfs (see {@link #doSample}); else null. */
    private final Path loadavg;
    private FileChannel loadavgChannel;
    /** {@code procRoot/stat}, for {@code procs_blocked}; its channel is kept open on procfs. */
    private final Path hostStat;
    private final boolean hostStatKeepOpen; // procRoot is a procfs: keep its stat open (decided once)
    private FileChannel hostStatChannel;
    private long listedLastPid = -1;
    /** Last-pid and thread-count fields of this tick's {@code loadavg} read (-1 when unknown). */
    private long loadLastPid = -1;
    private long loadThreads = -1;
    /** {@link #loadThreads} of the previous tick (-1 when unknown). */
    private long previousLoadThreads = -1;
    private long listings;
    private final List<Track> scan = new ArrayList<>();
    private final TopSelection selection = new TopSelection();
    // per tick
    private int badStat;
    private int zombies;
    private int taskReads;
    private int statReads;
    private int statSkipped;
    private boolean skipIdle; // this tick may leave idle processes unread (see doSample)
    // pids the kernel may have handed out since the last listing: (reusedAfter, reusedUpTo], cyclically; every pid
    // when reusedAll. A known pid among them may name a new process, so it is read (see readDue)
    private boolean reusedAll;
    private long reusedAfter;
    private long reusedUpTo;
    private ProcessScanListener scanListener;

    /**
     * Top 10, 100 clock ticks per second (USER_HZ on every mainstream Linux), this system's page size
     * ({@link PageSize#system()}), sweep every 10 ticks.
     */
    public ProcessSensor(Path procRoot) {
        this(procRoot, 10);
    }

    /** As {@link #ProcessSensor(Path)} with the top {@code topN} processes per ranking. */
    public ProcessSensor(Path procRoot, int topN) {
        this(procRoot, topN, 100, PageSize.system());
    }

    /** As {@link #ProcessSensor(Path, int, long, long, int, int)} with the default sweep period and channel budget. */
    public ProcessSensor(Path procRoot, int topN, long ticksPerSecond, long pageSize) {
        this(procRoot, topN, ticksPerSecond, pageSize, DEFAULT_TASK_SWEEP_EVERY, DEFAULT_MAX_OPEN_FILES);
    }

    /**
     * As {@link #ProcessSensor(Path, int, long, long, int, int, int)} with idle re-checks capped at
     * {@value #DEFAULT_IDLE_RECHECK_CAP} ticks.
     */
    public ProcessSensor(Path procRoot, int topN, long ticksPerSecond, long pageSize, int taskSweepEvery,
                         int maxOpenFiles) {
        this(procRoot, topN, ticksPerSecond, pageSize, taskSweepEvery, maxOpenFiles, DEFAULT_IDLE_RECHECK_CAP);
    }

    /**
     * @param procRoot       the proc mount, e.g. {@code /proc}
     * @param topN           how many processes to report per ranking
     * @param ticksPerSecond USER_HZ ({@code getconf CLK_TCK})
     * @param pageSize       bytes per page ({@code getconf PAGESIZE}), to turn stat's RSS pages into bytes
     * @param taskSweepEvery ticks between two counts of a multi-threaded process's thread states when nothing gates
     *                       an earlier one (1 = every tick; see the class comment)
     * @param maxOpenFiles   how many /proc files this sensor may keep open between ticks (0 = open every file
     *                       for each read)
     * @param idleRecheckCap longest interval, in ticks, between two reads of an idle process's {@code stat}
     *                       (1 = every process every tick; see the class comment)
     */
    public ProcessSensor(Path procRoot, int topN, long ticksPerSecond, long pageSize, int taskSweepEvery,
                         int maxOpenFiles, int idleRecheckCap) {
        super("processes", procRoot.toString());
        if (topN < 1 || ticksPerSecond < 1 || pageSize < 1 || taskSweepEvery < 1 || maxOpenFiles < 0
                || idleRecheckCap < 1) {
            throw new IllegalArgumentException("ProcessSensor(" + procRoot + "): topN, ticksPerSecond, pageSize, "
                    + "taskSweepEvery and idleRecheckCap must be positive and maxOpenFiles not negative: " + topN
                    + ", " + ticksPerSecond + ", " + pageSize + ", " + taskSweepEvery + ", " + idleRecheckCap + ", "
                    + maxOpenFiles);
        }
        this.idleRecheckCap = idleRecheckCap;
        this.maxOpenChannels = FdBudget.capped(maxOpenFiles); // a share of the descriptor limit at most
        this.fdDirSizeIsCount = fdDirSizeIsCount(procRoot);
        this.proc = procRoot;
        this.topN = topN;
        this.ticksPerSecond = ticksPerSecond;
        this.pageSize = pageSize;
        this.taskSweepEvery = taskSweepEvery;
        this.loadavg = isOwnProcfs(procRoot) ? procRoot.resolve("loadavg") : null;
        this.hostStat = procRoot.resolve("stat");
        this.hostStatKeepOpen = ProcFileReader.isKernelFileSystem(procRoot);
    }

    /** The proc root this sensor reads. */
    public Path procRoot() {
        return proc;
    }

    /**
     * Attaches a listener that is told about every process this sensor reads from the next tick on (see
     * {@link ProcessScanListener} for the call sequence), replacing any earlier one; null detaches. The listener is
     * called inside {@link #sample} on the sampling thread, so a consumer that needs the scan of the current tick must
     * be sampled after this sensor. While a listener is attached every process's stat is read every tick (the idle
     * re-check is suspended), so the scan it sees is complete.
     */
    public void scanListener(ProcessScanListener listener) {
        this.scanListener = listener;
    }

    /**
     * {@code procs_blocked} of {@code procRoot/stat} (tasks blocked in I/O wait), or -1 when it cannot be read (no
     * such file or line, e.g. a fixture tree without it): then the gate stays open. One pread on a channel kept open
     * (on procfs; else opened per read), no allocation.
     */
    private long procsBlocked() {
        try {
            int n;
            if (hostStatChannel != null) {
                n = reader.pread(hostStatChannel);
            } else if (hostStatKeepOpen && openChannels < maxOpenChannels) {
                hostStatChannel = FileChannel.open(hostStat, StandardOpenOption.READ);
                openChannels++;
                n = reader.pread(hostStatChannel);
            } else {
                n = reader.read(hostStat);
            }
            byte[] b = reader.buffer();
            // the line sits near the end (after the long intr line): search backwards for its start
            for (int end = Bytes.trimEnd(b, 0, n); end > 0; ) {
                int start = Bytes.lastIndexOf(b, 0, end, (byte) '\n') + 1;
                if (Bytes.startsWith(b, start, end, "procs_blocked ")) {
                    long v = Bytes.parseLong(b, start + 14, end);
                    return v < 0 ? -1 : v;
                }
                end = start - 1;
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Whether {@code procRoot} is a procfs of this JVM's pid namespace: its {@code self} link names this process.
     * Only then does {@code loadavg}'s last-pid field (which the kernel gives for the reader's namespace) speak for
     * the pids under {@code procRoot}.
     */
    private static boolean isOwnProcfs(Path procRoot) {
        try {
            Path self = Files.readSymbolicLink(procRoot.resolve("self"));
            return self.toString().equals(Long.toString(ProcessHandle.current().pid()))
                    && Files.isReadable(procRoot.resolve("loadavg"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Sets {@link #loadLastPid} to the last pid the kernel allocated (fifth field of {@code loadavg}, e.g.
     * {@code 0.1 0.2 0.3 1/200 4242}) and {@link #loadThreads} to the number of tasks (threads) in the system (the
     * number after the slash), each -1 when unknown. One pread on a kept channel; no allocation.
     */
    private void readLoadavg() {
        loadLastPid = -1;
        loadThreads = -1;
        if (loadavg == null) {
            return;
        }
        try {
            if (loadavgChannel == null) {
                loadavgChannel = FileChannel.open(loadavg, StandardOpenOption.READ);
            }
            int n = reader.pread(loadavgChannel);
            byte[] b = reader.buffer();
            int end = Bytes.trimEnd(b, 0, n);
            int sp = Bytes.lastIndexOf(b, 0, end, (byte) ' ');
            if (sp < 0) {
                return;
            }
            loadLastPid = Bytes.parseLong(b, sp + 1, end);
            int slash = Bytes.lastIndexOf(b, 0, sp, (byte) '/');
            long threads = slash < 0 ? -1 : Bytes.parseLong(b, slash + 1, sp);
            loadThreads = threads < 0 ? -1 : threads;
        } catch (IOException | RuntimeException e) {
            loadLastPid = -1;
            loadThreads = -1;
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        long thisTick = tick++;
        live.clear();
        badStat = 0;
        zombies = 0;
        taskReads = 0;
        statReads = 0;
        statSkipped = 0;
        for (Track t : tracks.values()) {
            t.seen = false;
        }
        // New processes need a fork, and every fork or clone takes a new pid, which loadavg's last-pid field shows:
        // while it stands still the pids known from the last listing are all there is (exits show up as failing
        // stat reads), so /proc is listed only when it moved (or is unknown, e.g. a fixture tree).
        readLoadavg();
        long lastPid = loadLastPid;
        ProcessScanListener listener = scanListener;
        boolean complete = true;
        if (listener != null) {
            listener.scanStarted(ts);
        }
        // Idle processes may be left unread this tick only when no listener wants every stat, and the host has no
        // task in I/O wait (procs_blocked 0; unknown counts as blocked), so that a process entering D in I/O wait is
        // read at once. Unread processes are known to exist still only when no task was reaped either: no pid was
        // allocated since the last listing and the task count in loadavg equals the previous tick's, since then no
        // task was created and none went away. Otherwise /proc is listed (cheaper than reading every stat).
        long blocked = Long.MIN_VALUE; // not asked yet
        skipIdle = false;
        if (idleRecheckCap > 1 && listener == null) {
            blocked = procsBlocked();
            skipIdle = blocked == 0;
        }
        boolean exitsUnknown = skipIdle && (loadThreads < 0 || loadThreads != previousLoadThreads);
        previousLoadThreads = loadThreads;
        reusedAll = false; // no listing: no pid allocated since the last one
        reusedAfter = 0;
        reusedUpTo = 0;
        if (lastPid < 0 || lastPid != listedLastPid || tracks.isEmpty() || exitsUnknown) {
            listings++;
            reusedAll = lastPid < 0 || listedLastPid < 0;
            reusedAfter = listedLastPid;
            reusedUpTo = lastPid;
            try {
                // names only (one String per entry, no Path): a Path is made for new pids alone
                for (String name : ProcFileReader.list(proc)) {
                    long pid = Texts.parseLong(name);
                    if (pid > 0) {
                        Track t = tracks.get(pid);
                        visit(t, pid, t != null ? t.dir : proc.resolve(name), t != null ? t.pidText : name, thisTick,
                                ts);
                    }
                }
                listedLastPid = lastPid;
            } catch (IOException | RuntimeException e) {
                problem(proc, "cannot list " + proc + ": " + e.getMessage());
                listedLastPid = -1;
                complete = false;
            }
        } else {
            scan.clear();
            scan.addAll(tracks.values());
            for (Track t : scan) {
                visit(t, t.pid, t.dir, t.pidText, thisTick, ts);
            }
        }
        tracks.values().removeIf(t -> {
            if (!t.seen) {
                t.close();
            }
            return !t.seen;
        });
        if (listener != null) {
            listener.scanFinished(ts, complete);
        }
        if (live.isEmpty()) {
            problem(proc, "no process entries in " + proc);
            return;
        }
        report.clear();
        pickReported();
        // reported processes: counted now when the host has I/O waiters (or that is unknown), or when this process
        // has or just had a thread in D; else their rotation turn (in visit) is enough
        boolean askedHost = blocked != Long.MIN_VALUE; // asked at the start of this tick
        boolean hostBlocked = askedHost && blocked != 0;
        for (Track t : report) {
            if (t.threads > 1 && !t.countedThisTick && taskReads < MAX_TASK_READS) {
                if (!askedHost) {
                    hostBlocked = procsBlocked() != 0; // -1 (unknown) keeps the gate open
                    askedHost = true;
                }
                if (hostBlocked || t.state == 'D' || t.dThreads > 0) {
                    taskReads += countDThreads(t);
                }
            }
        }
        int dProcs = 0;
        int dThreads = 0;
        for (Track t : live) {
            int d = Math.max(t.dThreads, t.state == 'D' ? 1 : 0);
            if (d > 0) {
                dProcs++;
            }
            dThreads += d;
        }
        sink.record(PROCS, live.size(), ts);
        sink.record(PROCS_D, dProcs, ts);
        sink.record(THREADS_D, dThreads, ts);
        sink.record(ZOMBIES, zombies, ts);
        sink.record(STAT_READ, statReads, ts);
        sink.record(STAT_SKIPPED, statSkipped, ts);
        for (Track t : report) {
            emit(t, sink, ts);
        }
    }

    /**
     * Reads and rates one process: {@code t} is its track from earlier ticks or null, {@code dir} its
     * {@code /proc/[pid]} directory. Adds it to {@link #live} unless it exited or its stat is malformed.
     */
    private void visit(Track t, long pid, Path dir, String pidText, long thisTick, long ts) {
        if (t != null && skipIdle && !readDue(t, thisTick)) {
            // idle and not due: carried with the values of its last read (CPU and growth 0 since it was unchanged)
            t.seen = true;
            t.report = false;
            t.countedThisTick = false;
            statSkipped++;
            live.add(t);
            return;
        }
        Path statPath;
        int n;
        if (t != null) {
            statPath = t.stat.path;
            n = readQuietly(t.stat);
        } else {
            statPath = dir.resolve("stat");
            n = readQuietly(statPath);
        }
        if (n < 0) {
            return; // exited
        }
        statReads++;
        byte[] b = reader.buffer();
        if (!stat.parse(b, n)) {
            badStat++;
            if (badStat <= 3) {
                problem(statPath, statPath + ": malformed '" + Texts.abbreviate(reader.text(n).strip()) + "'");
            }
            return;
        }
        if (t == null || t.startTime != stat.startTime) {
            if (t != null) {
                t.close(); // the pid names a new process
            }
            t = new Track(pid, dir, pidText);
            t.startTime = stat.startTime;
            tracks.put(pid, t);
        }
        if (t.comm == null || !stat.commEquals(b, t.comm)) {
            t.comm = stat.comm(b);
            t.keys = null; // built when the process is first reported (most never are)
            t.info = null; // exec: read the command line again
        }
        t.seen = true;
        t.report = false;
        t.countedThisTick = false;
        long rss = stat.rssPages * pageSize;
        long cpuTicks = stat.utimeTicks + stat.stimeTicks;
        boolean unchanged = t.ts != Long.MIN_VALUE && cpuTicks == t.cpuTicks && rss == t.rssBytes
                && stat.state == t.state && stat.threads == t.threads;
        t.idleReads = unchanged ? Math.min(t.idleReads + 1, 1 << 20) : 0; // bounded: no overflow in long runs
        t.nextRead = thisTick + recheckInterval(t.idleReads, idleRecheckCap);
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
        t.threads = stat.threads;
        t.state = stat.state;
        if (stat.state == 'Z') {
            zombies++;
        }
        if (stat.threads <= 1) {
            t.dThreads = stat.state == 'D' ? 1 : 0;
            t.threadsCounted = false;
            t.countTried = false;
        } else if ((!t.countTried || Math.floorMod(thisTick + pid, taskSweepEvery) == 0)
                && taskReads < MAX_TASK_READS) {
            taskReads += countDThreads(t); // first sight, or its turn in the rotation by pid
        } else if (!t.threadsCounted) {
            t.dThreads = stat.state == 'D' ? 1 : 0;
        }
        t.ts = ts;
        live.add(t);
        ProcessScanListener listener = scanListener;
        if (listener != null) {
            listener.process(pid, t.startTime, cpuTicks, t.threads, t.comm);
        }
    }

    /**
     * Whether the stat of known process {@code t} must be read on tick {@code thisTick} when idle processes may be
     * skipped: when its re-read interval has run out, when it was reported on the previous tick (its values are
     * exported), when its last state was not sleeping ({@code S} or {@code I}: running, D, zombie and stopped
     * processes are read every tick), when its last thread count found a thread in D, and for a multi-threaded process
     * on its turn in the task rotation or before its first count.
     */
    private boolean readDue(Track t, long thisTick) {
        if (thisTick >= t.nextRead || t.report || (t.state != 'S' && t.state != 'I')
                || (t.threadsCounted && t.dThreads > 0) || mayBeReused(t.pid)) {
            return true;
        }
        return t.threads > 1 && (!t.countTried || Math.floorMod(thisTick + t.pid, taskSweepEvery) == 0);
    }

    /**
     * Whether {@code pid} may have been handed to a new process since the last listing (only asked on a listing
     * tick: between listings no pid is allocated): it lies in the range the last-pid counter moved through, taking
     * a wrap at {@code pid_max} into account; always when either end is unknown.
     */
    private boolean mayBeReused(long pid) {
        if (reusedAll) {
            return true;
        }
        if (reusedAfter <= reusedUpTo) {
            return pid > reusedAfter && pid <= reusedUpTo;
        }
        return pid > reusedAfter || pid <= reusedUpTo; // the counter wrapped
    }

    /**
     * Ticks from one stat read of a process to the next: 1 while it changes, then, after
     * {@value #IDLE_READS_BEFORE_BACKOFF} consecutive reads that found nothing changed, 2, 4, 8, ... up to
     * {@code cap}.
     */
    static long recheckInterval(int idleReads, int cap) {
        if (idleReads < IDLE_READS_BEFORE_BACKOFF || cap <= 1) {
            return 1;
        }
        int doublings = Math.min(idleReads - IDLE_READS_BEFORE_BACKOFF + 1, 30);
        return Math.min(cap, 1L << doublings);
    }

    /** Fills {@link #report} with the top processes of the three rankings ({@link TopSelection}), in report order. */
    private void pickReported() {
        int n = live.size();
        selection.clear(n);
        for (int i = 0; i < n; i++) {
            Track t = live.get(i);
            selection.add(t.cpu, t.rss, t.growth);
        }
        int m = selection.select(topN);
        for (int r = 0; r < m; r++) {
            Track t = live.get(selection.picked(r));
            t.report = true;
            report.add(t);
        }
    }

    private void emit(Track t, MetricSink sink, long ts) {
        MetricKey[] k = t.keys;
        if (k == null) {
            k = new MetricKey[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                k[i] = MetricKey.of(NAMES[i], "pid", t.pidText, "comm", t.comm);
            }
            t.keys = k;
        }
        sink.record(k[0], t.cpu, ts);
        sink.record(k[1], t.rss, ts);
        sink.record(k[2], t.growth, ts);
        sink.record(k[3], t.threads, ts);
        sink.record(k[4], Math.max(t.dThreads, t.state == 'D' ? 1 : 0), ts);
        if (!t.fdDenied) {
            long fds = countEntries(t);
            if (fds >= 0) {
                sink.record(k[5], fds, ts);
            }
        }
        if (t.info == null) {
            t.info = MetricKey.of("process_info", "pid", t.pidText, "comm", t.comm, "cmdline", cmdline(t));
        }
        sink.record(t.info, 1, ts);
        if (t.ioDenied) {
            return;
        }
        int n;
        try {
            n = t.io.read();
        } catch (IOException e) {
            // Kept.read reopens a failing channel once, so an IOException here means the file opened but cannot
            // be read: EACCES from the ptrace check procfs makes at read time (AccessDeniedException only comes
            // from open). Remembered for the life of this track, like permission denied on open; had the process
            // exited, the open would have failed and read() returned -1 instead.
            t.ioDenied = true;
            return;
        } catch (RuntimeException e) {
            return;
        }
        if (n < 0) {
            return;
        }
        long rb = -1;
        long wb = -1;
        byte[] b = reader.buffer();
        for (int line = 0; line < n; ) {
            int end = Bytes.indexOf(b, line, n, (byte) '\n');
            if (end < 0) {
                end = n;
            }
            if (Bytes.startsWith(b, line, end, "read_bytes:")) {
                rb = Bytes.parseLong(b, line + 11, end);
            } else if (Bytes.startsWith(b, line, end, "write_bytes:")) {
                wb = Bytes.parseLong(b, line + 12, end);
            }
            line = end + 1;
        }
        // rates over the interval since this process was last reported (it may drop out of the top N)
        long dt = t.ioTs == Long.MIN_VALUE ? 0 : ts - t.ioTs;
        sink.record(k[6], rate(t.readBytes, rb, dt), ts);
        sink.record(k[7], rate(t.writeBytes, wb, dt), ts);
        t.readBytes = rb;
        t.writeBytes = wb;
        t.ioTs = ts;
    }

    /** The command line, NULs as spaces, trailing ones dropped, cut to MAX_CMDLINE; "" when unreadable or empty. */
    private String cmdline(Track t) {
        int n = readQuietly(t.cmdline);
        if (n <= 0) {
            return "";
        }
        byte[] b = reader.buffer();
        int end = Math.min(n, MAX_CMDLINE);
        while (end > 0 && (b[end - 1] == 0 || Bytes.isWhitespace(b[end - 1]))) {
            end--;
        }
        char[] c = new char[end];
        for (int i = 0; i < end; i++) {
            int v = b[i] & 0xFF;
            c[i] = v < 0x20 || v == 0x7F ? ' ' : (char) v;
        }
        return new String(c);
    }

    private static double rate(long prev, long cur, long dtMillis) {
        return prev < 0 || cur < prev || dtMillis <= 0 ? Double.NaN : (cur - prev) * 1000.0 / dtMillis;
    }

    /**
     * Counts the threads of {@code t} in D from their task stat files, kept open; the task directory is listed again
     * when the thread count in stat differs from the files held, or a thread's file failed (it exited). A thread that
     * exits while another starts between two ticks leaves the count equal: the new thread is read from the next
     * listing on. Returns the number of files read.
     */
    private int countDThreads(Track t) {
        t.countTried = true;
        if ((t.tasksStale || t.tasks.length != t.threads) && !listTasks(t)) {
            return 0; // process exited or not permitted: keep the process-level state
        }
        int d = 0;
        boolean stale = false;
        for (Kept k : t.tasks) {
            int n = readQuietly(k);
            if (n < 0) {
                stale = true;
            } else if (StatLine.stateOnly(reader.buffer(), n) == 'D') {
                d++;
            }
        }
        if (stale) {
            t.tasksStale = true; // some thread exited: list again next time
        }
        t.dThreads = d;
        t.threadsCounted = true;
        t.countedThisTick = true;
        return t.tasks.length == 0 ? 1 : t.tasks.length;
    }

    /** Lists the task directory, keeping the open files of threads still there and closing those of gone ones. */
    private boolean listTasks(Track t) {
        List<Kept> out = new ArrayList<>();
        Map<String, Kept> held = new HashMap<>();
        for (Kept k : t.tasks) {
            held.put(k.tid, k);
        }
        try {
            for (String tid : ProcFileReader.list(t.task)) {
                Kept k = held.remove(tid);
                out.add(k != null ? k : new Kept(t.task.resolve(tid).resolve("stat"), tid));
            }
        } catch (IOException | RuntimeException e) {
            t.closeTasks();
            return false;
        }
        for (Kept gone : held.values()) {
            gone.close();
        }
        t.tasks = out.toArray(NO_TASKS);
        t.tasksStale = false;
        return true;
    }

    /**
     * Open fds of {@code t}: on a real procfs of Linux 6.2 or later the size of {@code /proc/[pid]/fd} is the count
     * (one {@code fstat} of the directory kept open, within the open-file budget, instead of a path walk per tick);
     * otherwise, or when that gives 0 or fails, the directory is listed.
     */
    private long countEntries(Track t) {
        if (fdDirSizeIsCount) {
            try {
                long size;
                if (t.fdChannel == null && openChannels < maxOpenChannels) {
                    t.fdChannel = FileChannel.open(t.fd, StandardOpenOption.READ); // a directory: fstat only
                    openChannels++;
                }
                size = t.fdChannel != null ? t.fdChannel.size()
                        : Files.readAttributes(t.fd, BasicFileAttributes.class).size();
                if (size > 0) {
                    return size;
                }
            } catch (IOException | RuntimeException e) {
                // fall through to listing, which tells permission denied apart
            }
            t.closeFd();
        }
        long n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(t.fd)) {
            for (Path ignored : ds) {
                n++;
            }
            return n;
        } catch (AccessDeniedException e) {
            t.fdDenied = true;
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Whether {@code procRoot} is a procfs whose {@code [pid]/fd} directories report their number of entries as
     * their size (Linux 6.2+): checked once on this JVM's own fd directory, which is never empty.
     */
    private static boolean fdDirSizeIsCount(Path procRoot) {
        try {
            if (!"proc".equals(Files.getFileStore(procRoot).type())) {
                return false;
            }
            Path self = procRoot.resolve(Long.toString(ProcessHandle.current().pid())).resolve("fd");
            return Files.readAttributes(self, BasicFileAttributes.class).size() > 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The number of /proc files kept open right now (for tests and diagnostics). */
    int openFiles() {
        return openChannels;
    }

    /** How many times {@code /proc} has been listed (for tests and diagnostics). */
    long listings() {
        return listings;
    }

    /**
     * The timestamp of the last {@code stat} read of process {@code pid}, or {@code Long.MIN_VALUE} when it is not
     * tracked (for tests and diagnostics).
     */
    long lastReadTs(long pid) {
        Track t = tracks.get(pid);
        return t == null ? Long.MIN_VALUE : t.ts;
    }

    /** Closes every /proc file kept open. */
    @Override
    public void close() {
        for (Track t : tracks.values()) {
            t.close();
        }
        tracks.clear();
        if (loadavgChannel != null) {
            try {
                loadavgChannel.close();
            } catch (IOException ignored) {
                // closing a /proc file: nothing to do
            }
            loadavgChannel = null;
        }
        if (hostStatChannel != null) {
            try {
                hostStatChannel.close();
            } catch (IOException ignored) {
                // closing a /proc file: nothing to do
            }
            hostStatChannel = null;
            openChannels--;
        }
        listedLastPid = -1;
        super.close();
    }

    private int readQuietly(Kept k) {
        try {
            return k.read();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Reads into the shared buffer; -1 when missing or unreadable (a process exiting mid-scan is normal). */
    private int readQuietly(Path p) {
        try {
            return reader.read(p);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
