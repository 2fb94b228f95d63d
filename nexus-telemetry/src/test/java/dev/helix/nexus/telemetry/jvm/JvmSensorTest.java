package dev.helix.nexus.telemetry.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class JvmSensorTest {

    static final long T0 = 1_767_225_600_000L;

    @Test
    void reportsHeapPoolsGcThreadsClassesCpuAndFds() {
        JvmSensor s = new JvmSensor();
        Sink sink = new Sink();
        s.sample(sink, T0);
        s.sample(sink, T0 + 1000);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        assertThat(sink.get("jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(sink.count("jvm_memory_pool_used_bytes")).isGreaterThanOrEqualTo(2);
        assertThat(sink.count("jvm_memory_pool_used_after_gc_bytes")).isGreaterThanOrEqualTo(1);
        assertThat(sink.count("jvm_gc_collections")).isGreaterThanOrEqualTo(1);
        assertThat(sink.get("jvm_threads", "state", "runnable")).isGreaterThanOrEqualTo(1);
        assertThat(sink.get("jvm_threads_live")).isGreaterThanOrEqualTo(1);
        assertThat(sink.get("jvm_threads_deadlocked")).isEqualTo(0);
        assertThat(sink.get("jvm_classes_loaded")).isPositive();
        assertThat(sink.get("jvm_open_fds")).isPositive();
        assertThat(sink.get("jvm_process_cpu_cores")).isGreaterThanOrEqualTo(0);
    }

    /** Keeps the test's allocations reachable until both ticks are taken, so none can be optimised away. */
    private static volatile Object keep;

    @Test
    void allocationRateCountsSixtyFourMebibytesAllocatedBetweenTwoTicks() {
        ManualClock clock = new ManualClock();
        JvmSensor s = new JvmSensor();
        Sink sink = new Sink();
        s.sample(sink, clock.wallMillis());
        assertThat(sink.has("jvm_allocation_bytes_per_second")).as("no rate from the first reading").isFalse();

        byte[][] arrays = new byte[1024][];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = new byte[64 * 1024]; // 1024 × 64 KiB = 64 MiB of payload (+ 16 B header each)
        }
        keep = arrays;
        clock.advance(Duration.ofSeconds(2));
        s.sample(sink, clock.wallMillis());
        keep = null;

        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        double mib = 1024 * 1024;
        // at least what this thread allocated, spread over the injected 2 s; at most 4 MiB/s more for the sensor's
        // own tick and the few idle threads of the test JVM (measured: a tick allocates tens of KiB)
        assertThat(sink.get("jvm_allocation_bytes_per_second"))
                .isBetween(64 * mib / 2, 64 * mib / 2 + 4 * mib);
    }

    @Test
    void allocationCounterGoingBackwardsGivesNoRateAndTheNextTickRatesFromTheNewBase() {
        ArrayDeque<Long> totals = new ArrayDeque<>(java.util.List.of(1_000L, 3_000L, 500L, 1_500L));
        JvmSensor s = new JvmSensor(1, Path.of("/proc/self/fd"), () -> 7, totals::remove);
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(sink.has("jvm_allocation_bytes_per_second")).isFalse();
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("jvm_allocation_bytes_per_second")).isEqualTo(2_000.0);
        sink.clear();
        s.sample(sink, T0 + 2000); // 3000 → 500: not a negative rate, no rate at all
        assertThat(sink.has("jvm_allocation_bytes_per_second")).isFalse();
        s.sample(sink, T0 + 4000); // 500 → 1500 over 2 s
        assertThat(sink.get("jvm_allocation_bytes_per_second")).isEqualTo(500.0);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
    }

    @Test
    void disabledAllocationMeasurementDegradesNamingItWhileOtherMetricsFlow() {
        JvmSensor s = new JvmSensor(1, Path.of("/proc/self/fd"), () -> 7, () -> -1);
        Sink sink = new Sink();
        s.sample(sink, T0);
        s.sample(sink, T0 + 1000);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
        assertThat(s.health().reason()).contains("allocation: thread allocated memory measurement is disabled")
                .doesNotContain(AbstractSensor.INTERNAL_ERROR);
        assertThat(sink.has("jvm_allocation_bytes_per_second")).isFalse();
        assertThat(sink.get("jvm_memory_used_bytes", "area", "heap")).isPositive();
    }

    @Test
    void unreadableFdDirectoryLeavesOpenFdsOutAndDegradesNamingTheReason() {
        // what HotSpot does where /proc/self/fd cannot be opened (seen with /proc hidden by an empty tmpfs)
        JvmSensor s = new JvmSensor(1, Path.of("/nonexistent/self/fd"), () -> {
            throw new InternalError("java.io.FileNotFoundException: /proc/self/fd (No such file or directory)");
        });
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
        assertThat(s.health().reason()).contains("open fds: /nonexistent/self/fd unreadable")
                .contains("InternalError").doesNotContain(AbstractSensor.INTERNAL_ERROR);
        assertThat(sink.has("jvm_open_fds")).isFalse();
        assertThat(sink.get("jvm_max_fds")).isPositive();
        assertThat(sink.get("jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(sink.get("jvm_threads_live")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void fdCountFallsBackToTheMxBeanWhenTheDirectorySizeIsUnknown() {
        JvmSensor s = new JvmSensor(1, Path.of("/nonexistent/self/fd"), () -> 42);
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        assertThat(sink.get("jvm_open_fds")).isEqualTo(42);
    }

    @Test
    void internalErrorEscapingASensorIsContainedAndReportedForThisTick() {
        AbstractSensor s = new AbstractSensor("thrower", "test-source") {
            @Override
            protected void doSample(MetricSink sink, long ts, String text) {
                throw new InternalError("boom from a management call");
            }
        };
        s.sample(new Sink(), T0); // must not throw
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(s.health().reason()).startsWith(AbstractSensor.INTERNAL_ERROR)
                .contains("InternalError: boom from a management call").doesNotContain("not sampled yet");
    }

    @Test
    void detectsDeadlockedThreads() throws Exception {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch bothHoldFirst = new CountDownLatch(2);
        Thread t1 = new Thread(() -> lockBoth(a, b, bothHoldFirst), "nexus-test-deadlock-1");
        Thread t2 = new Thread(() -> lockBoth(b, a, bothHoldFirst), "nexus-test-deadlock-2");
        t1.setDaemon(true);
        t2.setDaemon(true);
        t1.start();
        t2.start();
        try {
            assertThat(bothHoldFirst.await(10, TimeUnit.SECONDS)).isTrue();
            // wait (without sleeping) until the JVM sees both threads parked on the other's lock
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ManagementFactory.getThreadMXBean().findDeadlockedThreads() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            JvmSensor s = new JvmSensor();
            Sink sink = new Sink();
            s.sample(sink, T0);
            assertThat(sink.get("jvm_threads_deadlocked")).isEqualTo(2);
            assertThat(s.deadlockedThreadNames()).containsExactlyInAnyOrder("nexus-test-deadlock-1", "nexus-test-deadlock-2");
        } finally {
            t1.interrupt();
            t2.interrupt();
            t1.join(5000);
            t2.join(5000);
        }
    }

    @Test
    void deadlockSearchRunsEveryKTicksAndRepeatsTheLastCountBetween() throws Exception {
        JvmSensor s = new JvmSensor(3);
        Sink sink = new Sink();
        s.sample(sink, T0); // tick 0 searches: no deadlock yet
        assertThat(sink.get("jvm_threads_deadlocked")).isEqualTo(0);
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch bothHoldFirst = new CountDownLatch(2);
        Thread t1 = new Thread(() -> lockBoth(a, b, bothHoldFirst), "nexus-test-deadlock-k1");
        Thread t2 = new Thread(() -> lockBoth(b, a, bothHoldFirst), "nexus-test-deadlock-k2");
        t1.setDaemon(true);
        t2.setDaemon(true);
        t1.start();
        t2.start();
        try {
            assertThat(bothHoldFirst.await(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ManagementFactory.getThreadMXBean().findDeadlockedThreads() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            s.sample(sink, T0 + 1000); // ticks 1 and 2 do not search: the last count (0) is repeated
            assertThat(sink.get("jvm_threads_deadlocked")).isEqualTo(0);
            s.sample(sink, T0 + 2000);
            assertThat(sink.get("jvm_threads_deadlocked")).isEqualTo(0);
            s.sample(sink, T0 + 3000); // tick 3 searches
            assertThat(sink.get("jvm_threads_deadlocked")).isEqualTo(2);
            s.sample(sink, T0 + 4000); // and the count is carried until the next search
            assertThat(sink.get("jvm_threads_deadlocked")).isEqualTo(2);
        } finally {
            t1.interrupt();
            t2.interrupt();
            t1.join(5000);
            t2.join(5000);
        }
        assertThatThrownBy(() -> new JvmSensor(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void lockBoth(ReentrantLock first, ReentrantLock second, CountDownLatch latch) {
        try {
            first.lockInterruptibly();
            try {
                latch.countDown();
                latch.await();
                second.lockInterruptibly();
                second.unlock();
            } finally {
                first.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
