package dev.helix.nexus.agent.behavior;

import com.sun.tools.attach.VirtualMachine;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.io.IOException;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * ANOTHER JVM read over JMX: either a local JVM by pid (the Attach API starts the target's local management agent;
 * same user or root required, and the target must not run with {@code -XX:+DisableAttachMechanism}), or any JVM
 * exposing a JMX connector at a {@code service:jmx:} URL ({@link #remote}, e.g. one started with
 * {@code -Dcom.sun.management.jmxremote.port=9010}). Emits the series names of the own-JVM sensor of nexus-telemetry,
 * so that consumers such as {@link dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor} treat both alike, each
 * with the label {@code pid} (attach) or {@code jmx} (the URL):
 * {@code jvm_threads{state}} (one per {@link Thread.State}), {@code jvm_threads_live}, {@code jvm_threads_deadlocked}
 * (ThreadMXBean.findDeadlockedThreads: monitor and ownable-synchronizer cycles), {@code jvm_process_cpu_cores} (CPU
 * seconds per second of the target, from the second tick), {@code jvm_memory_used_bytes{area="heap"|"nonheap"}},
 * {@code jvm_memory_committed_bytes{area}}, per pool {@code jvm_memory_pool_used_bytes{pool}} and
 * {@code jvm_memory_pool_used_after_gc_bytes{pool}}, per collector {@code jvm_gc_collections{gc}} (count since the
 * target started) and {@code jvm_gc_time_fraction{gc}} (share of wall time in that collector since the previous
 * tick), {@code jvm_classes_loaded}, and on Unix targets {@code jvm_open_fds} and {@code jvm_max_fds}.
 *
 * <p>The connection is made on the first {@link #sample}; a failure (no such process, not a JVM, attach refused,
 * connection refused) makes the sensor FAILED with the source and the reason and is retried on the next tick. Cost per
 * tick: a few dozen JMX round trips (one per attribute; local socket or RMI) plus one thread dump of the target
 * (O(threads) there, which takes a safepoint in the target). Not thread-safe (tick thread only).
 */
public final class AttachedJvmSensor implements Sensor {

    private final long pid; // 0 for a remote target
    private final JMXServiceURL url; // null for an attached pid
    private final String labelName;
    private final String labelValue;
    private final MetricKey live;
    private final MetricKey deadlocked;
    private final MetricKey cores;
    private final MetricKey classesLoaded;
    private final MetricKey openFds;
    private final MetricKey maxFds;
    private final MetricKey[] areaUsed;
    private final MetricKey[] areaCommitted;
    private final Map<Thread.State, MetricKey> states = new EnumMap<>(Thread.State.class);
    private final Map<String, MetricKey> poolsAfterGc = new HashMap<>();
    private final Map<String, MetricKey> poolsUsed = new HashMap<>();
    private final Map<String, MetricKey[]> gcKeys = new HashMap<>();
    private final Map<String, long[]> gcLast = new HashMap<>(); // collector -> {time ms, wall ms}
    private JMXConnector connector;
    private ThreadMXBean threads;
    private MemoryMXBean memory;
    private ClassLoadingMXBean classes;
    private com.sun.management.OperatingSystemMXBean os;
    private com.sun.management.UnixOperatingSystemMXBean unixOs; // null when the target is not a Unix JVM
    private List<MemoryPoolMXBean> memoryPools = List.of();
    private List<GarbageCollectorMXBean> collectors = List.of();
    private long lastCpuNanos = -1;
    private long lastWallMillis;
    private SensorHealth health;

    /** @param pid the target JVM's process id, attached to on the first sample */
    public AttachedJvmSensor(long pid) {
        this(pid, null, "pid", Long.toString(pid));
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
    }

    private AttachedJvmSensor(long pid, JMXServiceURL url, String labelName, String labelValue) {
        this.pid = pid;
        this.url = url;
        this.labelName = labelName;
        this.labelValue = labelValue;
        live = key("jvm_threads_live");
        deadlocked = key("jvm_threads_deadlocked");
        cores = key("jvm_process_cpu_cores");
        classesLoaded = key("jvm_classes_loaded");
        openFds = key("jvm_open_fds");
        maxFds = key("jvm_max_fds");
        areaUsed = new MetricKey[] {key("jvm_memory_used_bytes", "area", "heap"),
                key("jvm_memory_used_bytes", "area", "nonheap")};
        areaCommitted = new MetricKey[] {key("jvm_memory_committed_bytes", "area", "heap"),
                key("jvm_memory_committed_bytes", "area", "nonheap")};
        for (Thread.State s : Thread.State.values()) {
            states.put(s, key("jvm_threads", "state", s.name().toLowerCase(Locale.ROOT)));
        }
        health = SensorHealth.failed(source(), "not sampled yet");
    }

    /**
     * A JVM behind a JMX connector, e.g. {@code service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi}; its series carry
     * the label {@code jmx} = the URL.
     */
    public static AttachedJvmSensor remote(JMXServiceURL url) {
        Objects.requireNonNull(url, "url");
        return new AttachedJvmSensor(0, url, "jmx", url.toString());
    }

    private MetricKey key(String name, String... more) {
        String[] pairs = new String[more.length + 2];
        pairs[0] = labelName;
        pairs[1] = labelValue;
        System.arraycopy(more, 0, pairs, 2, more.length);
        return MetricKey.of(name, pairs);
    }

    @Override
    public String name() {
        return url == null ? "jvm-attach-" + pid : "jvm-jmx-" + url;
    }

    private String source() {
        return url == null ? "jmx://attach/" + pid : url.toString();
    }

    @Override
    public void sample(MetricSink sink, long ts) {
        try {
            if (connector == null) {
                connect();
            }
            Map<Thread.State, Integer> count = new EnumMap<>(Thread.State.class);
            for (Thread.State s : Thread.State.values()) {
                count.put(s, 0);
            }
            long[] ids = threads.getAllThreadIds();
            for (ThreadInfo ti : threads.getThreadInfo(ids)) {
                if (ti != null) {
                    count.merge(ti.getThreadState(), 1, Integer::sum);
                }
            }
            count.forEach((s, n) -> sink.record(states.get(s), n, ts));
            sink.record(live, threads.getThreadCount(), ts);
            long[] dl = threads.findDeadlockedThreads();
            sink.record(deadlocked, dl == null ? 0 : dl.length, ts);
            long cpu = os.getProcessCpuTime();
            if (lastCpuNanos >= 0 && cpu >= lastCpuNanos && ts > lastWallMillis) {
                sink.record(cores, (cpu - lastCpuNanos) / 1e6 / (ts - lastWallMillis), ts);
            }
            lastCpuNanos = cpu;
            lastWallMillis = ts;
            MemoryUsage heap = memory.getHeapMemoryUsage();
            MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
            sink.record(areaUsed[0], heap.getUsed(), ts);
            sink.record(areaCommitted[0], heap.getCommitted(), ts);
            sink.record(areaUsed[1], nonHeap.getUsed(), ts);
            sink.record(areaCommitted[1], nonHeap.getCommitted(), ts);
            for (MemoryPoolMXBean p : memoryPools) {
                String pool = p.getName();
                MemoryUsage used = p.getUsage();
                if (used != null) {
                    sink.record(poolsUsed.computeIfAbsent(pool, n -> key("jvm_memory_pool_used_bytes", "pool", n)),
                            used.getUsed(), ts);
                }
                MemoryUsage after = p.getCollectionUsage();
                if (after != null) {
                    sink.record(poolsAfterGc.computeIfAbsent(pool,
                            n -> key("jvm_memory_pool_used_after_gc_bytes", "pool", n)), after.getUsed(), ts);
                }
            }
            for (GarbageCollectorMXBean gc : collectors) {
                String name = gc.getName();
                MetricKey[] k = gcKeys.computeIfAbsent(name, n -> new MetricKey[] {
                        key("jvm_gc_collections", "gc", n), key("jvm_gc_time_fraction", "gc", n)});
                long n = gc.getCollectionCount();
                long timeMs = gc.getCollectionTime();
                if (n >= 0) {
                    sink.record(k[0], n, ts);
                }
                long[] last = gcLast.get(name);
                if (last != null && timeMs >= last[0] && ts > last[1]) {
                    sink.record(k[1], Math.min(1.0, (double) (timeMs - last[0]) / (ts - last[1])), ts);
                }
                if (timeMs >= 0) {
                    gcLast.put(name, new long[] {timeMs, ts});
                }
            }
            sink.record(classesLoaded, classes.getLoadedClassCount(), ts);
            if (unixOs != null) {
                sink.record(openFds, unixOs.getOpenFileDescriptorCount(), ts);
                sink.record(maxFds, unixOs.getMaxFileDescriptorCount(), ts);
            }
            health = SensorHealth.healthy(source());
        } catch (Exception | LinkageError e) {
            health = SensorHealth.failed(source(), "cannot read "
                    + (url == null ? "JVM " + pid : "the JVM at " + url) + " over JMX: " + e);
            close();
        }
    }

    private void connect() throws Exception {
        JMXServiceURL target = url;
        if (target == null) {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                target = new JMXServiceURL(vm.startLocalManagementAgent());
            } finally {
                vm.detach();
            }
        }
        connector = JMXConnectorFactory.connect(target);
        MBeanServerConnection c = connector.getMBeanServerConnection();
        threads = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
        memory = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        classes = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.CLASS_LOADING_MXBEAN_NAME,
                ClassLoadingMXBean.class);
        ObjectName osName = new ObjectName(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME);
        os = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
                com.sun.management.OperatingSystemMXBean.class);
        unixOs = c.isInstanceOf(osName, "com.sun.management.UnixOperatingSystemMXBean")
                ? ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
                        com.sun.management.UnixOperatingSystemMXBean.class)
                : null;
        List<MemoryPoolMXBean> ps = new ArrayList<>();
        for (ObjectName n : c.queryNames(new ObjectName(ManagementFactory.MEMORY_POOL_MXBEAN_DOMAIN_TYPE + ",*"), null)) {
            ps.add(ManagementFactory.newPlatformMXBeanProxy(c, n.getCanonicalName(), MemoryPoolMXBean.class));
        }
        memoryPools = ps;
        List<GarbageCollectorMXBean> gcs = new ArrayList<>();
        for (ObjectName n : c.queryNames(new ObjectName(ManagementFactory.GARBAGE_COLLECTOR_MXBEAN_DOMAIN_TYPE + ",*"),
                null)) {
            gcs.add(ManagementFactory.newPlatformMXBeanProxy(c, n.getCanonicalName(), GarbageCollectorMXBean.class));
        }
        collectors = gcs;
    }

    @Override
    public SensorHealth health() {
        return health;
    }

    @Override
    public void close() {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException ignored) {
                // the target may already be gone; nothing to release on our side
            }
        }
        connector = null;
        threads = null;
        memory = null;
        classes = null;
        os = null;
        unixOs = null;
        memoryPools = List.of();
        collectors = List.of();
        lastCpuNanos = -1;
        gcLast.clear();
    }
}
