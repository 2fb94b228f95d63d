package dev.helix.nexus.telemetry.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
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
                if (sink.get("jvm_jfr_gc_pauses") > 0) { // the window holds this tick's pauses, maybe older ones
                    assertThat(sink.get("jvm_jfr_gc_pause_seconds", "quantile", "0.99"))
                            .isPositive().isLessThanOrEqualTo(sink.get("jvm_jfr_gc_pause_window_max_seconds"));
                    assertThat(sink.get("jvm_jfr_gc_pause_window_max_seconds"))
                            .isGreaterThanOrEqualTo(sink.get("jvm_jfr_gc_pause_max_seconds"));
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
    void gcPauseQuantilesCoverThePausesOfTheLastWindowTicks() throws Exception {
        assumeTrue(JfrSensor.available(), "JFR not available in this JVM");
        int windowTicks = 3;
        try (JfrSensor s = new JfrSensor(JfrSensor.DEFAULT_LOCK_THRESHOLD, windowTicks)) {
            Sink sink = new Sink();
            List<double[]> ticks = new ArrayList<>(); // per tick: {pauses, longest pause}
            int ticksWithPauses = 0;
            boolean windowOutlivedATick = false;
            long start = System.nanoTime();
            // System.gc() on every tick until three ticks have brought pauses (JFR delivers them about once a second,
            // so a System.gc() may show up one or two ticks later), then quiet ticks until the window has moved on.
            int quiet = 0;
            while (System.nanoTime() - start < 2 * DEADLINE_NANOS && quiet < windowTicks + 2) {
                if (ticksWithPauses < 3) {
                    System.gc();
                } else {
                    quiet++;
                }
                Thread.sleep(300);
                sink.clear();
                s.sample(sink, System.currentTimeMillis());
                assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
                double pauses = sink.get("jvm_jfr_gc_pauses");
                ticks.add(new double[] {pauses, sink.get("jvm_jfr_gc_pause_max_seconds")});
                ticksWithPauses += pauses > 0 ? 1 : 0;

                // the window is exactly the pauses of the last 3 ticks (this one included), with their maximum
                double inWindow = 0;
                double longest = 0;
                for (double[] t : ticks.subList(Math.max(0, ticks.size() - windowTicks), ticks.size())) {
                    inWindow += t[0];
                    longest = Math.max(longest, t[1]);
                }
                assertThat(sink.get("jvm_jfr_gc_pause_window_pauses")).as("pauses in the window").isEqualTo(inWindow);
                windowOutlivedATick |= inWindow > pauses;
                if (inWindow == 0) {
                    assertThat(sink.get("jvm_jfr_gc_pause_seconds", "quantile", "0.99")).isNaN();
                    assertThat(sink.get("jvm_jfr_gc_pause_window_max_seconds")).isNaN();
                } else {
                    double p50 = sink.get("jvm_jfr_gc_pause_seconds", "quantile", "0.5");
                    double p99 = sink.get("jvm_jfr_gc_pause_seconds", "quantile", "0.99");
                    assertThat(sink.get("jvm_jfr_gc_pause_window_max_seconds")).isEqualTo(longest);
                    assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
                    // fewer than 100 pauses: the nearest-rank p99 is the longest one
                    assertThat(p99).isEqualTo(inWindow < 100 ? longest : p99).isLessThanOrEqualTo(longest);
                }
            }
            assertThat(ticksWithPauses).as("ticks with GC pauses within 20 s").isGreaterThanOrEqualTo(3);
            assertThat(windowOutlivedATick).as("pauses stayed in the window after their tick").isTrue();
        }
    }

    @Test
    void pauseWindowQuantilesAreNearestRankOverItsPauses() {
        JfrSensor.PauseWindow w = new JfrSensor.PauseWindow(10, 1000);
        List<Long> values = new ArrayList<>();
        for (long v = 1; v <= 100; v++) {
            values.add(v * 1000);
        }
        java.util.Collections.shuffle(values, new Random(42));
        w.advance();
        values.forEach(w::add);
        assertThat(w.size()).isEqualTo(100);
        assertThat(w.quantile(0.5)).isEqualTo(50_000);
        assertThat(w.quantile(0.99)).isEqualTo(99_000);
        assertThat(w.quantile(0.0)).isEqualTo(1_000);
        assertThat(w.max()).isEqualTo(100_000);
    }

    @Test
    void pausesLeaveTheWindowAfterWindowTicksAndTheOldestLeaveFirstWhenItIsFull() {
        JfrSensor.PauseWindow w = new JfrSensor.PauseWindow(3, 4);
        w.advance(); // tick 1
        w.add(900);
        w.advance(); // tick 2
        w.add(200);
        w.add(300);
        w.advance(); // tick 3
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.max()).isEqualTo(900);
        w.advance(); // tick 4: tick 1's pause leaves
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.max()).isEqualTo(300);
        w.add(100);
        w.add(400);
        w.add(50); // capacity 4: the oldest (200) leaves early
        assertThat(w.size()).isEqualTo(4);
        assertThat(w.quantile(0.0)).isEqualTo(50);
        assertThat(w.quantile(0.5)).isEqualTo(100);
        assertThat(w.max()).isEqualTo(400);
        w.advance();
        w.advance();
        w.advance(); // tick 7: everything from ticks 2 and 4 is gone
        assertThat(w.size()).isZero();
        assertThatThrownBy(() -> w.quantile(0.5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JfrSensor.PauseWindow(0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pauseWindowTicks");
        assertThatThrownBy(() -> new JfrSensor(Duration.ofMillis(20), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pauseWindowTicks must be at least 1: 0");
    }

    /**
     * Against a plain list model: any sequence of ticks and pauses (duplicates included) gives the quantiles of
     * the sorted pauses of the last {@code windowTicks} ticks, capped to the most recent {@code capacity}.
     */
    @Property(tries = 300)
    void pauseWindowMatchesSortingTheRecentPauses(@ForAll @IntRange(min = 1, max = 6) int windowTicks,
            @ForAll @IntRange(min = 1, max = 12) int capacity,
            @ForAll @Size(max = 80) List<@LongRange(min = -1, max = 40) Long> ops) {
        JfrSensor.PauseWindow w = new JfrSensor.PauseWindow(windowTicks, capacity);
        List<long[]> model = new ArrayList<>(); // {tick, nanos} in arrival order
        long tick = 0;
        for (long op : ops) {
            if (op % 7 == 0) { // about one op in seven starts a tick
                tick++;
                w.advance();
                long oldest = tick - windowTicks;
                model.removeIf(e -> e[0] <= oldest);
            } else {
                w.add(op);
                model.add(new long[] {tick, Math.max(0, op)});
                if (model.size() > capacity) {
                    model.remove(0);
                }
            }
            long[] sorted = model.stream().mapToLong(e -> e[1]).sorted().toArray();
            assertThat(w.size()).isEqualTo(sorted.length);
            for (double q : new double[] {0.0, 0.25, 0.5, 0.9, 0.99, 1.0}) {
                if (sorted.length > 0) {
                    int rank = Math.max(1, (int) Math.ceil(q * sorted.length - 1e-9));
                    assertThat(w.quantile(q)).as("q=%s of %s", q, java.util.Arrays.toString(sorted))
                            .isEqualTo(sorted[rank - 1]);
                }
            }
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
