package dev.helix.nexus.detect.behavior;

import dev.helix.nexus.core.spi.MetricKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BehaviorFeatureExtractorTest {

    private static final MetricKey USER = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "user");
    private static final MetricKey NICE = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "nice");
    private static final MetricKey SYSTEM = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "system");
    private static final MetricKey SOFTIRQ = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "softirq");
    private static final MetricKey IOWAIT = MetricKey.of("host_cpu_fraction", "cpu", "total", "mode", "iowait");
    private static final MetricKey CPU0_USER = MetricKey.of("host_cpu_fraction", "cpu", "0", "mode", "user");

    /** One host tick: 2 CPUs, the given user share and running tasks. */
    private static void hostTick(BehaviorFeatureExtractor x, long ts, double user, double running) {
        x.record(USER, user, ts);
        x.record(NICE, 0.05, ts);
        x.record(SYSTEM, 0.10, ts);
        x.record(SOFTIRQ, 0.02, ts);
        x.record(IOWAIT, 0.01, ts);
        x.record(CPU0_USER, 0.99, ts); // per-CPU lines are not the total and are ignored
        x.record(MetricKey.of("host_cpu_count"), 2, ts);
        x.record(MetricKey.of("host_procs_running"), running, ts);
        x.record(MetricKey.of("host_memory_available_fraction"), 0.25, ts);
        x.record(MetricKey.of("host_interrupts_per_second"), 30_000, ts);
        x.record(MetricKey.of("host_major_page_faults_per_second"), 12, ts);
        x.record(MetricKey.of("host_pressure_stall_fraction", "resource", "memory", "kind", "full"), 0.04, ts);
        x.record(MetricKey.of("host_pressure_stall_fraction", "resource", "memory", "kind", "some"), 0.5, ts);
        x.record(MetricKey.of("host_pressure_stall_fraction", "resource", "io", "kind", "some"), 0.2, ts);
        x.record(MetricKey.of("host_threads_d_state"), 1, ts);
    }

    @Test
    void hostFeaturesAreWindowMeansOfTheTotalCpuAndHeadlineSeries() {
        BehaviorFeatureExtractor x = new BehaviorFeatureExtractor(3, 0);
        hostTick(x, 1000, 0.9, 99); // falls out of the 3-tick window
        hostTick(x, 2000, 0.3, 2);
        hostTick(x, 3000, 0.5, 4);
        hostTick(x, 4000, 0.7, 6);
        assertThat(x.ticks()).isEqualTo(3);
        BehaviorFeatures h = x.features(BehaviorSubject.HOST).orElseThrow();
        assertThat(h.cpuUser()).isCloseTo(0.5 + 0.05, within(1e-12)); // user + nice
        assertThat(h.cpuSystem()).isCloseTo(0.12, within(1e-12)); // system + softirq
        assertThat(h.ioWait()).isCloseTo(0.01, within(1e-12));
        assertThat(h.runQueuePerCore()).isCloseTo(2.0, within(1e-12)); // mean 4 running / 2 CPUs
        assertThat(h.memoryUsed()).isCloseTo(0.75, within(1e-12));
        assertThat(h.interruptsPerCore()).isCloseTo(15_000, within(1e-9));
        assertThat(h.majorFaultsPerSec()).isCloseTo(12, within(1e-9));
        assertThat(h.memoryFullStall()).isCloseTo(0.04, within(1e-12));
        assertThat(h.ioSomeStall()).isCloseTo(0.2, within(1e-12));
        assertThat(h.dStateThreads()).isCloseTo(1, within(1e-12));
        assertThat(h.swapInPerSec()).isNaN(); // not recorded: unknown, not zero
        assertThat(h.deadlockedThreads()).isNaN();
        assertThat(h.resourceHistory()).isEmpty();
    }

    @Test
    void processCpuShareIsOverItsFairCeilingOrItsDemand() {
        BehaviorFeatureExtractor x = new BehaviorFeatureExtractor(4, 0);
        for (long ts = 1; ts <= 4; ts++) {
            hostTick(x, ts, 0.9, 8); // 8 runnable tasks on 2 CPUs: a one-thread task's fair share is 0.25 core
            x.record(MetricKey.of("process_cpu_cores", "pid", "42", "comm", "hog"), 0.25, ts);
            x.record(MetricKey.of("process_threads", "pid", "42", "comm", "hog"), 1, ts);
            x.record(MetricKey.of("process_rss_bytes", "pid", "42", "comm", "hog"), 1e6 * ts, ts);
            x.record(MetricKey.of("process_cpu_cores", "pid", "7", "comm", "jvm"), 0.5, ts);
            x.record(MetricKey.of("process_threads", "pid", "7", "comm", "jvm"), 40, ts);
            x.record(MetricKey.of("process_cpu_cores", "pid", "9", "comm", "waiter"), 0.05, ts);
            x.record(MetricKey.of("process_cpu_demand_cores", "pid", "9", "comm", "waiter"), 0.95, ts);
            x.record(MetricKey.of("process_threads_d_state", "pid", "9", "comm", "waiter"), ts % 2, ts);
        }
        BehaviorSubject hog = BehaviorSubject.process(42);
        assertThat(x.name(hog)).isEqualTo("hog");
        BehaviorFeatures f = x.features(hog).orElseThrow();
        assertThat(f.cpuUser()).isCloseTo(1.0, within(1e-12)); // 0.25 core of a 0.25 fair share
        assertThat(f.cpuSystem()).isNaN();
        assertThat(f.runQueuePerCore()).isCloseTo(4.0, within(1e-12));
        assertThat(f.resourceHistory()).containsExactly(1e6, 2e6, 3e6, 4e6);
        // 40 threads: ceiling min(40, 2 CPUs, 40 x 2 / 8) = 2 cores
        assertThat(x.features(BehaviorSubject.process(7)).orElseThrow().cpuUser()).isCloseTo(0.25, within(1e-12));
        BehaviorFeatures waiter = x.features(BehaviorSubject.process(9)).orElseThrow();
        assertThat(waiter.cpuUser()).isCloseTo(0.95, within(1e-12)); // its demand, above its 0.2 share
        assertThat(waiter.dStateThreads()).isCloseTo(0.5, within(1e-12));
        assertThat(x.cpuCores(BehaviorSubject.process(9))).isCloseTo(0.05, within(1e-12));
    }

    @Test
    void jvmSeriesJoinTheirProcessByPidOrTheOwnPid() {
        BehaviorFeatureExtractor x = new BehaviorFeatureExtractor(12, 100);
        for (long ts = 1; ts <= 12; ts++) {
            x.record(MetricKey.of("jvm_threads", "pid", "55", "state", "blocked"), 2, ts);
            x.record(MetricKey.of("jvm_threads", "pid", "55", "state", "runnable"), 9, ts);
            x.record(MetricKey.of("jvm_threads_deadlocked", "pid", "55"), ts < 12 ? 0 : 2, ts);
            x.record(MetricKey.of("jvm_process_cpu_cores", "pid", "55"), 0.01, ts);
            // unlabelled: this JVM's own sensor, attributed to pid 100; heap after GC summed over pools
            x.record(MetricKey.of("jvm_memory_pool_used_after_gc_bytes", "pool", "eden"), 0, ts);
            x.record(MetricKey.of("jvm_memory_pool_used_after_gc_bytes", "pool", "old"), 1e6 * ts, ts);
            x.record(MetricKey.of("jvm_threads_live"), 30, ts);
        }
        BehaviorFeatures child = x.features(BehaviorSubject.process(55)).orElseThrow();
        assertThat(child.blockedThreads()).isCloseTo(2, within(1e-12));
        assertThat(child.deadlockedThreads()).isEqualTo(2); // the latest value
        assertThat(child.cpuUser()).isCloseTo(0.01, within(1e-12));
        BehaviorFeatures own = x.features(BehaviorSubject.process(100)).orElseThrow();
        assertThat(own.resourceHistory()).hasSize(12).startsWith(1e6, 2e6);
        assertThat(new BehaviorClassifier().top(own).pattern()).isEqualTo(BehaviorPattern.RESOURCE_LEAK);
        assertThat(new BehaviorClassifier().top(child).pattern()).isEqualTo(BehaviorPattern.DEADLOCK);
    }

    @Test
    void cgroupV1AndV2SeriesOfOnePathAreOneSubject() {
        BehaviorFeatureExtractor x = new BehaviorFeatureExtractor(2, 0);
        for (long ts = 1; ts <= 2; ts++) {
            hostTick(x, ts, 0.5, 2);
            x.record(MetricKey.of("cgroup_memory_usage_fraction", "cgroup", "/t", "hierarchy", "v1"), 0.99, ts);
            x.record(MetricKey.of("cgroup_memory_major_faults_per_second", "cgroup", "/t", "hierarchy", "v1"), 9000, ts);
            x.record(MetricKey.of("cgroup_memory_stat_bytes", "cgroup", "/t", "hierarchy", "v1", "field", "cache"), 5, ts);
            x.record(MetricKey.of("cgroup_cpu_usage_cores", "cgroup", "/t", "hierarchy", "v2"), 0.3, ts);
            x.record(MetricKey.of("cgroup_cpu_user_cores", "cgroup", "/t", "hierarchy", "v2"), 0.04, ts);
            x.record(MetricKey.of("cgroup_cpu_system_cores", "cgroup", "/t", "hierarchy", "v2"), 0.26, ts);
            x.record(MetricKey.of("cgroup_pressure_stall_fraction", "cgroup", "/t", "hierarchy", "v2", "psi",
                    "memory/full"), 0.03, ts);
            x.record(MetricKey.of("cgroup_pressure_stall_fraction", "cgroup", "/t", "hierarchy", "v2", "psi",
                    "io/some"), 0.6, ts);
        }
        assertThat(x.subjects()).containsExactly(BehaviorSubject.HOST, BehaviorSubject.cgroup("/t"));
        BehaviorFeatures g = x.features(BehaviorSubject.cgroup("/t")).orElseThrow();
        assertThat(g.memoryUsed()).isCloseTo(0.99, within(1e-12));
        assertThat(g.majorFaultsPerSec()).isCloseTo(9000, within(1e-9));
        assertThat(g.cpuUser()).isCloseTo(0.02, within(1e-12)); // 0.04 of 2 CPUs
        assertThat(g.cpuSystem()).isCloseTo(0.13, within(1e-12));
        assertThat(g.memoryFullStall()).isCloseTo(0.03, within(1e-12));
        assertThat(g.ioSomeStall()).isCloseTo(0.6, within(1e-12));
        assertThat(x.classify(new BehaviorClassifier()).get(BehaviorSubject.cgroup("/t")).get(0).pattern())
                .isEqualTo(BehaviorPattern.THRASHING);
    }

    @Test
    void gapsAreUnknownAndAbsentSubjectsAreEmpty() {
        BehaviorFeatureExtractor x = new BehaviorFeatureExtractor(5, 0);
        x.record(MetricKey.of("process_cpu_cores", "pid", "3", "comm", "a"), Double.NaN, 1);
        assertThat(x.ticks()).isZero();
        assertThat(x.features(BehaviorSubject.process(3))).isEmpty();
        x.record(MetricKey.of("process_rss_bytes", "pid", "3", "comm", "a"), 10, 1);
        BehaviorFeatures f = x.features(BehaviorSubject.process(3)).orElseThrow();
        assertThat(f.cpuUser()).isNaN();
        assertThat(f.runQueuePerCore()).isNaN();
        x.clear();
        assertThat(x.subjects()).isEmpty();
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> new BehaviorFeatureExtractor(1, 0)).hasMessageContaining("window");
        assertThatThrownBy(() -> new BehaviorFeatureExtractor(5, -1)).hasMessageContaining("ownPid");
        assertThatThrownBy(() -> BehaviorSubject.process(0)).hasMessageContaining("pid");
    }
}
