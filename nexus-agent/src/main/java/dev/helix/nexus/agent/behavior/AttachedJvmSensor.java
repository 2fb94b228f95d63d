package dev.helix.nexus.agent.behavior;

import com.sun.tools.attach.VirtualMachine;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
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
 * seconds per second of the target between two readings started by ticks: from the third tick, as the first publishes
 * the reading the constructor started at an unknown earlier time), {@code
 * jvm_memory_used_bytes{area="heap"|"nonheap"}}, {@code jvm_memory_committed_bytes{area}}, per pool {@code
 * jvm_memory_pool_used_bytes{pool}} and {@code jvm_memory_pool_used_after_gc_bytes{pool}} (pools that have one), per
 * collector {@code jvm_gc_collections{gc}} (count since the target started) and {@code jvm_gc_time_fraction{gc}}
 * (share of wall time in that collector between two readings), {@code jvm_classes_loaded}, on Unix targets {@code
 * jvm_open_fds} and {@code jvm_max_fds}; plus {@code jmx_reading_age_seconds} (tick time minus the tick time at
 * which the published reading was started: 0 when it answered within the wait, one tick when it is the previous
 * tick's reading).
 *
 * <p><b>Reading.</b> One reading is a handful of JMX round trips, each fetching every attribute needed from one MBean
 * ({@link MBeanServerConnection#getAttributes}): the thread states from one {@code dumpAllThreads(false, false, 0)}
 * (no stacks; falls back to {@code getAllThreadIds} + {@code getThreadInfo} on targets older than Java 10), the
 * deadlock check, memory, operating system (CPU time, fds), class loading, and one per collector and per memory pool —
 * {@code 5 + collectors + pools} round trips (14 on a Serial-GC HotSpot with one code heap), against 34
 * single-attribute MXBean proxy calls before. A pool's used-after-GC ({@code CollectionUsage}) changes only when a
 * collection ends, so it is fetched only when a collection count moved since the previous reading (else the previous
 * value is kept; a collection that ends between the two fetches shows one reading later). The pool and collector MBeans, their names and their metric keys are looked up once per
 * connection; any failure (target gone, an MBean unregistered) drops the connection, and the next reading reconnects
 * and looks them up again. The thread dump takes a safepoint in the target and is O(threads) there.
 *
 * <p><b>Never stalls the tick.</b> Connecting (Attach API, RMI) and reading run on this sensor's own daemon thread,
 * at most one reading in flight; the constructor starts the connection and the first reading, which the first tick
 * publishes. Each {@link #sample} publishes the latest completed reading: it starts a new reading
 * when none is in flight and waits for it at most {@code wait} (default 100 ms; a healthy local target answers in a
 * few ms, so normally the reading is this tick's); when the reading does not answer within {@code wait}, the previous
 * one is published with its age. A reading still in flight from an earlier tick (a SIGSTOPped, hung or overloaded
 * target; RMI has no reply timeout of its own) makes the sensor DEGRADED "no answer from ... after N ms" while the
 * last reading is younger than {@code timeout} (default 5 s) and is republished, then FAILED with nothing published;
 * no second reading is started until the stuck one returns or fails, so a hung target costs one blocked thread, never
 * tick time. A failed connection or reading makes the sensor FAILED with the source and the reason; the next tick
 * retries.
 *
 * <p>Threads: {@link #sample}, {@link #health} and {@link #close} are for one thread (the tick thread); the reading
 * thread hands each result over through a {@link CompletableFuture}. Per tick on the tick thread: O(pools +
 * collectors + thread states) records, no JMX call.
 */
public final class AttachedJvmSensor implements Sensor {

    /** Default longest wait of a tick for the reading it starts. */
    public static final Duration DEFAULT_WAIT = Duration.ofMillis(100);
    /** Default age after which a reading is no longer republished and an unanswered target is FAILED. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final String[] MEMORY_ATTRS = {"HeapMemoryUsage", "NonHeapMemoryUsage"};
    private static final String[] OS_ATTRS = {"ProcessCpuTime", "OpenFileDescriptorCount", "MaxFileDescriptorCount"};
    private static final String[] POOL_ATTRS = {"Usage", "CollectionUsage"};
    private static final String[] POOL_USAGE_ONLY = {"Usage"};
    private static final String[] GC_ATTRS = {"CollectionCount", "CollectionTime"};
    private static final Object[] DUMP_ARGS = {false, false, 0};
    private static final String[] DUMP_SIG = {"boolean", "boolean", "int"};
    private static final Thread.State[] STATES = Thread.State.values();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final long pid; // 0 for a remote target
    private final JMXServiceURL url; // null for an attached pid
    private final String labelName;
    private final String labelValue;
    private final long waitNanos;
    private final long timeoutMillis;
    private final MetricKey live;
    private final MetricKey deadlocked;
    private final MetricKey cores;
    private final MetricKey classesLoaded;
    private final MetricKey openFds;
    private final MetricKey maxFds;
    private final MetricKey age;
    private final MetricKey[] areaUsed;
    private final MetricKey[] areaCommitted;
    private final MetricKey[] states = new MetricKey[STATES.length];
    private final ExecutorService reader;

    // reading thread only (one reading at a time), except close()
    private volatile JMXConnector connector;
    private MBeanServerConnection conn;
    private Layout layout;
    private boolean dumpWithDepth = true;
    private long[] lastGcCount; // collection counts of the previous reading of this connection, null before it
    private long[] lastAfterGc; // pools' used-after-GC of the previous reading of this connection
    private volatile boolean closed;

    // tick thread only
    private CompletableFuture<Reading> pending;
    private long pendingStartedAt;
    private Reading latest; // latest completed successful reading, with its rates
    private SensorHealth health;

    /** @param pid the target JVM's process id, attached to on the first sample */
    public AttachedJvmSensor(long pid) {
        this(pid, null, DEFAULT_WAIT, DEFAULT_TIMEOUT);
    }

    /**
     * @param pid     the target JVM's process id, attached to on the first sample
     * @param wait    longest wait of a tick for the reading it starts (zero: always publish the previous reading)
     * @param timeout age after which a reading is no longer republished and an unanswered target is FAILED
     */
    public AttachedJvmSensor(long pid, Duration wait, Duration timeout) {
        this(checkPid(pid), null, wait, timeout);
    }

    private AttachedJvmSensor(long pid, JMXServiceURL url, Duration wait, Duration timeout) {
        if (url == null) {
            checkPid(pid);
        }
        if (wait.isNegative() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("wait must be >= 0 and timeout > 0 for "
                    + (url == null ? "pid " + pid : url) + ", got " + wait + " and " + timeout);
        }
        this.pid = pid;
        this.url = url;
        this.labelName = url == null ? "pid" : "jmx";
        this.labelValue = url == null ? Long.toString(pid) : url.toString();
        this.waitNanos = wait.toNanos();
        this.timeoutMillis = timeout.toMillis();
        live = key("jvm_threads_live");
        deadlocked = key("jvm_threads_deadlocked");
        cores = key("jvm_process_cpu_cores");
        classesLoaded = key("jvm_classes_loaded");
        openFds = key("jvm_open_fds");
        maxFds = key("jvm_max_fds");
        age = key("jmx_reading_age_seconds");
        areaUsed = new MetricKey[] {key("jvm_memory_used_bytes", "area", "heap"),
                key("jvm_memory_used_bytes", "area", "nonheap")};
        areaCommitted = new MetricKey[] {key("jvm_memory_committed_bytes", "area", "heap"),
                key("jvm_memory_committed_bytes", "area", "nonheap")};
        for (Thread.State s : STATES) {
            states[s.ordinal()] = key("jvm_threads", "state", s.name().toLowerCase(Locale.ROOT));
        }
        reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nexus-jmx-" + labelValue + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        health = SensorHealth.failed(source(), "not sampled yet");
        // connect and take the first reading now, so that the first tick normally has it
        pending = start(Long.MIN_VALUE);
        pendingStartedAt = Long.MIN_VALUE;
    }

    private static long checkPid(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
        return pid;
    }

    /**
     * A JVM behind a JMX connector, e.g. {@code service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi}; its series carry
     * the label {@code jmx} = the URL. Default wait and timeout.
     */
    public static AttachedJvmSensor remote(JMXServiceURL url) {
        return remote(url, DEFAULT_WAIT, DEFAULT_TIMEOUT);
    }

    /** As {@link #remote(JMXServiceURL)} with the wait and timeout of {@link #AttachedJvmSensor(long, Duration, Duration)}. */
    public static AttachedJvmSensor remote(JMXServiceURL url, Duration wait, Duration timeout) {
        Objects.requireNonNull(url, "url");
        return new AttachedJvmSensor(0, url, wait, timeout);
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

    private String target() {
        return url == null ? "JVM " + pid : "the JVM at " + url;
    }

    @Override
    public void sample(MetricSink sink, long ts) {
        if (closed) {
            health = SensorHealth.failed(source(), "closed");
            return;
        }
        if (pending != null && pendingStartedAt == Long.MIN_VALUE) {
            // the constructor's connection and first reading: the first tick waits for it like for its own
            Reading first = await(pending, ts);
            if (first == null) {
                health = SensorHealth.failed(source(), "no reading yet from " + target() + " over JMX: connecting or"
                        + " reading took longer than the " + waitNanos / 1_000_000 + " ms wait");
                pendingStartedAt = ts; // from now on it is late like any other
                return;
            }
            accept(first, ts);
            pending = null;
            if (first.error == null) {
                publish(sink, ts, first);
            }
            return;
        }
        if (pending != null && pending.isDone()) {
            accept(pending.getNow(null), ts);
            pending = null;
        }
        if (pending != null) {
            long waited = ts - pendingStartedAt;
            String reason = "no answer from " + target() + " over JMX after " + waited + " ms";
            long ageMillis = latest == null ? Long.MAX_VALUE : ts - latest.startedAt;
            if (latest == null || ageMillis > timeoutMillis) {
                health = SensorHealth.failed(source(), reason + " (timeout " + timeoutMillis + " ms)");
                return;
            }
            health = SensorHealth.degraded(source(), reason + "; republishing the reading of " + ageMillis + " ms ago");
            publish(sink, ts, latest);
            return;
        }
        CompletableFuture<Reading> started = start(ts);
        if (started == null) {
            return;
        }
        pending = started;
        pendingStartedAt = ts;
        Reading r = await(started, ts);
        if (r != null) {
            accept(r, ts);
            pending = null;
        } else if (latest == null) {
            health = SensorHealth.failed(source(), "no reading yet from " + target()
                    + " over JMX: connecting or reading took longer than the " + waitNanos / 1_000_000 + " ms wait");
        }
        if (latest != null && ts - latest.startedAt <= timeoutMillis && (r == null || r.error == null)) {
            publish(sink, ts, latest);
        }
    }

    /** Waits at most {@code wait} for {@code f}; its reading, or null when it has not answered. */
    private Reading await(CompletableFuture<Reading> f, long ts) {
        try {
            return waitNanos == 0 ? f.getNow(null) : f.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null; // still in flight
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return Reading.failed(ts, "reading failed: " + e); // read() catches everything; defensive
        }
    }

    private CompletableFuture<Reading> start(long ts) {
        try {
            return CompletableFuture.supplyAsync(() -> read(ts), reader);
        } catch (RejectedExecutionException e) {
            health = SensorHealth.failed(source(), "closed");
            return null;
        }
    }

    /** Takes a completed reading: computes its rates against the previous one and sets the health. Tick thread. */
    private void accept(Reading r, long ts) {
        if (r.startedAt == Long.MIN_VALUE) {
            // the constructor's reading is published as this first tick's, but it was taken at an unknown earlier
            // time: no rate is computed against it (the first CPU and GC-time rates come with the third reading)
            r.startedAt = ts;
            r.initial = true;
        }
        if (r.error != null) {
            health = SensorHealth.failed(source(), "cannot read " + target() + " over JMX: " + r.error);
            latest = null; // rates restart after a reconnect, as the counters may belong to a new process
            return;
        }
        Reading prev = latest;
        if (prev != null && !prev.initial && prev.layout == r.layout && r.startedAt > prev.startedAt) {
            long dt = r.startedAt - prev.startedAt;
            if (prev.cpuNanos >= 0 && r.cpuNanos >= prev.cpuNanos) {
                r.cores = (r.cpuNanos - prev.cpuNanos) / 1e6 / dt;
            }
            r.gcFraction = new double[r.gcTime.length];
            for (int i = 0; i < r.gcTime.length; i++) {
                r.gcFraction[i] = prev.gcTime[i] >= 0 && r.gcTime[i] >= prev.gcTime[i]
                        ? Math.min(1.0, (double) (r.gcTime[i] - prev.gcTime[i]) / dt) : Double.NaN;
            }
        }
        latest = r;
        health = SensorHealth.healthy(source());
    }

    private void publish(MetricSink sink, long ts, Reading r) {
        for (int i = 0; i < STATES.length; i++) {
            sink.record(states[i], r.states[i], ts);
        }
        sink.record(live, r.live, ts);
        sink.record(deadlocked, r.deadlocked, ts);
        if (!Double.isNaN(r.cores)) {
            sink.record(cores, r.cores, ts);
        }
        sink.record(areaUsed[0], r.heapUsed, ts);
        sink.record(areaCommitted[0], r.heapCommitted, ts);
        sink.record(areaUsed[1], r.nonHeapUsed, ts);
        sink.record(areaCommitted[1], r.nonHeapCommitted, ts);
        Layout l = r.layout;
        for (int i = 0; i < l.pools.length; i++) {
            if (r.poolUsed[i] >= 0) {
                sink.record(l.poolUsedKeys[i], r.poolUsed[i], ts);
            }
            if (r.poolAfterGc[i] >= 0) {
                sink.record(l.poolAfterGcKeys[i], r.poolAfterGc[i], ts);
            }
        }
        for (int i = 0; i < l.gcs.length; i++) {
            if (r.gcCount[i] >= 0) {
                sink.record(l.gcCountKeys[i], r.gcCount[i], ts);
            }
            if (r.gcFraction != null && !Double.isNaN(r.gcFraction[i])) {
                sink.record(l.gcFractionKeys[i], r.gcFraction[i], ts);
            }
        }
        sink.record(classesLoaded, r.classes, ts);
        if (r.openFds >= 0) {
            sink.record(openFds, r.openFds, ts);
        }
        if (r.maxFds >= 0) {
            sink.record(maxFds, r.maxFds, ts);
        }
        sink.record(age, Math.max(0, ts - r.startedAt) / 1e3, ts);
    }

    // ---- reading thread ----

    /** One reading, connecting first when needed; never throws: a failure is a reading with an error. */
    private Reading read(long ts) {
        try {
            if (conn == null) {
                connect();
            }
            return readOnce(ts);
        } catch (Exception | LinkageError e) {
            disconnect();
            return Reading.failed(ts, e.toString());
        }
    }

    private Reading readOnce(long ts) throws IOException, JMException {
        Layout l = layout;
        Reading r = new Reading(ts, l);
        countThreads(r);
        Object dl = conn.invoke(Layout.THREADING, "findDeadlockedThreads", null, null);
        r.deadlocked = dl instanceof long[] ids ? ids.length : 0;
        AttributeList mem = conn.getAttributes(Layout.MEMORY, MEMORY_ATTRS);
        CompositeData heap = (CompositeData) value(mem, "HeapMemoryUsage");
        CompositeData nonHeap = (CompositeData) value(mem, "NonHeapMemoryUsage");
        if (heap == null || nonHeap == null) {
            throw new IOException("the Memory MXBean returned no heap or non-heap usage");
        }
        r.heapUsed = (Long) heap.get("used");
        r.heapCommitted = (Long) heap.get("committed");
        r.nonHeapUsed = (Long) nonHeap.get("used");
        r.nonHeapCommitted = (Long) nonHeap.get("committed");
        AttributeList os = conn.getAttributes(Layout.OS, OS_ATTRS);
        r.cpuNanos = longOr(value(os, "ProcessCpuTime"), -1);
        r.openFds = longOr(value(os, "OpenFileDescriptorCount"), -1);
        r.maxFds = longOr(value(os, "MaxFileDescriptorCount"), -1);
        r.classes = ((Number) conn.getAttribute(Layout.CLASS_LOADING, "LoadedClassCount")).longValue();
        boolean collected = lastGcCount == null;
        for (int i = 0; i < l.gcs.length; i++) {
            AttributeList a = conn.getAttributes(l.gcs[i], GC_ATTRS);
            r.gcCount[i] = longOr(value(a, "CollectionCount"), -1);
            r.gcTime[i] = longOr(value(a, "CollectionTime"), -1);
            collected |= lastGcCount != null && (r.gcCount[i] != lastGcCount[i] || r.gcCount[i] < 0);
        }
        // a pool's CollectionUsage changes only at the end of a collection: after none, keep the last value
        String[] poolAttrs = collected ? POOL_ATTRS : POOL_USAGE_ONLY;
        for (int i = 0; i < l.pools.length; i++) {
            AttributeList a = conn.getAttributes(l.pools[i], poolAttrs);
            r.poolUsed[i] = usedOr(value(a, "Usage"));
            r.poolAfterGc[i] = collected ? usedOr(value(a, "CollectionUsage")) : lastAfterGc[i];
        }
        lastGcCount = r.gcCount;
        lastAfterGc = r.poolAfterGc;
        return r;
    }

    private void countThreads(Reading r) throws IOException, JMException {
        Object[] infos = null;
        if (dumpWithDepth) {
            try {
                infos = (Object[]) conn.invoke(Layout.THREADING, "dumpAllThreads", DUMP_ARGS, DUMP_SIG);
            } catch (javax.management.ReflectionException e) {
                dumpWithDepth = false; // a target older than Java 10: no dumpAllThreads(boolean, boolean, int)
            }
        }
        if (infos == null) {
            long[] ids = (long[]) conn.getAttribute(Layout.THREADING, "AllThreadIds");
            infos = (Object[]) conn.invoke(Layout.THREADING, "getThreadInfo", new Object[] {ids},
                    new String[] {long[].class.getName()});
        }
        int n = 0;
        for (Object o : infos) {
            if (o instanceof CompositeData cd && cd.get("threadState") instanceof String s) {
                r.states[Thread.State.valueOf(s).ordinal()]++;
                n++;
            }
        }
        r.live = n;
    }

    private static Object value(AttributeList list, String name) {
        for (Attribute a : list.asList()) {
            if (a.getName().equals(name)) {
                return a.getValue();
            }
        }
        return null;
    }

    private static long longOr(Object v, long dflt) {
        return v instanceof Number n ? n.longValue() : dflt;
    }

    private static long usedOr(Object usage) {
        return usage instanceof CompositeData cd && cd.get("used") instanceof Long used ? used : -1;
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
        JMXConnector c = JMXConnectorFactory.connect(target);
        connector = c;
        if (closed) {
            disconnect();
            throw new IOException("sensor closed while connecting");
        }
        MBeanServerConnection mbs = c.getMBeanServerConnection();
        layout = new Layout(mbs, this);
        conn = mbs;
        dumpWithDepth = true;
    }

    private void disconnect() {
        JMXConnector c = connector;
        connector = null;
        conn = null;
        layout = null;
        lastGcCount = null;
        lastAfterGc = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // the target may already be gone; nothing to release on our side
            }
        }
    }

    @Override
    public SensorHealth health() {
        return health;
    }

    /** Cancels the reading in flight, closes the connection and stops the reading thread. */
    @Override
    public void close() {
        closed = true;
        if (pending != null) {
            pending.cancel(true);
            pending = null;
        }
        JMXConnector c = connector;
        if (c != null) {
            try {
                c.close(); // may unblock a reading stuck on a stopped target
            } catch (IOException | RuntimeException ignored) {
                // already gone
            }
        }
        reader.shutdownNow();
        latest = null;
    }

    /**
     * The MBeans of one connection: the fixed platform names, and the memory pools and collectors found when
     * connecting, with their names and metric keys. Immutable after construction.
     */
    private static final class Layout {
        static final ObjectName THREADING = name(ManagementFactory.THREAD_MXBEAN_NAME);
        static final ObjectName MEMORY = name(ManagementFactory.MEMORY_MXBEAN_NAME);
        static final ObjectName OS = name(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME);
        static final ObjectName CLASS_LOADING = name(ManagementFactory.CLASS_LOADING_MXBEAN_NAME);
        static final ObjectName POOLS = name(ManagementFactory.MEMORY_POOL_MXBEAN_DOMAIN_TYPE + ",*");
        static final ObjectName GCS = name(ManagementFactory.GARBAGE_COLLECTOR_MXBEAN_DOMAIN_TYPE + ",*");

        final ObjectName[] pools;
        final MetricKey[] poolUsedKeys;
        final MetricKey[] poolAfterGcKeys;
        final ObjectName[] gcs;
        final MetricKey[] gcCountKeys;
        final MetricKey[] gcFractionKeys;

        Layout(MBeanServerConnection c, AttachedJvmSensor s) throws IOException, JMException {
            pools = c.queryNames(POOLS, null).toArray(ObjectName[]::new);
            poolUsedKeys = new MetricKey[pools.length];
            poolAfterGcKeys = new MetricKey[pools.length];
            for (int i = 0; i < pools.length; i++) {
                String n = (String) c.getAttribute(pools[i], "Name");
                poolUsedKeys[i] = s.key("jvm_memory_pool_used_bytes", "pool", n);
                poolAfterGcKeys[i] = s.key("jvm_memory_pool_used_after_gc_bytes", "pool", n);
            }
            gcs = c.queryNames(GCS, null).toArray(ObjectName[]::new);
            gcCountKeys = new MetricKey[gcs.length];
            gcFractionKeys = new MetricKey[gcs.length];
            for (int i = 0; i < gcs.length; i++) {
                String n = (String) c.getAttribute(gcs[i], "Name");
                gcCountKeys[i] = s.key("jvm_gc_collections", "gc", n);
                gcFractionKeys[i] = s.key("jvm_gc_time_fraction", "gc", n);
            }
        }

        private static ObjectName name(String n) {
            try {
                return new ObjectName(n);
            } catch (JMException e) {
                throw new IllegalStateException(n, e);
            }
        }
    }

    /** The values of one reading; filled on the reading thread, rates added on the tick thread when accepted. */
    private static final class Reading {
        long startedAt; // tick time that started it; set at the first tick for the constructor's reading
        boolean initial; // the constructor's reading, whose real time is unknown: no rates against it
        final Layout layout;
        final String error;
        final int[] states = new int[STATES.length];
        int live;
        int deadlocked;
        long cpuNanos = -1;
        long heapUsed;
        long heapCommitted;
        long nonHeapUsed;
        long nonHeapCommitted;
        long classes;
        long openFds = -1;
        long maxFds = -1;
        final long[] poolUsed;
        final long[] poolAfterGc;
        final long[] gcCount;
        final long[] gcTime;
        double cores = Double.NaN;
        double[] gcFraction; // null until a previous reading of the same connection exists

        Reading(long startedAt, Layout l) {
            this(startedAt, l, null);
        }

        private Reading(long startedAt, Layout l, String error) {
            this.startedAt = startedAt;
            this.layout = l;
            this.error = error;
            int p = l == null ? 0 : l.pools.length;
            int g = l == null ? 0 : l.gcs.length;
            poolUsed = new long[p];
            poolAfterGc = new long[p];
            gcCount = new long[g];
            gcTime = new long[g];
        }

        static Reading failed(long startedAt, String error) {
            return new Reading(startedAt, null, error);
        }
    }
}
