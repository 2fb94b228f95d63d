package dev.helix.nexus.telemetry.cgroup;

import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.Bytes;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v1 controllers: cpu, cpuacct, memory, pids, blkio, freezer. Each controller's hierarchy is walked from
 * its mount point to {@code maxDepth} levels, at most {@code maxGroups} groups per controller. Labels:
 * {@code cgroup} (e.g. "/process_api/9050de..."), {@code hierarchy="v1"}.
 *
 * <p>Metrics: cpu: {@code cgroup_cpu_throttled_periods_fraction}, {@code cgroup_cpu_throttled_seconds_per_second},
 * {@code cgroup_cpu_limit_cores} (quota/period, when limited); cpuacct: {@code cgroup_cpu_usage_cores},
 * {@code cgroup_cpu_user_cores}, {@code cgroup_cpu_system_cores}; memory: {@code cgroup_memory_usage_bytes},
 * {@code cgroup_memory_limit_bytes} and {@code cgroup_memory_usage_fraction} (when limited),
 * {@code cgroup_memory_failcnt_per_second}, {@code cgroup_memory_stat_bytes{field}} (rss, cache, swap,
 * mapped_file, total_rss, total_cache), {@code cgroup_memory_major_faults_per_second},
 * {@code cgroup_memory_under_oom}, {@code cgroup_memory_oom_kills}; pids: {@code cgroup_pids_current},
 * {@code cgroup_pids_max}, {@code cgroup_pids_usage_fraction}; blkio (throttle stats, which count I/O under every
 * scheduler): {@code cgroup_io_read_bytes_per_second}, {@code cgroup_io_write_bytes_per_second},
 * {@code cgroup_io_reads_per_second}, {@code cgroup_io_writes_per_second}; freezer: {@code cgroup_frozen}
 * (0 thawed, 0.5 freezing, 1 frozen). Files a controller lacks in a group (e.g. the root) are skipped silently.
 *
 * <p>Cost: O(groups x files) small reads per tick, every file parsed in place (no String per file or line); the group directories are re-listed every
 * {@code rewalkEvery} ticks (default 10, see {@link CgroupSensorBase}). Not thread-safe (tick thread only).
 */
public final class CgroupV1Sensor extends CgroupSensorBase {

    private static final String[] MEMORY_STAT = {"rss", "cache", "swap", "mapped_file", "total_rss", "total_cache",
            "pgmajfault"};
    private static final int PGMAJFAULT = 6;
    private static final String[] CPU_STAT = {"nr_periods", "nr_throttled", "throttled_time"};
    private static final String[] CPUACCT_STAT = {"user", "system"};
    private static final String[] OOM_CONTROL = {"under_oom", "oom_kill"};

    private final Map<String, Path> mounts;
    private final long ticksPerSecond;
    private final long[] kv = new long[MEMORY_STAT.length];
    private final int[] starts = new int[3];
    private final int[] ends = new int[3];
    private final Set<String> live = new HashSet<>();

    /**
     * @param mounts    controller name to mount point (from {@link CgroupMounts#v1()}, or a fixture tree)
     * @param maxDepth  levels below each mount point to visit (0 = the root group only)
     * @param maxGroups groups per controller at most
     */
    public CgroupV1Sensor(Map<String, Path> mounts, int maxDepth, int maxGroups) {
        this(mounts, maxDepth, maxGroups, DEFAULT_REWALK_EVERY);
    }

    /**
     * As {@link #CgroupV1Sensor(Map, int, int)}, re-listing each controller's groups every {@code rewalkEvery}
     * ticks (see {@link CgroupSensorBase}).
     */
    public CgroupV1Sensor(Map<String, Path> mounts, int maxDepth, int maxGroups, int rewalkEvery) {
        super("cgroup-v1", source(mounts), "v1", maxDepth, maxGroups, rewalkEvery);
        this.mounts = Map.copyOf(mounts);
        mounts.values().stream().findAny().ifPresent(this::keepFilesOpenIfKernelFs);
        this.ticksPerSecond = 100;
    }

    /** The directory holding the controller mounts (e.g. /sys/fs/cgroup), for health reports. */
    private static String source(Map<String, Path> mounts) {
        Path any = mounts.values().stream().sorted().findFirst().orElse(Path.of("/sys/fs/cgroup/x"));
        return String.valueOf(any.getParent() == null ? any : any.getParent());
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        if (mounts.isEmpty()) {
            problem("/proc/self/mountinfo", "no cgroup v1 controllers mounted");
            return;
        }
        live.clear();
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            Path root = m.getValue();
            if (listingDue(root) && !Files.isDirectory(root)) { // checked when listing, see listingDue
                problem(root, "controller " + m.getKey() + ": " + root + " is not a directory");
                continue;
            }
            for (Group group : groups(root)) {
                Path dir = group.dir();
                String g = group.name();
                live.add(g);
                switch (m.getKey()) {
                    case "cpu" -> cpu(dir, g, sink, ts);
                    case "cpuacct" -> cpuacct(dir, g, sink, ts);
                    case "memory" -> memory(dir, g, sink, ts);
                    case "pids" -> pids(dir, g, sink, ts);
                    case "blkio" -> blkio(dir, g, sink, ts);
                    case "freezer" -> freezer(dir, g, sink, ts);
                    default -> { }
                }
            }
        }
        retainGroups(live);
    }

    private void cpu(Path dir, String g, MetricSink sink, long ts) {
        if (readFlatKeyed(file(dir, "cpu.stat"), CPU_STAT, kv)) {
            long periods = kv[0];
            long throttled = kv[1];
            if (periods >= 0 && throttled >= 0) {
                double dp = rates.rate(key(g, "cgroup_cpu_periods_per_second"), periods, ts);
                double dthr = rates.rate(key(g, "cgroup_cpu_throttled_periods_per_second"), throttled, ts);
                if (dp > 0) {
                    sink.record(key(g, "cgroup_cpu_throttled_periods_fraction"), Math.min(1, dthr / dp), ts);
                }
            }
            rate(sink, key(g, "cgroup_cpu_throttled_seconds_per_second"), kv[2], 1e-9, ts);
        }
        double quota = readLimit(file(dir, "cpu.cfs_quota_us"));
        double period = readLimit(file(dir, "cpu.cfs_period_us"));
        if (quota > 0 && period > 0) {
            sink.record(key(g, "cgroup_cpu_limit_cores"), quota / period, ts);
        }
    }

    private void cpuacct(Path dir, String g, MetricSink sink, long ts) {
        double usage = readGauge(file(dir, "cpuacct.usage"));
        if (!Double.isNaN(usage) && !Double.isInfinite(usage)) {
            rate(sink, key(g, "cgroup_cpu_usage_cores"), (long) usage, 1e-9, ts);
        }
        if (readFlatKeyed(file(dir, "cpuacct.stat"), CPUACCT_STAT, kv)) {
            rate(sink, key(g, "cgroup_cpu_user_cores"), kv[0], 1.0 / ticksPerSecond, ts);
            rate(sink, key(g, "cgroup_cpu_system_cores"), kv[1], 1.0 / ticksPerSecond, ts);
        }
    }

    private void memory(Path dir, String g, MetricSink sink, long ts) {
        double usage = readGauge(file(dir, "memory.usage_in_bytes"));
        if (!Double.isNaN(usage)) {
            sink.record(key(g, "cgroup_memory_usage_bytes"), usage, ts);
        }
        limit(sink, g, "cgroup_memory_limit_bytes", "cgroup_memory_usage_fraction", usage,
                readLimit(file(dir, "memory.limit_in_bytes")), ts);
        double failcnt = readGauge(file(dir, "memory.failcnt"));
        if (!Double.isNaN(failcnt) && !Double.isInfinite(failcnt)) {
            rate(sink, key(g, "cgroup_memory_failcnt_per_second"), (long) failcnt, 1, ts);
        }
        if (readFlatKeyed(file(dir, "memory.stat"), MEMORY_STAT, kv)) {
            for (int i = 0; i < PGMAJFAULT; i++) {
                if (kv[i] >= 0) {
                    sink.record(key(g, "cgroup_memory_stat_bytes", "field", MEMORY_STAT[i]), kv[i], ts);
                }
            }
            rate(sink, key(g, "cgroup_memory_major_faults_per_second"), kv[PGMAJFAULT], 1, ts);
        }
        if (readFlatKeyed(file(dir, "memory.oom_control"), OOM_CONTROL, kv)) {
            if (kv[0] >= 0) {
                sink.record(key(g, "cgroup_memory_under_oom"), kv[0], ts);
            }
            if (kv[1] >= 0) { // since Linux 4.13
                sink.record(key(g, "cgroup_memory_oom_kills"), kv[1], ts);
            }
        }
    }

    private void pids(Path dir, String g, MetricSink sink, long ts) {
        double cur = readGauge(file(dir, "pids.current"));
        if (!Double.isNaN(cur)) {
            sink.record(key(g, "cgroup_pids_current"), cur, ts);
        }
        limit(sink, g, "cgroup_pids_max", "cgroup_pids_usage_fraction", cur, readLimit(file(dir, "pids.max")), ts);
    }

    private void blkio(Path dir, String g, MetricSink sink, long ts) {
        blkioFile(file(dir, "blkio.throttle.io_service_bytes"), g, "cgroup_io_read_bytes_per_second",
                "cgroup_io_write_bytes_per_second", sink, ts);
        blkioFile(file(dir, "blkio.throttle.io_serviced"), g, "cgroup_io_reads_per_second",
                "cgroup_io_writes_per_second", sink, ts);
    }

    /** Lines "8:0 Read 4096", ..., "Total 8192": sums Read and Write over devices. */
    private void blkioFile(Path f, String g, String readName, String writeName, MetricSink sink, long ts) {
        int n = readBytes(f, false);
        if (n < 0) {
            return;
        }
        byte[] b = reader().buffer();
        int bad = blkioSums(b, n, kv, starts, ends);
        if (bad >= 0) {
            problem(f, f + ": bad line '" + Texts.abbreviate(Bytes.latin1(b, bad, Bytes.lineEnd(b, bad, n))) + "'");
            return;
        }
        rate(sink, key(g, readName), kv[0], 1, ts);
        rate(sink, key(g, writeName), kv[1], 1, ts);
    }

    /**
     * Sums the Read and Write lines of a blkio throttle file {@code b[0,len)} ("MAJ:MIN Op value" lines, an optional
     * "Total value" line, blank lines skipped) into {@code sums[0]} and {@code sums[1]}, in place. O(len), no
     * allocation; {@code starts}/{@code ends} are scratch of length 3 at least.
     *
     * @return -1, or the start of the first malformed line (not 3 fields, a value that is not an integer, or a first
     *     field without ':'), in which case the sums are not valid
     */
    static int blkioSums(byte[] b, int len, long[] sums, int[] starts, int[] ends) {
        long read = 0;
        long write = 0;
        for (int ls = 0, le; ls < len; ls = le + 1) {
            le = Bytes.lineEnd(b, ls, len);
            int nf = Bytes.fields(b, ls, le, starts, ends);
            if (nf == 0 || (nf == 2 && Bytes.equalsLatin1(b, starts[0], ends[0], "Total"))) {
                continue;
            }
            long v = nf == 3 ? Bytes.parseLong(b, starts[2], ends[2]) : Texts.NOT_A_NUMBER;
            if (v == Texts.NOT_A_NUMBER || Bytes.indexOf(b, starts[0], ends[0], (byte) ':') < 0) {
                return ls;
            }
            if (Bytes.equalsLatin1(b, starts[1], ends[1], "Read")) {
                read += v;
            } else if (Bytes.equalsLatin1(b, starts[1], ends[1], "Write")) {
                write += v;
            }
        }
        sums[0] = read;
        sums[1] = write;
        return -1;
    }

    private void freezer(Path dir, String g, MetricSink sink, long ts) {
        Path f = file(dir, "freezer.state");
        int n = readBytes(f, false);
        if (n < 0) {
            return;
        }
        byte[] b = reader().buffer();
        double v = freezerState(b, n);
        if (Double.isNaN(v)) {
            int s = Bytes.skipWhitespace(b, 0, n);
            problem(f, f + ": unknown state '" + Texts.abbreviate(Bytes.latin1(b, s, Bytes.trimEnd(b, s, n))) + "'");
        } else {
            sink.record(key(g, "cgroup_frozen"), v, ts);
        }
    }

    /** {@code freezer.state} {@code b[0,len)}, whitespace-trimmed: THAWED 0, FREEZING 0.5, FROZEN 1, else NaN. */
    static double freezerState(byte[] b, int len) {
        int s = Bytes.skipWhitespace(b, 0, len);
        int e = Bytes.trimEnd(b, s, len);
        if (Bytes.equalsLatin1(b, s, e, "THAWED")) {
            return 0;
        } else if (Bytes.equalsLatin1(b, s, e, "FREEZING")) {
            return 0.5;
        } else if (Bytes.equalsLatin1(b, s, e, "FROZEN")) {
            return 1;
        }
        return Double.NaN;
    }
}
