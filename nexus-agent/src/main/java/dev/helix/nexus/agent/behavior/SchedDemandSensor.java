package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
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
 *   <li>Every {@code /proc/[pid]/stat} is read (one small read per process) for the process's CPU time of all its
 *       threads (utime + stime), its thread count and its start time. The processes whose CPU time grew the most
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
 * <p>Cost per tick: one directory listing of the proc root and one {@code stat} read per process, plus one
 * schedstat read per thread of the at most {@code 2·topN} candidates, capped at {@code maxThreadReads} thread reads
 * in all (a candidate whose threads do not fit in what is left of the cap is skipped this tick and loses its
 * history), plus a {@code task} directory listing per candidate whose thread set changed. Memory: O(processes) for
 * the CPU-time history and O(threads of the candidates) for the thread lists. Processes starved so hard that their
 * CPU time is not among the {@code 2·topN} largest are not measured. Not thread-safe (tick thread only).
 *
 * <p>Next to the telemetry {@code ProcessSensor} (as in {@code BehaviorSampler.standardSensors}) step 1 reads the
 * same {@code stat} files that sensor reads in the same tick, and it is the bulk of this sensor's cost. It is not
 * taken from that sensor's metrics because they cover only the processes it reports (its top N per ranking, without
 * start times), not every process the candidates are ranked from; sharing the scan needs a per-process hook in
 * {@code ProcessSensor}.
 */
public final class SchedDemandSensor implements Sensor {

    /** Default cap on thread schedstat reads per tick. */
    public static final int DEFAULT_MAX_THREAD_READS = 4096;

    /** What one {@code /proc/[pid]/stat} read gives: process-wide CPU ticks, thread count, start time, command. */
    record Stat(String comm, long cpuTicks, long threads, long startTime) {
    }

    /** The CPU-time history of one process (keyed by pid; {@code startTime} tells a reused pid). */
    private record Seen(long startTime, long cpuTicks) {
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
    private Map<Long, Seen> seen = new HashMap<>();
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

    @Override
    public void sample(MetricSink sink, long ts) {
        Map<Long, Seen> nextSeen = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc)) {
            for (Path p : dir) {
                long pid = parseId(p.getFileName().toString());
                if (pid <= 0) {
                    continue;
                }
                Stat st = readStat(p.resolve("stat"));
                if (st == null) {
                    continue; // exited, or not a process directory
                }
                nextSeen.put(pid, new Seen(st.startTime(), st.cpuTicks()));
                Seen before = seen.get(pid);
                if (before != null && before.startTime() == st.startTime() && st.cpuTicks() > before.cpuTicks()) {
                    candidates.add(new Candidate(pid, st, st.cpuTicks() - before.cpuTicks()));
                }
            }
        } catch (IOException | RuntimeException e) {
            health = SensorHealth.failed(proc.toString(), "cannot list " + proc + ": " + e.getMessage());
            return;
        }
        seen = nextSeen;
        candidates.sort(Comparator.comparingLong(Candidate::cpuDelta).reversed()
                .thenComparingLong(Candidate::pid));
        Map<Long, Threads> nextThreads = new HashMap<>();
        List<Rate> rates = new ArrayList<>();
        long budget = maxThreadReads;
        for (int i = 0; i < Math.min(2 * topN, candidates.size()); i++) {
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
        health = nextSeen.isEmpty() ? SensorHealth.failed(proc.toString(), "no readable " + proc + "/*/stat")
                : SensorHealth.healthy(proc + "/*/task/*/schedstat");
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
