package dev.helix.nexus.agent.behavior;

import com.sun.tools.attach.VirtualMachine;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The thread and memory state of ANOTHER local JVM, read over JMX after attaching to it by pid (the Attach API starts
 * the target's local management agent; same user or root required, and the target must not run with
 * {@code -XX:+DisableAttachMechanism}). Emits, each with label {@code pid}, the series names of the own-JVM sensor of
 * nexus-telemetry so that consumers such as {@link dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor} treat
 * both alike: {@code jvm_threads{state}} (one per {@link Thread.State}), {@code jvm_threads_live},
 * {@code jvm_threads_deadlocked} (ThreadMXBean.findDeadlockedThreads: monitor and ownable-synchronizer cycles),
 * {@code jvm_process_cpu_cores} (CPU seconds per second of the target) and
 * {@code jvm_memory_pool_used_after_gc_bytes{pool}}.
 *
 * <p>The attach happens on the first {@link #sample}; a failure (no such process, not a JVM, attach refused) makes the
 * sensor FAILED with the reason and is retried on the next tick. Cost per tick: a few JMX round trips over a local
 * socket plus one thread dump of the target (O(threads) in the target, which takes a safepoint there). Not
 * thread-safe (tick thread only).
 */
public final class AttachedJvmSensor implements Sensor {

    private final long pid;
    private final MetricKey live;
    private final MetricKey deadlocked;
    private final MetricKey cores;
    private final Map<Thread.State, MetricKey> states = new EnumMap<>(Thread.State.class);
    private final Map<String, MetricKey> pools = new HashMap<>();
    private JMXConnector connector;
    private ThreadMXBean threads;
    private com.sun.management.OperatingSystemMXBean os;
    private List<MemoryPoolMXBean> memoryPools = List.of();
    private long lastCpuNanos = -1;
    private long lastWallMillis;
    private SensorHealth health;

    /** @param pid the target JVM's process id */
    public AttachedJvmSensor(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
        this.pid = pid;
        String p = Long.toString(pid);
        live = MetricKey.of("jvm_threads_live", "pid", p);
        deadlocked = MetricKey.of("jvm_threads_deadlocked", "pid", p);
        cores = MetricKey.of("jvm_process_cpu_cores", "pid", p);
        for (Thread.State s : Thread.State.values()) {
            states.put(s, MetricKey.of("jvm_threads", "pid", p, "state", s.name().toLowerCase(Locale.ROOT)));
        }
        health = SensorHealth.failed(source(), "not sampled yet");
    }

    @Override
    public String name() {
        return "jvm-attach-" + pid;
    }

    private String source() {
        return "jmx://attach/" + pid;
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
            for (MemoryPoolMXBean p : memoryPools) {
                MemoryUsage after = p.getCollectionUsage();
                if (after != null) {
                    MetricKey k = pools.computeIfAbsent(p.getName(), n -> MetricKey.of(
                            "jvm_memory_pool_used_after_gc_bytes", "pid", Long.toString(pid), "pool", n));
                    sink.record(k, after.getUsed(), ts);
                }
            }
            health = SensorHealth.healthy(source());
        } catch (Exception | LinkageError e) {
            health = SensorHealth.failed(source(), "cannot read JVM " + pid + " over JMX: " + e);
            close();
        }
    }

    private void connect() throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String url;
        try {
            url = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        connector = JMXConnectorFactory.connect(new JMXServiceURL(url));
        MBeanServerConnection c = connector.getMBeanServerConnection();
        threads = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
        os = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
                com.sun.management.OperatingSystemMXBean.class);
        List<MemoryPoolMXBean> ps = new ArrayList<>();
        for (ObjectName n : c.queryNames(new ObjectName(ManagementFactory.MEMORY_POOL_MXBEAN_DOMAIN_TYPE + ",*"), null)) {
            ps.add(ManagementFactory.newPlatformMXBeanProxy(c, n.getCanonicalName(), MemoryPoolMXBean.class));
        }
        memoryPools = ps;
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
        os = null;
        memoryPools = List.of();
        lastCpuNanos = -1;
    }
}
