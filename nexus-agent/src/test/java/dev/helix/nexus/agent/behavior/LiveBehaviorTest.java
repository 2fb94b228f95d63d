package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor;
import dev.helix.nexus.detect.behavior.BehaviorFeatures;
import dev.helix.nexus.detect.behavior.BehaviorPattern;
import dev.helix.nexus.detect.behavior.BehaviorSubject;
import dev.helix.nexus.detect.behavior.BehaviorVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every behaviour pattern against a real workload on this machine: stress-ng (Debian package) for CPU, I/O and
 * interrupt load and for filling a memory-limited cgroup; a Python child whose RSS grows; a child JVM with a real
 * two-lock deadlock; file pages re-read through mmap in a cgroup too small for them (thrashing without swap). The
 * real sensors run at a 250 ms tick for 12 ticks; the window's features are classified, and the same window replayed
 * from its recording must give identical verdicts. Tests skip with the reason when stress-ng is absent or the kernel
 * refuses (no cgroup v1 memory controller, not root). Other work on the host is expected (builds on 2 CPUs): the
 * assertions are about the workload's own processes and cgroups, and about the host only where the workload
 * dominates it. Workloads are killed, with their descendants and cgroups, after each test.
 */
class LiveBehaviorTest {

    private static final int TICKS = 12;
    private static final long MIB = 1 << 20;

    private final Workloads w = new Workloads();
    private final List<TestCgroup> cgroups = new ArrayList<>();

    @AfterEach
    void stopWorkloads() throws InterruptedException {
        w.close();
        cgroups.forEach(TestCgroup::close);
    }

    @Test
    void cpuHogsAreCpuBoundAndSaturateTheHost() throws Exception {
        Workloads.assumeStressNg();
        Process p = w.start(List.of(Workloads.STRESS_NG.toString(), "--cpu", "2"));
        Set<BehaviorSubject> workers = awaitWorkers(p, 2);
        BehaviorFeatureExtractor x = w.sample(TICKS, List.of());
        for (BehaviorSubject s : workers) {
            assertTop(x, s, BehaviorPattern.CPU_BOUND, 0.5);
        }
        // the host is CPU-saturated (other work may make something else rank first, e.g. its I/O)
        assertThat(confidence(x, BehaviorSubject.HOST, BehaviorPattern.CPU_BOUND))
                .as("host: %s", w.verdicts(x, BehaviorSubject.HOST)).isGreaterThanOrEqualTo(0.5);
        assertReplayMatches(x, workers);
        w.saveTraceIfAsked("cpu-bound", "stress-ng --cpu 2: both workers CpuBound, the host CPU-saturated", workers);
    }

    @Test
    void directSyncWritersAreIoBound(@TempDir Path dir) throws Exception {
        Workloads.assumeStressNg();
        Process p = w.start(List.of(Workloads.STRESS_NG.toString(), "--hdd", "2", "--hdd-opts", "direct,fsync",
                "--hdd-write-size", "4M", "--temp-path", dir.toString()));
        Set<BehaviorSubject> workers = awaitWorkers(p, 2);
        // D state is sampled once per tick (a writer is in D ~45% of the time here): a longer window for a steadier mean
        BehaviorFeatureExtractor x = w.sample(TICKS + 4, List.of());
        // the host waits on I/O: iowait when CPUs are otherwise idle, PSI io "some" when other work hides iowait
        List<BehaviorVerdict> host = w.verdicts(x, BehaviorSubject.HOST);
        assertThat(confidence(x, BehaviorSubject.HOST, BehaviorPattern.IO_BOUND)).as("host: %s", host)
                .isGreaterThanOrEqualTo(0.5);
        assertThat(host.get(0).confidence()).as("host: %s", host)
                .isEqualTo(confidence(x, BehaviorSubject.HOST, BehaviorPattern.IO_BOUND));
        double dState = workers.stream().mapToDouble(s -> features(x, s).dStateThreads()).average().orElseThrow();
        assertThat(dState).as("mean D-state threads of the writers").isGreaterThanOrEqualTo(0.1);
        assertThat(workers.stream().filter(s -> top(x, s).pattern() == BehaviorPattern.IO_BOUND).count())
                .as("writers whose top verdict is IO_BOUND: %s", describe(x, workers)).isGreaterThanOrEqualTo(1);
        assertThat(workers).allSatisfy(s -> assertThat(confidence(x, s, BehaviorPattern.CPU_BOUND))
                .as("CPU_BOUND of writer %s", s).isLessThanOrEqualTo(confidence(x, s, BehaviorPattern.IO_BOUND)));
        assertReplayMatches(x, workers, TICKS + 4);
        w.saveTraceIfAsked("io-bound", "stress-ng --hdd 2 --hdd-opts direct,fsync --hdd-write-size 4M: host IoBound, a writer IoBound",
                workers);
    }

    @Test
    void timerStormIsAnInterruptStorm() throws Exception {
        Workloads.assumeStressNg();
        // a 1 MHz POSIX timer per worker; the workers re-arm their timers only while they run, so on a host crowded by
        // other work they go in a cgroup weighted 16x an ordinary one (measured without it: ~6k interrupts/s per core
        // under a load of 8 on 2 CPUs; with it, or on the idle machine, ~58k/s per core)
        TestCgroup g = cgroup(TestCgroup.cpuWeighted("nexus-test-irq-" + ProcessHandle.current().pid(), 16 * 1024));
        Process p = w.start(g.wrap(List.of(Workloads.STRESS_NG.toString(), "--timer", "2", "--timer-freq", "1000000")));
        awaitWorkers(p, 2);
        BehaviorFeatureExtractor x = w.sample(TICKS, List.of());
        BehaviorFeatures host = features(x, BehaviorSubject.HOST);
        assumeTrue(host.interruptsPerCore() >= 20_000, String.format(
                "no interrupt storm could be produced on this host: %.0f interrupts/s per core (< 20k)",
                host.interruptsPerCore()));
        List<BehaviorVerdict> v = w.verdicts(x, BehaviorSubject.HOST);
        assertThat(confidence(x, BehaviorSubject.HOST, BehaviorPattern.INTERRUPT_STORM)).as("%s", v).isGreaterThan(0.2);
        assertThat(rank(v, BehaviorPattern.INTERRUPT_STORM)).as("%s", v).isLessThan(rank(v, BehaviorPattern.NORMAL));
        assertReplayMatches(x, Set.of());
        w.saveTraceIfAsked("interrupt-storm", "stress-ng --timer 2 --timer-freq 1000000 (cpu.shares 16384): host "
                + "InterruptStorm", Set.of());
    }

    @Test
    void cgroupFilledToItsLimitIsUnderMemoryPressure() throws Exception {
        Workloads.assumeStressNg();
        TestCgroup g = cgroup(TestCgroup.memoryLimited("nexus-test-mem-" + ProcessHandle.current().pid(), 256 * MIB));
        w.start(g.wrap(List.of(Workloads.STRESS_NG.toString(), "--vm", "1", "--vm-bytes", "236m", "--vm-keep")));
        Path usage = TestCgroup.V1_MEMORY.resolve(g.path().substring(1)).resolve("memory.usage_in_bytes");
        Workloads.await("the vm worker to fill its cgroup", Duration.ofSeconds(20),
                () -> readLong(usage) >= 230 * MIB);
        BehaviorFeatureExtractor x = w.sample(TICKS, List.of());
        BehaviorSubject s = BehaviorSubject.cgroup(g.path());
        assertTop(x, s, BehaviorPattern.MEMORY_PRESSURE, 0.5);
        assertThat(confidence(x, s, BehaviorPattern.THRASHING)).as("no paging, no thrashing").isZero();
        assertReplayMatches(x, Set.of(s));
        w.saveTraceIfAsked("memory-pressure", "stress-ng --vm 1 --vm-bytes 236m --vm-keep in a 256 MiB cgroup: the "
                + "cgroup under MemoryPressure", Set.of(s));
    }

    @Test
    void childWhoseRssGrowsIsAResourceLeak() throws Exception {
        // 4 MiB of touched memory every 100 ms; exits when its parent (this JVM) is gone
        Process p = w.start(List.of(python(), "-c", "import os,time\np=os.getppid()\nb=[]\nwhile os.getppid()==p:\n"
                + "    b.append(bytearray(4<<20))\n    time.sleep(0.1)\n"));
        BehaviorSubject s = BehaviorSubject.process(p.pid());
        BehaviorFeatureExtractor x = w.sample(TICKS + 4, List.of());
        BehaviorVerdict v = assertTop(x, s, BehaviorPattern.RESOURCE_LEAK, 0.9);
        assertThat(v.evidence()).anySatisfy(e -> assertThat(e).startsWith("Mann-Kendall"));
        assertReplayMatches(x, Set.of(s), TICKS + 4);
        w.saveTraceIfAsked("resource-leak", "python child allocating 4 MiB per 100 ms: the process a ResourceLeak",
                Set.of(s));
    }

    @Test
    void childJvmWithTwoThreadsInALockCycleIsADeadlock() throws Exception {
        ChildJvm child = sampleChildJvm("cycle");
        BehaviorSubject s = child.subject();
        BehaviorFeatureExtractor x = child.window();
        BehaviorVerdict v = assertTop(x, s, BehaviorPattern.DEADLOCK, 0.99);
        assertThat(v.evidence()).contains("JVM reports 2 deadlocked threads");
        assertThat(features(x, s).blockedThreads()).isEqualTo(2.0);
        assertReplayMatches(x, Set.of(s));
        w.saveTraceIfAsked("deadlock", "child JVM with two threads in a two-lock cycle, read over JMX attach: the "
                + "process a Deadlock", Set.of(s));
    }

    @Test
    void idleChildJvmIsNormal() throws Exception {
        // the control of the deadlock test: the same child without the lock cycle, read the same way
        ChildJvm child = sampleChildJvm("none");
        BehaviorSubject s = child.subject();
        BehaviorFeatureExtractor x = child.window();
        assertThat(features(x, s).deadlockedThreads()).isZero();
        assertTop(x, s, BehaviorPattern.NORMAL, 0.99);
        assertReplayMatches(x, Set.of(s));
        w.saveTraceIfAsked("normal-jvm", "idle child JVM read over JMX attach: the process Normal", Set.of(s));
    }

    @Test
    void childJvmSpinningTwoWorkerThreadsBehindAnIdleMainThreadIsCpuBound(@TempDir Path dir) throws Exception {
        // two daemon threads spin; the main thread (the thread-group leader) blocks on stdin, so its own schedstat
        // stays flat: only the demand summed over all threads shows the process wants two cores
        Path src = dir.resolve("Spin.java");
        Files.writeString(src, """
                public class Spin {
                    static volatile long sink;
                    public static void main(String[] args) throws Exception {
                        for (int i = 0; i < 2; i++) {
                            Thread t = new Thread(() -> {
                                long x = 0;
                                while (true) {
                                    x += System.nanoTime() & 1;
                                    sink = x;
                                }
                            }, "spin-" + i);
                            t.setDaemon(true);
                            t.start();
                        }
                        System.out.println("ready");
                        System.out.flush();
                        while (System.in.read() >= 0) {
                            // idle until the parent closes stdin or dies
                        }
                    }
                }
                """);
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process p = w.startAndAwaitReady(List.of(javaBin, "-Xmx64m", "-XX:+UseSerialGC", src.toString()),
                Duration.ofSeconds(60));
        Thread.sleep(500); // let the spinners reach their steady state before the window opens
        BehaviorSubject s = BehaviorSubject.process(p.pid());
        Path leader = Path.of("/proc", Long.toString(p.pid()), "schedstat");
        // the demand as the standard sensor reports it, captured by a second instance of the same sensor
        List<Double> demand = new ArrayList<>();
        SchedDemandSensor own = new SchedDemandSensor(Path.of("/proc"), 10);
        dev.helix.nexus.core.spi.Sensor probe = new dev.helix.nexus.core.spi.Sensor() {
            @Override
            public String name() {
                return "demand-probe";
            }

            @Override
            public void sample(dev.helix.nexus.core.spi.MetricSink sink, long ts) {
                own.sample((k, v, t) -> {
                    if (Long.toString(p.pid()).equals(k.label("pid"))) {
                        demand.add(v);
                    }
                }, ts);
            }

            @Override
            public dev.helix.nexus.core.spi.SensorHealth health() {
                return own.health();
            }
        };
        long leader0 = SchedDemandSensor.readRunWait(leader);
        long t0 = System.nanoTime();
        BehaviorFeatureExtractor x = w.sample(TICKS, List.of(probe));
        double leaderCores = (SchedDemandSensor.readRunWait(leader) - leader0) / (double) (System.nanoTime() - t0);
        assertThat(leaderCores).as("CPU demand of the idle main thread alone").isLessThan(0.2);
        assertThat(demand).as("process_cpu_demand_cores of the child over the window").hasSizeGreaterThan(TICKS / 2);
        assertThat(demand.stream().mapToDouble(Double::doubleValue).average().orElseThrow())
                .as("mean demand of the child, per tick %s", demand).isGreaterThan(1.5);
        assertTop(x, s, BehaviorPattern.CPU_BOUND, 0.5);
        assertReplayMatches(x, Set.of(s));
    }

    @Test
    void fileRereadsInACgroupTooSmallForThemAreThrashing(@TempDir Path dir) throws Exception {
        assumeTrue(!Files.getFileStore(dir).type().equals("tmpfs"),
                "the temp dir " + dir + " is on tmpfs: its pages cannot be evicted without swap, so cannot thrash");
        TestCgroup g = cgroup(TestCgroup.memoryLimited("nexus-test-thrash-" + ProcessHandle.current().pid(), 96 * MIB));
        // a 160 MiB file read at random pages through mmap in a 96 MiB cgroup: pages are evicted and read back
        Path script = dir.resolve("thrash.py");
        Files.writeString(script, """
                import mmap, os, random, sys
                path = sys.argv[1]; size = int(sys.argv[2]) << 20
                with open(path, 'wb') as f:
                    for _ in range(size >> 20):
                        f.write(b'\\x5a' * (1 << 20))
                fd = os.open(path, os.O_RDONLY)
                m = mmap.mmap(fd, size, prot=mmap.PROT_READ)
                m.madvise(mmap.MADV_RANDOM)
                print('ready', flush=True)
                p = os.getppid(); r = random.Random(1); pages = size // 4096; s = 0
                while os.getppid() == p:
                    for _ in range(10000):
                        s += m[r.randrange(pages) * 4096]
                """);
        w.startAndAwaitReady(g.wrap(List.of(python(), script.toString(), dir.resolve("pages.dat").toString(), "160")),
                Duration.ofSeconds(40));
        BehaviorFeatureExtractor x = w.sample(TICKS, List.of());
        BehaviorSubject s = BehaviorSubject.cgroup(g.path());
        BehaviorVerdict v = assertTop(x, s, BehaviorPattern.THRASHING, 0.5);
        assertThat(features(x, s).majorFaultsPerSec()).isGreaterThan(500);
        assertThat(v.evidence()).anySatisfy(e -> assertThat(e).startsWith("major faults"));
        assertReplayMatches(x, Set.of(s));
        w.saveTraceIfAsked("thrashing", "160 MiB file re-read at random pages through mmap in a 96 MiB cgroup, no "
                + "swap: the cgroup Thrashing", Set.of(s));
    }

    @Test
    void quietHostIsNormal() throws Exception {
        BehaviorFeatureExtractor x = w.sample(8, List.of());
        BehaviorFeatures h = features(x, BehaviorSubject.HOST);
        double cpu = h.cpuUser() + h.cpuSystem();
        assumeTrue(cpu < 0.5 && h.runQueuePerCore() < 1 && h.ioWait() < 0.05 && !(h.ioSomeStall() >= 0.05)
                        && h.memoryUsed() < 0.8 && h.majorFaultsPerSec() < 20,
                String.format("host busy with other work (CPU %.0f%%, run queue %.1f/core, iowait %.0f%%, PSI io %.0f%%,"
                                + " memory %.0f%%, %.0f major faults/s): not a quiet host", cpu * 100,
                        h.runQueuePerCore(), h.ioWait() * 100, h.ioSomeStall() * 100, h.memoryUsed() * 100,
                        h.majorFaultsPerSec()));
        assertTop(x, BehaviorSubject.HOST, BehaviorPattern.NORMAL, 0.5);
        assertReplayMatches(x, Set.of(), 8);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private TestCgroup cgroup(TestCgroup g) {
        cgroups.add(g);
        return g;
    }

    /** Waits until the stress-ng parent has {@code n} worker children; returns them as subjects. */
    private static Set<BehaviorSubject> awaitWorkers(Process p, int n) throws InterruptedException {
        Workloads.await("stress-ng to start " + n + " workers", Duration.ofSeconds(20),
                () -> p.children().count() >= n);
        Thread.sleep(500); // let the workers reach their steady state before the window opens
        return p.children().map(h -> BehaviorSubject.process(h.pid())).collect(Collectors.toSet());
    }

    /** A sampled child JVM: its subject and the telemetry window (standard sensors plus its JMX over attach). */
    private record ChildJvm(BehaviorSubject subject, BehaviorFeatureExtractor window) {
    }

    /**
     * Starts {@link #childJvm} in {@code mode}, waits until it is ready and samples {@link #TICKS} ticks with an
     * {@link AttachedJvmSensor} on it; skips the test when the attach failed.
     */
    private ChildJvm sampleChildJvm(String mode) throws Exception {
        Process p = w.startAndAwaitReady(childJvm(mode), Duration.ofSeconds(30));
        AttachedJvmSensor jmx = new AttachedJvmSensor(p.pid());
        BehaviorFeatureExtractor x = w.sample(TICKS, List.of(jmx));
        assumeTrue(jmx.health().isHealthy(), "cannot attach to the child JVM: " + jmx.health().reason());
        return new ChildJvm(BehaviorSubject.process(p.pid()), x);
    }

    /** The command of a small child JVM running {@link DeadlockChild} in {@code mode}. */
    private static List<String> childJvm(String mode) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path classes = Path.of(DeadlockChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return List.of(javaBin, "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classes.toString(),
                DeadlockChild.class.getName(), mode);
    }

    private static String python() {
        Path p = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(p), "no /usr/bin/python3 for the workload script");
        return p.toString();
    }

    private static long readLong(Path p) {
        try {
            return Long.parseLong(Files.readString(p).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private BehaviorFeatures features(BehaviorFeatureExtractor x, BehaviorSubject s) {
        return x.features(s).orElseThrow(() -> new AssertionError(s + " is not in the telemetry window; subjects: "
                + x.subjects()));
    }

    private BehaviorVerdict top(BehaviorFeatureExtractor x, BehaviorSubject s) {
        return w.verdicts(x, s).get(0);
    }

    private double confidence(BehaviorFeatureExtractor x, BehaviorSubject s, BehaviorPattern p) {
        Optional<BehaviorVerdict> v = w.verdicts(x, s).stream().filter(e -> e.pattern() == p).findFirst();
        return v.map(BehaviorVerdict::confidence).orElse(0.0);
    }

    private static int rank(List<BehaviorVerdict> v, BehaviorPattern p) {
        for (int i = 0; i < v.size(); i++) {
            if (v.get(i).pattern() == p) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private String describe(BehaviorFeatureExtractor x, Set<BehaviorSubject> subjects) {
        return subjects.stream().map(s -> s + " " + x.name(s) + " " + features(x, s) + " -> " + w.verdicts(x, s))
                .collect(Collectors.joining("\n"));
    }

    private BehaviorVerdict assertTop(BehaviorFeatureExtractor x, BehaviorSubject s, BehaviorPattern p, double min) {
        List<BehaviorVerdict> v = w.verdicts(x, s);
        assertThat(v.get(0).pattern()).as("top verdict of %s (%s) with %s: %s", s, x.name(s), features(x, s), v)
                .isEqualTo(p);
        assertThat(v.get(0).confidence()).as("confidence of %s for %s: %s", p, s, v).isGreaterThanOrEqualTo(min);
        assertThat(v.get(0).evidence()).as("evidence of %s", p).isNotEmpty();
        return v.get(0);
    }

    private void assertReplayMatches(BehaviorFeatureExtractor live, Set<BehaviorSubject> subjects) throws IOException {
        assertReplayMatches(live, subjects, TICKS);
    }

    /** The recording of the window, replayed, gives the host and each subject exactly the live verdicts. */
    private void assertReplayMatches(BehaviorFeatureExtractor live, Set<BehaviorSubject> subjects, int ticks)
            throws IOException {
        BehaviorFeatureExtractor replayed = w.replay(ticks);
        assertThat(replayed.ticks()).isEqualTo(live.ticks());
        for (BehaviorSubject s : concat(subjects)) {
            assertThat(w.verdicts(replayed, s)).as("replayed verdicts of %s", s).isEqualTo(w.verdicts(live, s));
        }
    }

    private static List<BehaviorSubject> concat(Set<BehaviorSubject> subjects) {
        List<BehaviorSubject> all = new ArrayList<>(subjects);
        all.add(BehaviorSubject.HOST);
        return all;
    }
}
