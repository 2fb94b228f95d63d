package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU demand of processes from {@code /proc/[pid]/schedstat} ("run_ns wait_ns timeslices" of the thread-group
 * leader): demand = (time running + time waiting on a run queue) per second of wall time. A CPU-bound thread demands
 * about one core whether or not it gets it, so on a host crowded by other work it tells a CPU hog from a process that
 * merely runs a little; this is the signal the process sensor's CPU share lacks under contention.
 *
 * <p>Metric: {@code process_cpu_demand_cores{pid,comm}} for the {@code topN} processes with the highest demand this
 * tick (the leader thread only: a multi-threaded process's other threads are not counted). A pid is tracked with its
 * first-seen counters; a process whose counters go backwards (pid reuse) restarts its history.
 *
 * <p>Cost: O(processes) small reads per tick. Not thread-safe (tick thread only).
 */
public final class SchedDemandSensor implements Sensor {

    private record Prev(long runWait, long ts) {
    }

    private record Rate(long pid, double demand) {
    }

    private final Path proc;
    private final int topN;
    private final Map<Long, Prev> prev = new HashMap<>();
    private final Map<Long, MetricKey> keys = new HashMap<>();
    private SensorHealth health;

    /**
     * @param procRoot the proc mount, e.g. {@code /proc}
     * @param topN     processes reported per tick, at least 1
     */
    public SchedDemandSensor(Path procRoot, int topN) {
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be >= 1, got " + topN);
        }
        this.proc = procRoot;
        this.topN = topN;
        this.health = SensorHealth.failed(procRoot + "/*/schedstat", "not sampled yet");
    }

    @Override
    public String name() {
        return "sched-demand";
    }

    @Override
    public void sample(MetricSink sink, long ts) {
        Map<Long, Prev> next = new HashMap<>();
        List<Rate> rates = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc)) {
            for (Path p : dir) {
                long pid = parsePid(p.getFileName().toString());
                if (pid <= 0) {
                    continue;
                }
                long rw = readRunWait(p.resolve("schedstat"));
                if (rw < 0) {
                    continue; // exited, or a kernel without schedstats
                }
                next.put(pid, new Prev(rw, ts));
                Prev before = prev.get(pid);
                if (before != null && rw >= before.runWait() && ts > before.ts()) {
                    rates.add(new Rate(pid, (rw - before.runWait()) / 1e6 / (ts - before.ts())));
                }
            }
        } catch (IOException | RuntimeException e) {
            health = SensorHealth.failed(proc.toString(), "cannot list " + proc + ": " + e.getMessage());
            return;
        }
        prev.clear();
        prev.putAll(next);
        keys.keySet().retainAll(next.keySet());
        rates.sort(Comparator.comparingDouble(Rate::demand).reversed());
        for (int i = 0; i < Math.min(topN, rates.size()); i++) {
            Rate r = rates.get(i);
            MetricKey k = keys.get(r.pid());
            if (k == null) {
                String comm = readComm(proc.resolve(Long.toString(r.pid())).resolve("comm"));
                if (comm == null) {
                    continue;
                }
                k = MetricKey.of("process_cpu_demand_cores", "pid", Long.toString(r.pid()), "comm", comm);
                keys.put(r.pid(), k);
            }
            sink.record(k, r.demand(), ts);
        }
        health = next.isEmpty() ? SensorHealth.failed(proc.toString(), "no readable " + proc + "/*/schedstat")
                : SensorHealth.healthy(proc + "/*/schedstat");
    }

    private static long parsePid(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** run_ns + wait_ns, or -1 when unreadable or malformed. */
    static long readRunWait(Path schedstat) {
        try {
            String[] f = Files.readString(schedstat).trim().split("\\s+");
            if (f.length < 2) {
                return -1;
            }
            return Long.parseLong(f[0]) + Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String readComm(Path comm) {
        try {
            return Files.readString(comm).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public SensorHealth health() {
        return health;
    }
}
