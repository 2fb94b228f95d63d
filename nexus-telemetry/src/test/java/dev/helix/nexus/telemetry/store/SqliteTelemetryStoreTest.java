package dev.helix.nexus.telemetry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.MetricKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTelemetryStoreTest {

    static final long T0 = 1_767_225_600_000L;
    static final MetricKey CPU = MetricKey.of("host_cpu", "cpu", "0");

    @TempDir
    Path tmp;

    private SqliteTelemetryStore open(int batch) {
        return SqliteTelemetryStore.open(tmp.resolve("t.db"), new SqliteTelemetryStore.Config(batch,
                Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofHours(1)));
    }

    @Test
    void walModeAndBatchedCommits() {
        try (SqliteTelemetryStore s = open(4)) {
            assertThat(s.journalMode()).isEqualTo("wal");
            for (int i = 0; i < 10; i++) {
                s.record(CPU, i, T0 + i * 1000L);
            }
            assertThat(s.committedBatches()).isEqualTo(2);
            assertThat(s.buffered()).isEqualTo(2);
            assertThat(s.count("samples")).isEqualTo(8); // the buffered two are not visible yet
            s.flush();
            assertThat(s.count("samples")).isEqualTo(10);
            assertThat(s.count("batches")).isEqualTo(3);
            assertThat(s.samples(CPU, T0, T0 + 3000)).extracting(SqliteTelemetryStore.Sample::value).containsExactly(0.0, 1.0, 2.0);
        }
        try (SqliteTelemetryStore s = open(4)) { // reopens with the data
            assertThat(s.count("samples")).isEqualTo(10);
            assertThat(s.integrityCheck()).isEqualTo("ok");
        }
    }

    @Test
    void downsampledHistoryAndNaNGaps() {
        try (SqliteTelemetryStore s = open(1000)) {
            for (int i = 0; i < 120; i++) { // two one-minute buckets, one sample per second
                s.record(CPU, i < 60 ? 1 : 3, T0 + i * 1000L);
            }
            s.record(CPU, Double.NaN, T0 + 120_000);
            s.flush();
            var h = s.history(CPU);
            assertThat(h).hasSize(2);
            assertThat(h.get(0).startMillis()).isEqualTo(T0);
            assertThat(h.get(0).count()).isEqualTo(60);
            assertThat(h.get(0).mean()).isEqualTo(1.0);
            assertThat(h.get(1).min()).isEqualTo(3.0);
            assertThat(h.get(1).max()).isEqualTo(3.0);
            assertThat(s.samples(CPU, T0 + 120_000, T0 + 120_001)).singleElement()
                    .satisfies(x -> assertThat(x.value()).isNaN());
        }
    }

    @Test
    void retentionDropsOldRawSamplesButKeepsHistory() {
        try (SqliteTelemetryStore s = open(10)) {
            for (int m = 0; m < 30; m++) { // one sample a minute for 30 minutes
                s.record(CPU, m, T0 + m * 60_000L);
            }
            s.flush();
            assertThat(s.samples(CPU, 0, Long.MAX_VALUE)).allSatisfy(x ->
                    assertThat(x.timestampMillis()).isGreaterThanOrEqualTo(T0 + 29 * 60_000L - 600_000));
            assertThat(s.count("samples")).isLessThanOrEqualTo(11);
            assertThat(s.history(CPU)).hasSize(30);
            s.record(CPU, 0, T0 + 2 * 3_600_000L); // two hours later: history beyond one hour goes too
            s.flush();
            assertThat(s.history(CPU)).hasSize(1);
        }
    }

    @Test
    void eventsAndActionAudit() {
        try (SqliteTelemetryStore s = open(100)) {
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("value", 9.5);
            ev.put("detector", "z\"score");
            s.append(new NexusEvent(T0, EventCategory.DETECTION, "anomaly", "host_cpu", "high", ev));
            assertThat(s.count("events")).isZero();
            s.flush();
            assertThat(s.count("events")).isEqualTo(1);
            s.recordAction(T0 + 1, "quarantine", "pid 4242", "vetoed", "protected");
            assertThat(s.count("actions")).isEqualTo(1);
        }
        assertThat(SqliteTelemetryStore.Json.object(Map.of("a", "x\ny"))).isEqualTo("{\"a\":\"x\\ny\"}");
    }

    @Test
    void closedStoreRefusesWritesAndBadConfigIsRejected() {
        SqliteTelemetryStore s = open(10);
        s.close();
        s.close();
        assertThatThrownBy(() -> s.record(CPU, 1, T0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("t.db");
        assertThatThrownBy(() -> new SqliteTelemetryStore.Config(0, Duration.ofMinutes(1), Duration.ofMinutes(1),
                Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqliteTelemetryStore.open(tmp.resolve("no/such/dir/x.db")))
                .isInstanceOf(SqliteTelemetryStore.StoreException.class).hasMessageContaining("x.db");
    }
}
