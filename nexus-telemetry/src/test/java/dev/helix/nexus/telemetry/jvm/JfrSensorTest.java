package dev.helix.nexus.telemetry.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Provokes real JFR events in this JVM and polls (bounded) until the sensor has published them. */
class JfrSensorTest {

    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final Object monitor = new Object();

    @Test
    void reportsGcPausesContendedMonitorsParksAndAllocation() throws Exception {
        assumeTrue(JfrSensor.available(), "JFR not available in this JVM");
        try (JfrSensor s = new JfrSensor()) {
            Sink sink = new Sink();
            assertThat(s.started()).isFalse(); // lazy
            s.sample(sink, System.currentTimeMillis());
            assertThat(s.started()).isTrue();
            assertThat(s.health().status()).as(s.health().toString()).isEqualTo(SensorHealth.Status.HEALTHY);
            assertThat(sink.get("jvm_jfr_gc_collections")).isGreaterThanOrEqualTo(0);
            assertThat(sink.has("jvm_jfr_allocation_bytes_per_second")).isFalse(); // needs two ticks

            // Flight Recorder starts its stream asynchronously: provoke the events until they show up.
            Map<String, Double> totals = new HashMap<>();
            long start = System.nanoTime();
            while (System.nanoTime() - start < DEADLINE_NANOS && !seenAll(totals)) {
                provoke();
                Thread.sleep(200);
                sink.clear();
                s.sample(sink, System.currentTimeMillis());
                assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
                for (String name : new String[] {"jvm_jfr_gc_collections", "jvm_jfr_gc_pauses",
                        "jvm_jfr_monitor_contended", "jvm_jfr_monitor_contended_seconds", "jvm_jfr_thread_parks",
                        "jvm_jfr_thread_park_seconds"}) {
                    totals.merge(name, sink.get(name), Double::sum);
                }
                totals.merge("jvm_jfr_gc_pause_max_seconds", sink.get("jvm_jfr_gc_pause_max_seconds"), Math::max);
                if (sink.has("jvm_jfr_allocation_bytes_per_second")) {
                    totals.merge("alloc", sink.get("jvm_jfr_allocation_bytes_per_second"), Math::max);
                }
                if (sink.get("jvm_jfr_gc_pauses") > 0) {
                    assertThat(sink.get("jvm_jfr_gc_pause_seconds", "quantile", "0.99"))
                            .isPositive().isLessThanOrEqualTo(sink.get("jvm_jfr_gc_pause_max_seconds") * 1.01);
                }
            }
            assertThat(totals).as("events seen within 10 s").matches(this::seenAll, "every kind of event seen");
            // the monitor was held ~100 ms per round, parks were 60 ms: every reported one is above the threshold
            assertThat(totals.get("jvm_jfr_monitor_contended_seconds"))
                    .isGreaterThanOrEqualTo(totals.get("jvm_jfr_monitor_contended") * 0.02);
            assertThat(totals.get("jvm_jfr_thread_park_seconds"))
                    .isGreaterThanOrEqualTo(totals.get("jvm_jfr_thread_parks") * 0.02);
            assertThat(s.health().status()).isEqualTo(SensorHealth.Status.HEALTHY);
        }
    }

    @Test
    void systemGcShowsAsASafepointPauseCoveringTheGcPauseAndItsTimeToSafepoint() throws Exception {
        assumeTrue(JfrSensor.available(), "JFR not available in this JVM");
        try (JfrSensor s = new JfrSensor()) {
            Sink sink = new Sink();
            s.sample(sink, System.currentTimeMillis());
            double safepoints = 0;
            double pauseSum = 0;
            double pauseMax = 0;
            double ttspMax = 0;
            double gcPauseMax = 0;
            long start = System.nanoTime();
            // System.gc() is a full collection inside a safepoint: the safepoint pause must contain the GC pause.
            // The GC pause maximum comes from a 2-significant-digit HdrHistogram (a bucket's upper end, at most 1 %
            // above the true pause), so it is compared after dividing by 1.01.
            while (System.nanoTime() - start < DEADLINE_NANOS
                    && !(safepoints > 0 && gcPauseMax > 0 && pauseMax >= gcPauseMax / 1.01)) {
                System.gc();
                Thread.sleep(200);
                sink.clear();
                s.sample(sink, System.currentTimeMillis());
                assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
                safepoints += sink.get("jvm_jfr_safepoints");
                pauseSum += sink.get("jvm_jfr_safepoint_pause_seconds");
                pauseMax = Math.max(pauseMax, sink.get("jvm_jfr_safepoint_pause_max_seconds"));
                ttspMax = Math.max(ttspMax, sink.get("jvm_jfr_time_to_safepoint_max_seconds"));
                gcPauseMax = Math.max(gcPauseMax, sink.get("jvm_jfr_gc_pause_max_seconds"));
                assertThat(sink.get("jvm_jfr_time_to_safepoint_seconds")).isGreaterThanOrEqualTo(0);
            }
            assertThat(safepoints).as("safepoints seen within 10 s").isPositive();
            assertThat(gcPauseMax).as("GC pauses seen within 10 s").isPositive();
            assertThat(pauseMax).as("longest safepoint pause vs longest GC pause")
                    .isGreaterThanOrEqualTo(gcPauseMax / 1.01);
            assertThat(pauseSum).isGreaterThanOrEqualTo(pauseMax);
            assertThat(ttspMax).isLessThanOrEqualTo(pauseMax);
            assertThat(sink.has("jvm_jfr_safepoint_seconds")).as("the old, misleading name is gone").isFalse();
        }
    }

    @Test
    void closedSensorReportsFailedWithoutThrowing() {
        JfrSensor s = new JfrSensor();
        s.close();
        s.close();
        Sink sink = new Sink();
        s.sample(sink, 1000);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
        assertThat(sink.latest).isEmpty();
    }

    private boolean seenAll(Map<String, Double> t) {
        Predicate<String> pos = k -> t.getOrDefault(k, 0.0) > 0;
        return pos.test("jvm_jfr_gc_collections") && pos.test("jvm_jfr_gc_pauses")
                && pos.test("jvm_jfr_gc_pause_max_seconds") && pos.test("jvm_jfr_monitor_contended")
                && pos.test("jvm_jfr_thread_parks") && pos.test("alloc");
    }

    /** One System.gc(), one contended monitor held ~100 ms by another thread, one 60 ms park, some garbage. */
    private void provoke() throws InterruptedException {
        System.gc();
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (monitor) {
                held.countDown();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }, "nexus-test-jfr-holder");
        holder.start();
        held.await();
        synchronized (monitor) { // blocks until the holder leaves: a jdk.JavaMonitorEnter above 20 ms
            monitor.notifyAll();
        }
        holder.join();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(60)); // a jdk.ThreadPark above 20 ms
        long sum = 0;
        for (int i = 0; i < 20_000; i++) {
            sum += new byte[256].length;
        }
        assertThat(sum).isPositive();
    }
}
