package dev.helix.nexus.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.spi.MetricKey;
import java.lang.management.ManagementFactory;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TelemetryStoreTest {

    static final MetricKey CPU = MetricKey.of("host_cpu_fraction", "cpu", "0", "mode", "user");
    static final MetricKey LOAD = MetricKey.of("host_load1");

    @Test
    void latestValueAndHistoryOldestFirst() {
        TelemetryStore s = new TelemetryStore(3, 10);
        for (int i = 1; i <= 5; i++) {
            s.record(LOAD, i, 1000L * i);
        }
        assertThat(s.latest(LOAD)).isEqualTo(5);
        assertThat(s.latestTimestamp(LOAD)).isEqualTo(5000);
        assertThat(s.size(LOAD)).isEqualTo(3);
        long[] t = new long[3];
        double[] v = new double[3];
        assertThat(s.copyHistory(LOAD, t, v)).isEqualTo(3);
        assertThat(v).containsExactly(3, 4, 5);
        assertThat(t).containsExactly(3000, 4000, 5000);
        double[] two = new double[2];
        assertThat(s.copyHistory(LOAD, null, two)).isEqualTo(2);
        assertThat(two).containsExactly(4, 5);
        assertThat(s.latest(MetricKey.of("unknown"))).isNaN();
    }

    @Test
    void nanIsAGap() {
        TelemetryStore s = new TelemetryStore(4, 10);
        s.record(LOAD, 1.5, 1000);
        s.record(LOAD, Double.NaN, 2000);
        assertThat(s.latest(LOAD)).isNaN();
        assertThat(s.latestValue(LOAD)).isEqualTo(1.5);
        assertThat(s.keys()).doesNotContain(LOAD);
        assertThat(s.allKeys()).contains(LOAD);
        assertThat(s.toPrometheusText()).doesNotContain("host_load1");
    }

    @Test
    void boundedSeriesCountDropsAndCounts() {
        TelemetryStore s = new TelemetryStore(2, 2);
        s.record(MetricKey.of("a"), 1, 1);
        s.record(MetricKey.of("b"), 1, 1);
        s.record(MetricKey.of("c"), 1, 1);
        assertThat(s.seriesCount()).isEqualTo(2);
        assertThat(s.droppedSamples()).isEqualTo(1);
        assertThatThrownBy(() -> new TelemetryStore(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prometheusTextIsSortedEscapedAndSkipsStaleSeries() throws Exception {
        TelemetryStore s = new TelemetryStore(8, 100);
        s.record(LOAD, 0.25, 1_000_000);
        s.record(CPU, 0.5, 1_000_000);
        s.record(MetricKey.of("process_rss_bytes", "comm", "my \"app\"\\x", "pid", "42"), 1048576, 1_000_000);
        s.record(MetricKey.of("gone_process_rss_bytes"), 7, 1_000_000 - 600_000);
        s.record(MetricKey.of("limit"), Double.POSITIVE_INFINITY, 1_000_000);
        StringBuilder out = new StringBuilder();
        s.writePrometheusText(out);
        assertThat(out.toString()).isEqualTo("""
                host_cpu_fraction{cpu="0",mode="user"} 0.5
                host_load1 0.25
                limit +Inf
                process_rss_bytes{comm="my \\"app\\"\\\\x",pid="42"} 1048576
                """);
        StringBuilder all = new StringBuilder();
        s.writePrometheusText(all, Long.MAX_VALUE / 2);
        assertThat(all.toString()).contains("gone_process_rss_bytes 7");
        assertThat(s.evictOlderThan(500_000)).isEqualTo(1);
    }

    @Test
    void everyLineParsesBackWithOurOwnPrometheusParser() {
        TelemetryStore s = new TelemetryStore(8, 100);
        s.record(MetricKey.of("x", "l", "a\nb \"c\" {d}"), 1e-9, 1);
        s.record(MetricKey.of("y"), 12345678901234.0, 1);
        s.record(MetricKey.of("z"), -3.5e20, 1);
        var r = dev.helix.nexus.telemetry.prometheus.PrometheusTextParser.parse(s.toPrometheusText(), 100);
        assertThat(r.badLines()).isZero();
        assertThat(r.samples()).hasSize(3);
        assertThat(r.samples()).anySatisfy(x -> {
            assertThat(x.key()).isEqualTo(MetricKey.of("x", "l", "a\nb \"c\" {d}"));
            assertThat(x.value()).isEqualTo(1e-9);
        });
    }

    @Test
    void recordIsAllocationFreeAfterWarmUp() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TelemetryStore s = new TelemetryStore(64, 1000);
        MetricKey[] keys = new MetricKey[100];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = MetricKey.of("series_" + i, "k", "v");
            s.record(keys[i], i, 0);
        }
        for (int round = 0; round < 2000; round++) { // warm up (JIT)
            for (MetricKey k : keys) {
                s.record(k, round, round);
            }
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int round = 0; round < 10_000; round++) {
            for (MetricKey k : keys) {
                s.record(k, round, round);
            }
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        // 1,000,000 records; a boxed double or a timestamp object per record would be >= 16 MB
        assertThat(allocated).isLessThan(64 * 1024);
    }

    @Property(tries = 200)
    void ringKeepsTheNewestCapacitySamples(@ForAll @IntRange(min = 1, max = 50) int capacity,
                                           @ForAll @IntRange(min = 0, max = 200) int n) {
        TelemetryStore s = new TelemetryStore(capacity, 10);
        for (int i = 0; i < n; i++) {
            s.record(LOAD, i, i);
        }
        double[] v = new double[capacity];
        int got = s.copyHistory(LOAD, null, v);
        assertThat(got).isEqualTo(Math.min(n, capacity));
        for (int i = 0; i < got; i++) {
            assertThat(v[i]).isEqualTo(n - got + i);
        }
    }

    @Test
    void aKeyRecordedAgainAfterItsSeriesWasEvictedStartsANewSeries() {
        TelemetryStore s = new TelemetryStore(8, 10);
        for (int tick = 1; tick <= 3; tick++) { // LOAD -> CPU learnt as successor
            s.record(LOAD, tick, tick);
            s.record(CPU, 10 * tick, tick);
        }
        s.record(LOAD, 4, 100); // CPU not recorded at 100: it goes stale
        assertThat(s.evictOlderThan(50)).isEqualTo(1);
        s.record(LOAD, 5, 101);
        s.record(CPU, 99, 101); // same key instance as the evicted series: must not land in the evicted ring
        assertThat(s.seriesCount()).isEqualTo(2);
        assertThat(s.size(CPU)).isEqualTo(1);
        assertThat(s.latest(CPU)).isEqualTo(99);
        assertThat(s.size(LOAD)).isEqualTo(5);
    }

    /**
     * The successor links are only a guess: whatever order keys come in (the same every round, shuffled, with
     * equal-but-distinct key instances and evictions in between), each series holds exactly the samples a plain
     * map of lists would.
     */
    @Property(tries = 300)
    void anyRecordingOrderStoresTheSameAsAPlainMap(@ForAll("rounds") java.util.List<java.util.List<Integer>> rounds,
                                                   @ForAll @IntRange(min = 1, max = 6) int capacity,
                                                   @ForAll @IntRange(min = 0, max = 7) int evictEvery) {
        MetricKey[] keys = new MetricKey[6];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = MetricKey.of("series_" + i, "k", "v");
        }
        TelemetryStore s = new TelemetryStore(capacity, 5); // at most 5 of the 6 series: the 6th is dropped
        java.util.Map<MetricKey, java.util.List<double[]>> model = new java.util.LinkedHashMap<>();
        long dropped = 0;
        long ts = 0;
        for (java.util.List<Integer> round : rounds) {
            ts++;
            for (int k : round) {
                // odd rounds use fresh, equal key instances for odd indexes
                MetricKey key = ts % 2 == 1 && k % 2 == 1 ? MetricKey.of("series_" + k, "k", "v") : keys[k];
                double v = ts * 10 + k;
                s.record(key, v, ts);
                if (model.containsKey(key) || model.size() < 5) {
                    model.computeIfAbsent(key, x -> new java.util.ArrayList<>()).add(new double[] {ts, v});
                } else {
                    dropped++;
                }
            }
            if (evictEvery > 0 && ts % evictEvery == 0) {
                long cutoff = ts;
                int evicted = s.evictOlderThan(cutoff);
                int expected = 0;
                for (var it = model.values().iterator(); it.hasNext(); ) {
                    java.util.List<double[]> h = it.next();
                    if (h.get(h.size() - 1)[0] < cutoff) {
                        it.remove();
                        expected++;
                    }
                }
                assertThat(evicted).isEqualTo(expected);
            }
        }
        assertThat(s.droppedSamples()).isEqualTo(dropped);
        assertThat(s.seriesCount()).isEqualTo(model.size());
        for (var e : model.entrySet()) {
            java.util.List<double[]> h = e.getValue();
            int n = Math.min(capacity, h.size());
            long[] t = new long[capacity];
            double[] v = new double[capacity];
            assertThat(s.copyHistory(e.getKey(), t, v)).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                double[] want = h.get(h.size() - n + i);
                assertThat(t[i]).isEqualTo((long) want[0]);
                assertThat(v[i]).isEqualTo(want[1]);
            }
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<java.util.List<java.util.List<Integer>>> rounds() {
        net.jqwik.api.Arbitrary<Integer> key = net.jqwik.api.Arbitraries.integers().between(0, 5);
        net.jqwik.api.Arbitrary<java.util.List<Integer>> round = net.jqwik.api.Arbitraries.oneOf(
                key.list().ofMaxSize(8),
                net.jqwik.api.Arbitraries.just(java.util.List.of(0, 1, 2, 3, 4))); // a stable order, as sensors have
        return round.list().ofMaxSize(20);
    }
}
