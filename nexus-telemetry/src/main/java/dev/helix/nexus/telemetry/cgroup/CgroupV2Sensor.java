package dev.helix.nexus.telemetry.cgroup;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.PsiParser;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The cgroup v2 unified hierarchy, walked from its mount point to {@code maxDepth} levels (at most
 * {@code maxGroups} groups). Labels: {@code cgroup} ("/" or "/system.slice/foo.service"), {@code hierarchy="v2"}.
 *
 * <p>Metrics: cpu.stat: {@code cgroup_cpu_usage_cores}, {@code cgroup_cpu_user_cores}, {@code cgroup_cpu_system_cores},
 * {@code cgroup_cpu_throttled_periods_fraction}, {@code cgroup_cpu_throttled_seconds_per_second}; cpu.max:
 * {@code cgroup_cpu_limit_cores}; memory: {@code cgroup_memory_usage_bytes} (memory.current),
 * {@code cgroup_memory_limit_bytes} (memory.max) and {@code cgroup_memory_usage_fraction},
 * {@code cgroup_memory_high_bytes} and {@code cgroup_memory_high_fraction} (memory.high), {@code cgroup_swap_usage_bytes},
 * {@code cgroup_memory_events{event}} (low, high, max, oom, oom_kill, oom_group_kill totals) and
 * {@code cgroup_memory_events_per_second{event}}, {@code cgroup_memory_stat_bytes{field}} (anon, file, kernel, shmem,
 * file_dirty, file_writeback), {@code cgroup_memory_major_faults_per_second}; pids: {@code cgroup_pids_current},
 * {@code cgroup_pids_max}, {@code cgroup_pids_usage_fraction}; io.stat per {@code device} ("8:0"):
 * {@code cgroup_io_read_bytes_per_second}, {@code cgroup_io_write_bytes_per_second},
 * {@code cgroup_io_reads_per_second}, {@code cgroup_io_writes_per_second}; PSI per {@code psi} label ("cpu/some", "memory/full", ...):
 * {@code cgroup_pressure_avg10_percent}, {@code cgroup_pressure_avg60_percent},
 * {@code cgroup_pressure_avg300_percent}, {@code cgroup_pressure_stall_fraction}. Files absent because a controller
 * is not enabled for a group are skipped silently; malformed files degrade the sensor.
 *
 * <p>Cost: O(groups x files) small reads per tick, flat-keyed and single-number files parsed in place; the group
 * directories are re-listed every {@code rewalkEvery} ticks (default 10, see {@link CgroupSensorBase}). Not
 * thread-safe (tick thread only).
 */
public final class CgroupV2Sensor extends CgroupSensorBase {

    private static final String[] EVENTS = {"low", "high", "max", "oom", "oom_kill", "oom_group_kill"};
    private static final String[] MEMORY_STAT = {"anon", "file", "kernel", "shmem", "file_dirty", "file_writeback",
            "pgmajfault"};
    private static final int PGMAJFAULT = 6;
    private static final String[] CPU_STAT = {"usage_usec", "user_usec", "system_usec", "nr_periods", "nr_throttled",
            "throttled_usec"};
    private static final String[] PSI = {"cpu", "memory", "io"};
    private static final String[] PSI_FILES = {"cpu.pressure", "memory.pressure", "io.pressure"};
    private static final String[][] PSI_LABELS = {{"cpu/some", "cpu/full"}, {"memory/some", "memory/full"},
            {"io/some", "io/full"}};
    private static final String[] PSI_AVG_NAMES = {"cgroup_pressure_avg10_percent", "cgroup_pressure_avg60_percent",
            "cgroup_pressure_avg300_percent"};
    private static final String[] IO_FIELDS = {"rbytes", "wbytes", "rios", "wios"};
    private static final String[] IO_NAMES = {"cgroup_io_read_bytes_per_second", "cgroup_io_write_bytes_per_second",
            "cgroup_io_reads_per_second", "cgroup_io_writes_per_second"};

    private final Path root;
    private final Path controllers;
    private final double[] psi = new double[8];
    private final long[] kv = new long[MEMORY_STAT.length];
    private final Set<String> live = new HashSet<>();

    /**
     * @param root      the cgroup2 mount point (e.g. {@code /sys/fs/cgroup} or {@code /sys/fs/cgroup/unified}) or a
     *                  fixture tree in the same format
     * @param maxDepth  levels below the root to visit (0 = the root group only)
     * @param maxGroups groups at most
     */
    public CgroupV2Sensor(Path root, int maxDepth, int maxGroups) {
        this(root, maxDepth, maxGroups, DEFAULT_REWALK_EVERY);
    }

    /**
     * As {@link #CgroupV2Sensor(Path, int, int)}, re-listing the groups every {@code rewalkEvery} ticks (see
     * {@link CgroupSensorBase}).
     */
    public CgroupV2Sensor(Path root, int maxDepth, int maxGroups, int rewalkEvery) {
        super("cgroup-v2", root.toString(), "v2", maxDepth, maxGroups, rewalkEvery);
        this.root = root;
        this.controllers = root.resolve("cgroup.controllers");
        keepFilesOpenIfKernelFs(root);
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        if (listingDue(root) && !Files.isRegularFile(controllers)) { // checked when listing, see listingDue
            problem(root, root + " is not a cgroup v2 hierarchy (no cgroup.controllers)");
            return;
        }
        live.clear();
        for (Group group : groups(root)) {
            Path dir = group.dir();
            String g = group.name();
            live.add(g);
            cpu(dir, g, sink, ts);
            memory(dir, g, sink, ts);
            pids(dir, g, sink, ts);
            io(dir, g, sink, ts);
            pressure(dir, g, sink, ts);
        }
        retainGroups(live);
    }

    private void cpu(Path dir, String g, MetricSink sink, long ts) {
        if (readFlatKeyed(file(dir, "cpu.stat"), CPU_STAT, kv)) {
            rate(sink, key(g, "cgroup_cpu_usage_cores"), kv[0], 1e-6, ts);
            rate(sink, key(g, "cgroup_cpu_user_cores"), kv[1], 1e-6, ts);
            rate(sink, key(g, "cgroup_cpu_system_cores"), kv[2], 1e-6, ts);
            long periods = kv[3];
            long throttled = kv[4];
            if (periods >= 0 && throttled >= 0) {
                double dp = rates.rate(key(g, "cgroup_cpu_periods_per_second"), periods, ts);
                double dthr = rates.rate(key(g, "cgroup_cpu_throttled_periods_per_second"), throttled, ts);
                if (dp > 0) {
                    sink.record(key(g, "cgroup_cpu_throttled_periods_fraction"), Math.min(1, dthr / dp), ts);
                }
            }
            rate(sink, key(g, "cgroup_cpu_throttled_seconds_per_second"), kv[5], 1e-6, ts);
        }
        Path max = file(dir, "cpu.max");
        String m = readOptional(max);
        if (m != null) {
            String[] p = Texts.fields(m);
            long period = p.length == 2 ? Texts.parseLong(p[1]) : -1;
            long quota = p.length == 2 && !p[0].equals("max") ? Texts.parseLong(p[0]) : -1;
            if (period <= 0 || (!p[0].equals("max") && quota < 0)) {
                problem(max, max + ": want '$MAX $PERIOD', got '" + Texts.abbreviate(m.strip()) + "'");
            } else if (quota > 0) {
                sink.record(key(g, "cgroup_cpu_limit_cores"), (double) quota / period, ts);
            }
        }
    }

    private void memory(Path dir, String g, MetricSink sink, long ts) {
        double usage = readGauge(file(dir, "memory.current"));
        if (!Double.isNaN(usage)) {
            sink.record(key(g, "cgroup_memory_usage_bytes"), usage, ts);
        }
        limit(sink, g, "cgroup_memory_limit_bytes", "cgroup_memory_usage_fraction", usage,
                readLimit(file(dir, "memory.max")), ts);
        limit(sink, g, "cgroup_memory_high_bytes", "cgroup_memory_high_fraction", usage,
                readLimit(file(dir, "memory.high")), ts);
        double swap = readGauge(file(dir, "memory.swap.current"));
        if (!Double.isNaN(swap)) {
            sink.record(key(g, "cgroup_swap_usage_bytes"), swap, ts);
        }
        if (readFlatKeyed(file(dir, "memory.events"), EVENTS, kv)) {
            for (int i = 0; i < EVENTS.length; i++) {
                if (kv[i] >= 0) {
                    sink.record(key(g, "cgroup_memory_events", "event", EVENTS[i]), kv[i], ts);
                    rate(sink, key(g, "cgroup_memory_events_per_second", "event", EVENTS[i]), kv[i], 1, ts);
                }
            }
        }
        if (readFlatKeyed(file(dir, "memory.stat"), MEMORY_STAT, kv)) {
            for (int i = 0; i < PGMAJFAULT; i++) {
                if (kv[i] >= 0) {
                    sink.record(key(g, "cgroup_memory_stat_bytes", "field", MEMORY_STAT[i]), kv[i], ts);
                }
            }
            rate(sink, key(g, "cgroup_memory_major_faults_per_second"), kv[PGMAJFAULT], 1, ts);
        }
    }

    private void pids(Path dir, String g, MetricSink sink, long ts) {
        double cur = readGauge(file(dir, "pids.current"));
        if (!Double.isNaN(cur)) {
            sink.record(key(g, "cgroup_pids_current"), cur, ts);
        }
        limit(sink, g, "cgroup_pids_max", "cgroup_pids_usage_fraction", cur, readLimit(file(dir, "pids.max")), ts);
    }

    /** Lines "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
    private void io(Path dir, String g, MetricSink sink, long ts) {
        Path f = file(dir, "io.stat");
        String t = readOptional(f);
        if (t == null) {
            return;
        }
        for (String line : t.split("\n")) {
            String[] p = Texts.fields(line);
            if (p.length == 0) {
                continue;
            }
            if (p[0].indexOf(':') <= 0) {
                problem(f, f + ": bad line '" + Texts.abbreviate(line) + "'");
                continue;
            }
            String device = p[0];
            for (int i = 1; i < p.length; i++) {
                int eq = p[i].indexOf('=');
                if (eq <= 0) {
                    problem(f, f + ": bad field '" + Texts.abbreviate(p[i]) + "'");
                    continue;
                }
                String k = p[i].substring(0, eq);
                for (int j = 0; j < IO_FIELDS.length; j++) {
                    if (IO_FIELDS[j].equals(k)) {
                        long v = Texts.parseLong(p[i].substring(eq + 1));
                        if (v == Texts.NOT_A_NUMBER) {
                            problem(f, f + ": bad field '" + Texts.abbreviate(p[i]) + "'");
                        } else {
                            MetricKey key = key(g, IO_NAMES[j], "device", device);
                            sink.record(key, rates.rate(key, v, ts), ts);
                        }
                    }
                }
            }
        }
    }

    private void pressure(Path dir, String g, MetricSink sink, long ts) {
        for (int r = 0; r < PSI.length; r++) {
            Path f = file(dir, PSI_FILES[r]);
            int n = readBytes(f, false);
            if (n < 0) {
                continue;
            }
            String p = PsiParser.parse(reader().buffer(), n, psi);
            if (p != null) {
                problem(f, f + ": " + p);
            }
            for (int k = 0; k < 2; k++) {
                String label = PSI_LABELS[r][k];
                int base = k * PsiParser.FULL;
                for (int i = 0; i < 3; i++) {
                    if (!Double.isNaN(psi[base + i])) {
                        sink.record(key(g, PSI_AVG_NAMES[i], "psi", label), psi[base + i], ts);
                    }
                }
                if (!Double.isNaN(psi[base + 3])) {
                    MetricKey key = key(g, "cgroup_pressure_stall_fraction", "psi", label);
                    sink.record(key, rates.rate(key, (long) psi[base + 3], ts) / 1e6, ts);
                }
            }
        }
    }
}
