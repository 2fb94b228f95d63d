package dev.helix.nexus.detect.behavior;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a sliding window of live (or replayed) telemetry into {@link BehaviorFeatures} for the host, each reported
 * process and each cgroup. It is a {@link MetricSink}: tee the sensors' output into it (or replay a recording into
 * it); every distinct sample timestamp starts a new tick, and the last {@code window} ticks are kept.
 *
 * <p>It lives in nexus-detect, next to the classifier it feeds, because it needs only nexus-core's
 * {@link MetricKey}/{@link MetricSink}: it reads the sensors' series by their documented names (the contract with
 * nexus-telemetry, which nexus-detect does not depend on):
 * <ul>
 *   <li>host: {@code host_cpu_fraction{cpu="total",mode}} (user+nice, system+irq+softirq, iowait),
 *       {@code host_cpu_count}, {@code host_procs_running}, {@code host_memory_available_fraction},
 *       {@code host_swap_in_pages_per_second}, {@code host_swap_out_pages_per_second},
 *       {@code host_major_page_faults_per_second}, {@code host_interrupts_per_second},
 *       {@code host_pressure_stall_fraction{resource="memory",kind="full"}} and {@code {resource="io",kind="some"}},
 *       {@code host_threads_d_state};</li>
 *   <li>process (label {@code pid}; {@code comm} names it): {@code process_cpu_cores},
 *       {@code process_cpu_demand_cores} (running + run-queue wait summed over the process's threads, when a sensor
 *       provides it),
 *       {@code process_threads},
 *       {@code process_threads_d_state}, {@code process_rss_bytes}; and a JVM's {@code jvm_threads{state="blocked"}},
 *       {@code jvm_threads_live}, {@code jvm_threads_deadlocked}, {@code jvm_process_cpu_cores},
 *       {@code jvm_memory_pool_used_after_gc_bytes} (summed over pools), either with a {@code pid} label or, without
 *       one, attributed to {@code ownPid} (the series of this JVM's own sensor);</li>
 *   <li>cgroup (label {@code cgroup}, v1 and v2 merged by path): {@code cgroup_cpu_usage_cores},
 *       {@code cgroup_cpu_user_cores}, {@code cgroup_cpu_system_cores}, {@code cgroup_cpu_limit_cores},
 *       {@code cgroup_memory_usage_fraction}, {@code cgroup_memory_usage_bytes},
 *       {@code cgroup_memory_stat_bytes{field="rss"|"anon"}}, {@code cgroup_memory_major_faults_per_second},
 *       {@code cgroup_pressure_stall_fraction{psi="memory/full"|"io/some"}}.</li>
 * </ul>
 * Features are window means of the per-tick values (rates are already per second), except the JVM deadlock count
 * (its latest value: a deadlock does not heal) and the resource history, which is the per-tick series of the JVM's
 * heap after GC when known, else RSS (process) or anonymous/rss memory (cgroup). A process's CPU share is its cores
 * over its fair ceiling min(threads, CPUs, threads × CPUs / runnable tasks), the most the scheduler gives its
 * threads when every runnable task gets an equal share, so a process that gets all it can on a contended host counts
 * as busy; or its CPU demand (a thread runnable all the time demands a whole core) over min(threads, CPUs), the most
 * its threads could run at once, when that is higher (so many lightly busy threads that add up to one core do not
 * count as a CPU-bound process). A cgroup's
 * share is over min(its CPU limit, CPUs). Both see the host's run queue.
 *
 * <p>Cost: {@link #record} is O(1) per sample plus a string switch on the metric name (it allocates a frame per
 * subject per tick); {@link #features()} is O(window × subjects). Not thread-safe: feed it from the tick thread and
 * read it from the same thread (or synchronise externally).
 */
public final class BehaviorFeatureExtractor implements MetricSink {

    /** Every metric name this extractor reads (e.g. to keep only these when recording a trace for it). */
    public static final Set<String> METRIC_NAMES = Set.of("host_cpu_fraction", "host_cpu_count", "host_procs_running",
            "host_memory_available_fraction", "host_swap_in_pages_per_second", "host_swap_out_pages_per_second",
            "host_major_page_faults_per_second", "host_interrupts_per_second", "host_threads_d_state",
            "host_pressure_stall_fraction", "process_cpu_cores", "process_cpu_demand_cores", "process_threads",
            "process_threads_d_state", "process_rss_bytes", "jvm_threads", "jvm_threads_live", "jvm_threads_deadlocked",
            "jvm_process_cpu_cores", "jvm_memory_pool_used_after_gc_bytes", "cgroup_cpu_usage_cores",
            "cgroup_cpu_user_cores", "cgroup_cpu_system_cores", "cgroup_cpu_limit_cores", "cgroup_memory_usage_fraction",
            "cgroup_memory_usage_bytes", "cgroup_memory_major_faults_per_second", "cgroup_memory_stat_bytes",
            "cgroup_pressure_stall_fraction");

    private enum In {
        USER, SYSTEM, IOWAIT, CPUS, RUNNING, AVAIL, SWAP_IN, SWAP_OUT, MAJFLT, INTR, MEM_FULL, IO_SOME, D_THREADS,
        CORES, DEMAND, THREADS, RSS, JVM_BLOCKED, JVM_LIVE, JVM_DEADLOCKED, JVM_CORES, JVM_AFTER_GC,
        CG_USAGE, CG_USER, CG_SYSTEM, CG_LIMIT, CG_MEM_FRACTION, CG_MEM_BYTES, CG_ANON
    }

    private static final int N = In.values().length;

    private record Tick(long ts, Map<BehaviorSubject, double[]> frames) {
    }

    private final int window;
    private final BehaviorSubject own;
    private final ArrayDeque<Tick> ticks = new ArrayDeque<>();
    private final Map<BehaviorSubject, String> names = new HashMap<>();

    /**
     * @param window ticks kept, at least 2 (at least 10 for the leak rule to have a history to test)
     * @param ownPid the pid to attribute unlabelled {@code jvm_*} series to (this JVM's), or 0 to ignore them
     */
    public BehaviorFeatureExtractor(int window, long ownPid) {
        if (window < 2) {
            throw new IllegalArgumentException("window must be >= 2 ticks, got " + window);
        }
        if (ownPid < 0) {
            throw new IllegalArgumentException("ownPid must be >= 0 (0 = none), got " + ownPid);
        }
        this.window = window;
        this.own = ownPid == 0 ? null : BehaviorSubject.process(ownPid);
    }

    @Override
    public void record(MetricKey key, double value, long timestampMillis) {
        if (Double.isNaN(value)) {
            return;
        }
        String n = key.name();
        switch (n) {
            case "host_cpu_fraction" -> {
                if ("total".equals(key.label("cpu"))) {
                    String mode = key.label("mode");
                    if (mode != null) {
                        switch (mode) {
                            case "user", "nice" -> add(BehaviorSubject.HOST, In.USER, value, timestampMillis);
                            case "system", "irq", "softirq" -> add(BehaviorSubject.HOST, In.SYSTEM, value, timestampMillis);
                            case "iowait" -> set(BehaviorSubject.HOST, In.IOWAIT, value, timestampMillis);
                            default -> { }
                        }
                    }
                }
            }
            case "host_cpu_count" -> set(BehaviorSubject.HOST, In.CPUS, value, timestampMillis);
            case "host_procs_running" -> set(BehaviorSubject.HOST, In.RUNNING, value, timestampMillis);
            case "host_memory_available_fraction" -> set(BehaviorSubject.HOST, In.AVAIL, value, timestampMillis);
            case "host_swap_in_pages_per_second" -> set(BehaviorSubject.HOST, In.SWAP_IN, value, timestampMillis);
            case "host_swap_out_pages_per_second" -> set(BehaviorSubject.HOST, In.SWAP_OUT, value, timestampMillis);
            case "host_major_page_faults_per_second" -> set(BehaviorSubject.HOST, In.MAJFLT, value, timestampMillis);
            case "host_interrupts_per_second" -> set(BehaviorSubject.HOST, In.INTR, value, timestampMillis);
            case "host_threads_d_state" -> set(BehaviorSubject.HOST, In.D_THREADS, value, timestampMillis);
            case "host_pressure_stall_fraction" -> {
                String psi = key.label("resource") + "/" + key.label("kind");
                if (psi.equals("memory/full")) {
                    set(BehaviorSubject.HOST, In.MEM_FULL, value, timestampMillis);
                } else if (psi.equals("io/some")) {
                    set(BehaviorSubject.HOST, In.IO_SOME, value, timestampMillis);
                }
            }
            case "process_cpu_cores" -> proc(key, In.CORES, value, timestampMillis);
            case "process_cpu_demand_cores" -> proc(key, In.DEMAND, value, timestampMillis);
            case "process_threads" -> proc(key, In.THREADS, value, timestampMillis);
            case "process_threads_d_state" -> proc(key, In.D_THREADS, value, timestampMillis);
            case "process_rss_bytes" -> proc(key, In.RSS, value, timestampMillis);
            case "jvm_threads" -> {
                if ("blocked".equals(key.label("state"))) {
                    jvm(key, In.JVM_BLOCKED, value, timestampMillis, false);
                }
            }
            case "jvm_threads_live" -> jvm(key, In.JVM_LIVE, value, timestampMillis, false);
            case "jvm_threads_deadlocked" -> jvm(key, In.JVM_DEADLOCKED, value, timestampMillis, false);
            case "jvm_process_cpu_cores" -> jvm(key, In.JVM_CORES, value, timestampMillis, false);
            case "jvm_memory_pool_used_after_gc_bytes" -> jvm(key, In.JVM_AFTER_GC, value, timestampMillis, true);
            case "cgroup_cpu_usage_cores" -> cg(key, In.CG_USAGE, value, timestampMillis);
            case "cgroup_cpu_user_cores" -> cg(key, In.CG_USER, value, timestampMillis);
            case "cgroup_cpu_system_cores" -> cg(key, In.CG_SYSTEM, value, timestampMillis);
            case "cgroup_cpu_limit_cores" -> cg(key, In.CG_LIMIT, value, timestampMillis);
            case "cgroup_memory_usage_fraction" -> cg(key, In.CG_MEM_FRACTION, value, timestampMillis);
            case "cgroup_memory_usage_bytes" -> cg(key, In.CG_MEM_BYTES, value, timestampMillis);
            case "cgroup_memory_major_faults_per_second" -> cg(key, In.MAJFLT, value, timestampMillis);
            case "cgroup_memory_stat_bytes" -> {
                String field = key.label("field");
                if ("rss".equals(field) || "anon".equals(field)) {
                    cg(key, In.CG_ANON, value, timestampMillis);
                }
            }
            case "cgroup_pressure_stall_fraction" -> {
                String psi = key.label("psi");
                if ("memory/full".equals(psi)) {
                    cg(key, In.MEM_FULL, value, timestampMillis);
                } else if ("io/some".equals(psi)) {
                    cg(key, In.IO_SOME, value, timestampMillis);
                }
            }
            default -> { }
        }
    }

    private void proc(MetricKey key, In in, double v, long ts) {
        String pid = key.label("pid");
        if (pid == null) {
            return;
        }
        BehaviorSubject s = new BehaviorSubject(BehaviorSubject.Kind.PROCESS, pid);
        String comm = key.label("comm");
        if (comm != null) {
            names.put(s, comm);
        }
        set(s, in, v, ts);
    }

    private void jvm(MetricKey key, In in, double v, long ts, boolean sum) {
        String pid = key.label("pid");
        BehaviorSubject s = pid != null ? new BehaviorSubject(BehaviorSubject.Kind.PROCESS, pid) : own;
        if (s == null) {
            return;
        }
        if (sum) {
            add(s, in, v, ts);
        } else {
            set(s, in, v, ts);
        }
    }

    private void cg(MetricKey key, In in, double v, long ts) {
        String path = key.label("cgroup");
        if (path != null) {
            set(BehaviorSubject.cgroup(path), in, v, ts);
        }
    }

    private double[] frame(BehaviorSubject s, long ts) {
        Tick t = ticks.peekLast();
        if (t == null || t.ts() != ts) {
            t = new Tick(ts, new HashMap<>());
            ticks.addLast(t);
            while (ticks.size() > window) {
                ticks.removeFirst();
            }
        }
        return t.frames().computeIfAbsent(s, k -> {
            double[] f = new double[N];
            Arrays.fill(f, Double.NaN);
            return f;
        });
    }

    private void set(BehaviorSubject s, In in, double v, long ts) {
        frame(s, ts)[in.ordinal()] = v;
    }

    private void add(BehaviorSubject s, In in, double v, long ts) {
        double[] f = frame(s, ts);
        int i = in.ordinal();
        f[i] = Double.isNaN(f[i]) ? v : f[i] + v;
    }

    /** Ticks held (at most the window). */
    public int ticks() {
        return ticks.size();
    }

    /** Forgets every tick. */
    public void clear() {
        ticks.clear();
        names.clear();
    }

    /** The process name ({@code comm}) last seen for a process subject, or its id. */
    public String name(BehaviorSubject s) {
        return names.getOrDefault(s, s.id());
    }

    /** Every subject with at least one sample in the window: host first, then processes, then cgroups. */
    public Set<BehaviorSubject> subjects() {
        Set<BehaviorSubject> out = new LinkedHashSet<>();
        for (Tick t : ticks) {
            out.addAll(t.frames().keySet());
        }
        List<BehaviorSubject> sorted = new ArrayList<>(out);
        sorted.sort(Comparator.comparing(BehaviorSubject::kind).thenComparing(BehaviorSubject::id));
        return new LinkedHashSet<>(sorted);
    }

    /** Mean CPU cores used by a process or cgroup over the window (NaN when unknown). O(window). */
    public double cpuCores(BehaviorSubject s) {
        return cpuCores(s, framesOf(s));
    }

    private static double cpuCores(BehaviorSubject s, double[][] fs) {
        return s.kind() == BehaviorSubject.Kind.CGROUP ? mean(fs, In.CG_USAGE)
                : or(mean(fs, In.CORES), mean(fs, In.JVM_CORES));
    }

    /**
     * The features of every subject in the window, in {@link #subjects()} order. O(window × subjects): one map
     * lookup per subject and tick (the host's frames are looked up once for all subjects).
     */
    public Map<BehaviorSubject, BehaviorFeatures> features() {
        Map<BehaviorSubject, BehaviorFeatures> out = new LinkedHashMap<>();
        double[][] host = framesOf(BehaviorSubject.HOST);
        for (BehaviorSubject s : subjects()) {
            out.put(s, features(s, framesOf(s), host).orElseThrow());
        }
        return out;
    }

    /** Every subject's verdicts, most confident first. */
    public Map<BehaviorSubject, List<BehaviorVerdict>> classify(BehaviorClassifier classifier) {
        Map<BehaviorSubject, List<BehaviorVerdict>> out = new LinkedHashMap<>();
        features().forEach((s, f) -> out.put(s, classifier.classify(f)));
        return out;
    }

    /** The features of one subject, empty when it has no sample in the window. O(window). */
    public Optional<BehaviorFeatures> features(BehaviorSubject s) {
        return features(s, framesOf(s), framesOf(BehaviorSubject.HOST));
    }

    /** {@link #features(BehaviorSubject)} from the subject's and the host's frames ({@link #framesOf}). */
    private Optional<BehaviorFeatures> features(BehaviorSubject subject, double[][] s, double[][] h) {
        boolean seen = false;
        for (double[] f : s) {
            seen |= f != null;
        }
        if (!seen) {
            return Optional.empty();
        }
        double cpus = latest(h, In.CPUS);
        double runQueue = mean(h, In.RUNNING) / cpus;
        return Optional.of(switch (subject.kind()) {
            case HOST -> new BehaviorFeatures(mean(h, In.USER), mean(h, In.SYSTEM), mean(h, In.IOWAIT), runQueue,
                    1 - mean(h, In.AVAIL), mean(h, In.SWAP_IN), mean(h, In.SWAP_OUT), mean(h, In.MAJFLT),
                    mean(h, In.INTR) / cpus, Double.NaN, Double.NaN, null, mean(h, In.MEM_FULL),
                    mean(h, In.IO_SOME), mean(h, In.D_THREADS), Double.NaN);
            case PROCESS -> {
                double threads = or(mean(s, In.THREADS), mean(s, In.JVM_LIVE));
                threads = Double.isNaN(threads) ? 1 : Math.max(1, threads);
                double running = mean(h, In.RUNNING);
                double ceiling = Double.isNaN(cpus) ? Math.min(threads, 1)
                        : Math.min(Math.min(threads, cpus),
                                Double.isNaN(running) ? cpus : threads * cpus / Math.max(running, cpus));
                double demandCeiling = Double.isNaN(cpus) ? Math.min(threads, 1) : Math.min(threads, cpus);
                double share = maxKnown(cpuCores(subject, s) / ceiling, mean(s, In.DEMAND) / demandCeiling);
                double[] heap = series(s, In.JVM_AFTER_GC);
                double[] history = finiteCount(heap) >= 10 ? heap : series(s, In.RSS);
                double n = Double.NaN;
                yield new BehaviorFeatures(Math.min(1, share), n, n, runQueue, n, n, n, n, n,
                        mean(s, In.JVM_BLOCKED), n, history, n, n, mean(s, In.D_THREADS), latest(s, In.JVM_DEADLOCKED));
            }
            case CGROUP -> {
                double limit = latest(s, In.CG_LIMIT);
                double ceiling = Double.isNaN(limit) ? cpus : Math.min(limit, cpus);
                double user = mean(s, In.CG_USER);
                double system = mean(s, In.CG_SYSTEM);
                double cpuUser = Double.isNaN(user) ? mean(s, In.CG_USAGE) / ceiling : user / ceiling;
                double[] anon = series(s, In.CG_ANON);
                double n = Double.NaN;
                yield new BehaviorFeatures(cpuUser, system / ceiling, n, runQueue, mean(s, In.CG_MEM_FRACTION), n, n,
                        mean(s, In.MAJFLT), n, n, n, finiteCount(anon) >= 10 ? anon : series(s, In.CG_MEM_BYTES),
                        mean(s, In.MEM_FULL), mean(s, In.IO_SOME), n, n);
            }
        });
    }

    /** The subject's frame of each held tick, oldest first, null where it had no sample. O(window) lookups. */
    private double[][] framesOf(BehaviorSubject s) {
        double[][] out = new double[ticks.size()][];
        int i = 0;
        for (Tick t : ticks) {
            out[i++] = t.frames().get(s);
        }
        return out;
    }

    /** Mean of the known values, oldest first (summation order fixed), NaN when none. */
    private static double mean(double[][] fs, In in) {
        int k = in.ordinal();
        double sum = 0;
        int n = 0;
        for (double[] f : fs) {
            if (f != null && !Double.isNaN(f[k])) {
                sum += f[k];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The newest known value, NaN when none. */
    private static double latest(double[][] fs, In in) {
        int k = in.ordinal();
        for (int i = fs.length - 1; i >= 0; i--) {
            double[] f = fs[i];
            if (f != null && !Double.isNaN(f[k])) {
                return f[k];
            }
        }
        return Double.NaN;
    }

    /** One value per tick, oldest first, NaN where the subject had no sample. */
    private static double[] series(double[][] fs, In in) {
        int k = in.ordinal();
        double[] out = new double[fs.length];
        for (int i = 0; i < fs.length; i++) {
            out[i] = fs[i] == null ? Double.NaN : fs[i][k];
        }
        return out;
    }

    private static int finiteCount(double[] x) {
        int n = 0;
        for (double v : x) {
            if (Double.isFinite(v)) {
                n++;
            }
        }
        return n;
    }

    /** The larger of two values, ignoring a NaN (NaN only when both are). */
    private static double maxKnown(double a, double b) {
        return Double.isNaN(a) ? b : (Double.isNaN(b) ? a : Math.max(a, b));
    }

    private static double or(double a, double b) {
        return Double.isNaN(a) ? b : a;
    }
}
