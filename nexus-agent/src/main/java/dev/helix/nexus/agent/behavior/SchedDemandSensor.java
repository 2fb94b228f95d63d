package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.process.ProcessScanListener;
import dev.helix.nexus.telemetry.process.ProcessSensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU demand of the busiest processes, summed over all their threads: demand = (time running + time waiting on a run
 * queue) per second of wall time, from {@code /proc/[pid]/task/[tid]/schedstat} ("run_ns wait_ns timeslices" per
 * thread). A thread that is runnable all the time demands one core whether or not it gets it, so on a host crowded by
 * other work the demand tells a CPU hog from a process that merely runs a little; this is the signal the process
 * sensor's CPU share lacks under contention. Summing over threads matters for multi-threaded processes (a JVM's
 * main thread usually idles while its workers spin).
 *
 * <p>Metric: {@code process_cpu_demand_cores{pid,comm}} (cores: 2.0 for two threads runnable all the time) for the
 * {@code topN} processes with the highest demand this tick.
 *
 * <p>Per tick:
 * <ol>
 *   <li>Every {@code /proc/[pid]/stat} is read (one small read per process; or taken from an attached process
 *       sensor's scan, see below) for the process's CPU time of all its threads (utime + stime), its thread count
 *       and its start time. The processes whose CPU time grew the most
 *       since the last tick, at most {@code 2·topN} of those whose CPU time grew at all, are the candidates.</li>
 *   <li>For each candidate, in that order, every thread's schedstat is read. The thread list comes from listing
 *       {@code /proc/[pid]/task}, cached per process and re-listed only when the thread count in {@code stat} differs
 *       from the cached list's size or a cached thread's schedstat has gone (the thread exited). The demand over the
 *       interval is the sum over the threads of their counter growth; a thread first seen in a re-list counts with
 *       its whole counter (it started after the previous listing), a thread that exited during the interval counts
 *       with nothing (so the demand of a process that churns threads is a lower bound), and a thread whose counter
 *       went backwards (tid reuse) counts with nothing and is re-based.</li>
 *   <li>A demand is reported for a candidate measured on the previous tick too (two readings are needed), so a
 *       process's first value comes one tick after it first becomes a candidate.</li>
 * </ol>
 * A process is identified by pid and start time: a pid reused by a new process restarts its history (its counters
 * going backwards does too).
 *
 * <p>Cost per tick: one directory listing of the proc root and one {@code stat} read per process (none with a
 * usable shared scan), O(processes) to match them with the previous tick (an open-addressing pid index over arrays
 * reused from tick to tick), plus one schedstat read per thread of the at most {@code 2·topN} candidates (selected
 * in O(candidates · topN)), capped at {@code maxThreadReads} thread reads
 * in all (a candidate whose threads do not fit in what is left of the cap is skipped this tick and loses its
 * history), plus a {@code task} directory listing per candidate whose thread set changed. Memory: O(processes) for
 * the CPU-time history and O(threads of the candidates) for the thread lists. Processes starved so hard that their
 * CPU time is not among the {@code 2·topN} largest are not measured. Not thread-safe (tick thread only).
 *
 * <p>Shared scan: step 1 reads the same {@code stat} files as the telemetry {@code ProcessSensor}, for the same
 * fields, and is the bulk of this sensor's cost. {@link #shareScanOf} attaches this sensor to a {@code ProcessSensor}
 * of the same proc root (as {@code BehaviorSampler.standardSensors} does) through its {@link ProcessScanListener}:
 * that sensor then hands over every process it reads (into arrays reused from tick to tick, no allocation per
 * process) and this sensor skips its own listing and stat reads. The scan is used only when it is complete, stamped
 * with the timestamp of the current {@link #sample} call and not used before; otherwise (the process sensor is
 * sampled after this one, skipped a tick, or failed to list the proc root) this sensor makes its own scan, so a wrong
 * order costs time, never correctness. Both paths give the same processes and values for the same {@code /proc}
 * state, except that (a) the shared scan sees the processes {@code ProcessSensor} visits, which lists the proc root
 * only after a fork (see its blind spot) and (b) it takes what {@code ProcessSensor}'s parser accepts (a full stat
 * line, command name cut to 64 characters), which every real procfs line satisfies. Two ticks with the same
 * timestamp cannot be told apart, so with a clock that stands still and the wrong order a scan one tick old may be
 * used; rates need a later timestamp than the previous tick anyway, so nothing is reported from it.
 * Measured (the two sensors on /proc of a 2-vCPU VM, ~67 processes, top 10, 2000 ticks 10 ms apart after 300 of
 * warm-up, the three variants interleaved in blocks of 100, thread CPU per tick of both sensors' {@code sample},
 * load average 0.1-0.7, two runs): 1.74 / 1.44 ms with
 * this sensor's former per-process scan (HashMap history), 1.66 / 1.36 ms with its own scan as now (detached),
 * 0.68 / 0.56 ms attached, i.e. about 1 ms (60%) saved per tick; the listener adds no allocation to the process
 * sensor (1136 B per tick either way) and this sensor's allocation fell from about 680 KB to 15 KB per tick (what
 * is left is the candidates' schedstat reads).
 */
public final class SchedDemandSensor implements Sensor {

    /** Default cap on thread schedstat reads per tick. */
    public static final int DEFAULT_MAX_THREAD_READS = 4096;

    /** What one {@code /proc/[pid]/stat} read gives: process-wide CPU ticks, thread count, start time, command. */
    record Stat(String comm, long cpuTicks, long threads, long startTime) {
    }

    /**
     * The cached thread list of a candidate (ascending tids) with each thread's run+wait counter at {@code ts}, and
     * the process's metric key.
     */
    private record Threads(long startTime, long[] tids, long[] runWait, long ts, MetricKey key) {
    }

    private record Candidate(long pid, Stat stat, long cpuDelta) {
    }

    private record Rate(long pid, MetricKey key, double demand) {
    }

    private final Path proc;
    private final int topN;
    private final int maxThreadReads;
    /** This tick's scan (filled by the shared scan's listener or by {@link #ownScan}). */
    private Scan scan = new Scan();
    /** The previous tick's scan: the CPU-time history, found by pid through {@link Scan#indexOf}. */
    private Scan previous = new Scan();
    /** The timestamp of the complete shared scan waiting in {@link #scan}, or {@code Long.MIN_VALUE} when none. */
    private long sharedTs = Long.MIN_VALUE;
    private boolean sharedFilling;
    private boolean lastScanShared;
    private final ProcessScanListener listener = new Listener();
    private int[] cand = new int[64];
    private long[] candDelta = new long[64];
    private Map<Long, Threads> threads = new HashMap<>();
    private long threadReadsLastTick;
    private SensorHealth health;

    /** With {@link #DEFAULT_MAX_THREAD_READS}. */
    public SchedDemandSensor(Path procRoot, int topN) {
        this(procRoot, topN, DEFAULT_MAX_THREAD_READS);
    }

    /**
     * @param procRoot       the proc mount, e.g. {@code /proc}
     * @param topN           processes reported per tick, at least 1
     * @param maxThreadReads thread schedstat reads per tick at most, at least 1
     */
    public SchedDemandSensor(Path procRoot, int topN, int maxThreadReads) {
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be >= 1, got " + topN);
        }
        if (maxThreadReads < 1) {
            throw new IllegalArgumentException("maxThreadReads must be >= 1, got " + maxThreadReads);
        }
        this.proc = procRoot;
        this.topN = topN;
        this.maxThreadReads = maxThreadReads;
        this.health = SensorHealth.failed(procRoot + "/*/stat", "not sampled yet");
    }

    @Override
    public String name() {
        return "sched-demand";
    }

    /** Thread schedstat reads made by the last {@link #sample} (for cost checks). */
    public long threadReadsLastTick() {
        return threadReadsLastTick;
    }

    /**
     * Takes step 1 from {@code processes}'s scan from now on (see the class comment): that sensor must read the same
     * proc root and be sampled before this one in each tick. Replaces any listener it had.
     *
     * @throws IllegalArgumentException when it reads another proc root
     */
    public void shareScanOf(ProcessSensor processes) {
        if (!processes.procRoot().equals(proc)) {
            throw new IllegalArgumentException("process sensor reads " + processes.procRoot() + ", this sensor " + proc);
        }
        processes.scanListener(listener);
    }

    /** Whether the last {@link #sample} took the shared scan (else it read every stat itself). */
    public boolean lastScanShared() {
        return lastScanShared;
    }

    @Override
    public void sample(MetricSink sink, long ts) {
        lastScanShared = sharedTs == ts && !sharedFilling;
        sharedTs = Long.MIN_VALUE; // a shared scan is used once
        if (!lastScanShared && !ownScan()) {
            return;
        }
        Scan now = scan;
        // candidates: processes known last tick (same start time) whose CPU time grew; the 2·topN with the largest
        // growth (ties: lower pid first) are selected in order, O(candidates · topN), no allocation per process
        int nc = 0;
        for (int i = 0; i < now.n; i++) {
            int j = previous.indexOf(now.pid[i]);
            if (j >= 0 && previous.start[j] == now.start[i] && now.cpu[i] > previous.cpu[j]) {
                if (nc == cand.length) {
                    cand = Arrays.copyOf(cand, 2 * nc);
                    candDelta = Arrays.copyOf(candDelta, 2 * nc);
                }
                cand[nc] = i;
                candDelta[nc] = now.cpu[i] - previous.cpu[j];
                nc++;
            }
        }
        int take = Math.min(2 * topN, nc);
        List<Candidate> candidates = new ArrayList<>(take);
        for (int k = 0; k < take; k++) {
            int best = k;
            for (int m = k + 1; m < nc; m++) {
                if (candDelta[m] > candDelta[best]
                        || candDelta[m] == candDelta[best] && now.pid[cand[m]] < now.pid[cand[best]]) {
                    best = m;
                }
            }
            int ci = cand[best];
            long cd = candDelta[best];
            cand[best] = cand[k];
            candDelta[best] = candDelta[k];
            cand[k] = ci;
            candDelta[k] = cd;
            candidates.add(new Candidate(now.pid[ci],
                    new Stat(now.comm[ci], now.cpu[ci], now.threads[ci], now.start[ci]), cd));
        }
        boolean empty = now.n == 0;
        scan = previous;
        previous = now;
        previous.index();
        Map<Long, Threads> nextThreads = new HashMap<>();
        List<Rate> rates = new ArrayList<>();
        long budget = maxThreadReads;
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            Threads before = threads.get(c.pid());
            if (before != null && before.startTime() != c.stat().startTime()) {
                before = null;
            }
            Measured m = measure(proc.resolve(Long.toString(c.pid())), c.stat(), before, budget, ts);
            budget -= m.reads();
            if (m.now() == null) {
                continue;
            }
            nextThreads.put(c.pid(), m.now());
            if (before != null && ts > before.ts()) {
                rates.add(new Rate(c.pid(), m.now().key(), m.deltaNs() / 1e6 / (ts - before.ts())));
            }
        }
        threadReadsLastTick = maxThreadReads - budget;
        threads = nextThreads;
        rates.sort(Comparator.comparingDouble(Rate::demand).reversed().thenComparingLong(Rate::pid));
        for (int i = 0; i < Math.min(topN, rates.size()); i++) {
            Rate r = rates.get(i);
            sink.record(r.key(), r.demand(), ts);
        }
        health = empty ? SensorHealth.failed(proc.toString(), "no readable " + proc + "/*/stat")
                : SensorHealth.healthy(proc + "/*/task/*/schedstat");
    }

    /**
     * Step 1 by this sensor: lists the proc root and reads every {@code stat} into {@link #scan}. O(processes).
     *
     * @return false when the proc root cannot be listed (health set to failed)
     */
    private boolean ownScan() {
        scan.clear();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc)) {
            for (Path p : dir) {
                long pid = parseId(p.getFileName().toString());
                if (pid <= 0) {
                    continue;
                }
                Stat st = readStat(p.resolve("stat"));
                if (st != null) { // else exited, or not a process directory
                    scan.add(pid, st.startTime(), st.cpuTicks(), st.threads(), st.comm());
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            health = SensorHealth.failed(proc.toString(), "cannot list " + proc + ": " + e.getMessage());
            return false;
        }
    }

    /** Fills {@link #scan} from an attached {@code ProcessSensor}'s scan. */
    private final class Listener implements ProcessScanListener {
        @Override
        public void scanStarted(long ts) {
            scan.clear();
            sharedFilling = true;
            sharedTs = Long.MIN_VALUE;
        }

        @Override
        public void process(long pid, long startTime, long cpuTicks, long threads, String comm) {
            if (sharedFilling && threads >= 1) { // this sensor's own parser rejects a thread count of 0 too
                scan.add(pid, startTime, cpuTicks, threads, comm);
            }
        }

        @Override
        public void scanFinished(long ts, boolean complete) {
            sharedFilling = false;
            sharedTs = complete ? ts : Long.MIN_VALUE;
        }
    }

    /**
     * One tick's step 1: parallel arrays of pid, start time, CPU ticks, threads and command, grown by doubling and
     * reused, with an open-addressing index by pid built by {@link #index}. Not thread-safe.
     */
    private static final class Scan {
        long[] pid = new long[256];
        long[] start = new long[256];
        long[] cpu = new long[256];
        long[] threads = new long[256];
        String[] comm = new String[256];
        int n;
        /** Slot of each entry plus one, 0 = empty; length a power of two at least twice n. */
        int[] table = new int[512];

        void clear() {
            Arrays.fill(comm, 0, n, null);
            n = 0;
        }

        void add(long p, long s, long c, long t, String name) {
            if (n == pid.length) {
                int size = 2 * n;
                pid = Arrays.copyOf(pid, size);
                start = Arrays.copyOf(start, size);
                cpu = Arrays.copyOf(cpu, size);
                threads = Arrays.copyOf(threads, size);
                comm = Arrays.copyOf(comm, size);
            }
            pid[n] = p;
            start[n] = s;
            cpu[n] = c;
            threads[n] = t;
            comm[n] = name;
            n++;
        }

        /** Rebuilds the pid index. O(n + table length). */
        void index() {
            if (table.length < 2 * n) {
                table = new int[Integer.highestOneBit(2 * n - 1) << 1];
            } else {
                Arrays.fill(table, 0);
            }
            int mask = table.length - 1;
            for (int i = 0; i < n; i++) {
                int h = hash(pid[i]) & mask;
                while (table[h] != 0) {
                    h = (h + 1) & mask;
                }
                table[h] = i + 1;
            }
        }

        /** The entry of {@code p} after {@link #index}, or -1. O(1) expected. */
        int indexOf(long p) {
            int mask = table.length - 1;
            for (int h = hash(p) & mask; table[h] != 0; h = (h + 1) & mask) {
                if (pid[table[h] - 1] == p) {
                    return table[h] - 1;
                }
            }
            return -1;
        }

        private static int hash(long p) {
            long h = p * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }

    /** One candidate's thread readings: the new state (null when skipped), counter growth, reads spent. */
    private record Measured(Threads now, long deltaNs, long reads) {
    }

    /**
     * Reads every thread's schedstat of one process, re-listing its threads when the cached list is stale. O(threads).
     */
    private static Measured measure(Path pidDir, Stat st, Threads before, long budget, long ts) {
        boolean cached = before != null && before.tids().length == st.threads();
        long[] tids = cached ? before.tids() : listTasks(pidDir);
        if (tids == null || tids.length > budget) {
            return new Measured(null, 0, 0);
        }
        long reads = tids.length;
        long[] rw = new long[tids.length];
        if (readAll(pidDir, tids, rw) && cached) {
            // a cached thread exited (and another may have started): re-list once and read the fresh list
            tids = listTasks(pidDir);
            if (tids == null || reads + tids.length > budget) {
                return new Measured(null, 0, reads);
            }
            reads += tids.length;
            rw = new long[tids.length];
            readAll(pidDir, tids, rw);
        }
        // keep the threads read (one that exited while being listed or read is dropped)
        int n = 0;
        long[] keptTids = new long[tids.length];
        long[] keptRw = new long[tids.length];
        for (int i = 0; i < tids.length; i++) {
            if (rw[i] >= 0) {
                keptTids[n] = tids[i];
                keptRw[n] = rw[i];
                n++;
            }
        }
        if (n < tids.length) {
            keptTids = Arrays.copyOf(keptTids, n);
            keptRw = Arrays.copyOf(keptRw, n);
        }
        long delta = 0;
        if (before != null) {
            for (int i = 0; i < n; i++) {
                int j = Arrays.binarySearch(before.tids(), keptTids[i]);
                if (j < 0) {
                    delta += keptRw[i]; // started since the previous listing
                } else if (keptRw[i] >= before.runWait()[j]) {
                    delta += keptRw[i] - before.runWait()[j];
                } // else: the counter went backwards (tid reused): re-based, nothing counted
            }
        }
        MetricKey key = before != null ? before.key()
                : MetricKey.of("process_cpu_demand_cores", "pid", pidDir.getFileName().toString(), "comm", st.comm());
        return new Measured(new Threads(st.startTime(), keptTids, keptRw, ts, key), delta, reads);
    }

    /** Fills {@code rw} with each thread's run+wait ns (-1 when unreadable); true when any was unreadable. */
    private static boolean readAll(Path pidDir, long[] tids, long[] rw) {
        boolean missing = false;
        Path task = pidDir.resolve("task");
        for (int i = 0; i < tids.length; i++) {
            rw[i] = readRunWait(task.resolve(Long.toString(tids[i])).resolve("schedstat"));
            missing |= rw[i] < 0;
        }
        return missing;
    }

    /** Sorted thread ids under {@code pidDir/task}, or null when it cannot be listed (process gone). */
    private static long[] listTasks(Path pidDir) {
        long[] out = new long[16];
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(pidDir.resolve("task"))) {
            for (Path t : ds) {
                long tid = parseId(t.getFileName().toString());
                if (tid > 0) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, 2 * n);
                    }
                    out[n++] = tid;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        long[] tids = Arrays.copyOf(out, n);
        Arrays.sort(tids);
        return tids;
    }

    private static long parseId(String s) {
        return s.length() > 10 ? -1 : parseNonNegative(s, 0, s.length());
    }

    /**
     * The fields of a {@code /proc/[pid]/stat} line this sensor uses, or null when unreadable or malformed. The
     * command is between the first '(' and the last ')' (it may contain both); field n (1-based, {@code proc(5)})
     * after it is whitespace-separated field n - 3: utime 14, stime 15, num_threads 20, starttime 22. O(length).
     */
    static Stat readStat(Path stat) {
        try {
            return parseStat(new String(Files.readAllBytes(stat), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static Stat parseStat(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            return null;
        }
        // fields after the command: index 0 is field 3 (state); utime 11, stime 12, num_threads 17, starttime 19
        long utime = -1;
        long stime = -1;
        long threads = -1;
        long start = -1;
        int field = -1;
        int i = close + 1;
        int n = line.length();
        while (i < n && field < 19) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i == n) {
                break;
            }
            int from = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            field++;
            switch (field) {
                case 11 -> utime = parseNonNegative(line, from, i);
                case 12 -> stime = parseNonNegative(line, from, i);
                case 17 -> threads = parseNonNegative(line, from, i);
                case 19 -> start = parseNonNegative(line, from, i);
                default -> { }
            }
        }
        if (utime < 0 || stime < 0 || threads < 1 || start < 0) {
            return null;
        }
        return new Stat(line.substring(open + 1, close), utime + stime, threads, start);
    }

    /** The decimal number in {@code s[from, to)}, or -1 when it is not one (or has more than 18 digits). */
    private static long parseNonNegative(CharSequence s, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** run_ns + wait_ns of one schedstat file ("run_ns wait_ns timeslices"), or -1 when unreadable or malformed. */
    static long readRunWait(Path schedstat) {
        try {
            String s = new String(Files.readAllBytes(schedstat), StandardCharsets.ISO_8859_1);
            int a = s.indexOf(' ');
            if (a < 0) {
                return -1;
            }
            int b = s.indexOf(' ', a + 1);
            long run = parseNonNegative(s, 0, a);
            long wait = parseNonNegative(s, a + 1, b < 0 ? s.strip().length() : b);
            return run < 0 || wait < 0 ? -1 : run + wait;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public SensorHealth health() {
        return health;
    }
}
