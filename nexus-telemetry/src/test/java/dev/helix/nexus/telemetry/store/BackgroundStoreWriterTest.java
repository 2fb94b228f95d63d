package dev.helix.nexus.telemetry.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.MetricKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackgroundStoreWriterTest {

    static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path tmp;

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private SqliteTelemetryStore open() {
        return SqliteTelemetryStore.open(tmp.resolve("t.db"), new SqliteTelemetryStore.Config(1000,
                Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofHours(1)));
    }

    private static MetricKey key(int i) {
        return MetricKey.of("series", "n", Integer.toString(i % 50));
    }

    @Test
    void cleanStopLosesNothingRecorded() {
        BackgroundStoreWriter w = new BackgroundStoreWriter(open(), 100_000, 100, warnings::add, 0);
        for (int i = 0; i < 5_000; i++) {
            w.record(key(i), i, T0 + i);
        }
        w.append(NexusEvent.of(T0, EventCategory.ENGINE, "engine.start", "nexus", "started"));
        w.append(NexusEvent.of(T0 + 1, EventCategory.ENGINE, "engine.stop", "nexus", "stopped"));
        w.close();
        w.close(); // idempotent
        assertThat(w.droppedSamples()).isZero();
        assertThat(w.writeErrors()).isZero();
        assertThat(warnings).isEmpty();
        try (SqliteTelemetryStore s = open()) {
            assertThat(s.count("samples")).isEqualTo(5_000);
            assertThat(s.count("events")).isEqualTo(2);
            assertThat(s.samples(key(7), T0, T0 + 5_000)).hasSize(100);
        }
    }

    @Test
    void fullQueueDropsTheOldestCountsAndWarnsWithoutBlocking() throws Exception {
        SqliteTelemetryStore store = open();
        BackgroundStoreWriter w = new BackgroundStoreWriter(store, 10, 2, warnings::add, 0);
        synchronized (store) { // the writer thread blocks inside store.record while the test holds the store
            w.record(key(0), -1, T0);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (w.queued() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // wait for the writer to take the first sample and block on the store
            }
            assertThat(w.queued()).isZero();
            for (int i = 1; i <= 17; i++) {
                w.record(key(i), i, T0 + i); // returns at once although nothing can be written
            }
            for (int i = 0; i < 3; i++) {
                w.append(NexusEvent.of(T0 + i, EventCategory.ENGINE, "e" + i, "nexus", "r"));
            }
            assertThat(w.queued()).isEqualTo(10 + 2);
            assertThat(w.droppedSamples()).isEqualTo(7);
            assertThat(w.droppedEvents()).isEqualTo(1);
        }
        w.close();
        assertThat(warnings).anyMatch(m -> m.contains("dropped 7 samples and 1 events"));
        try (SqliteTelemetryStore s = open()) {
            assertThat(s.count("samples")).isEqualTo(11); // the first plus the newest ten
            assertThat(s.samples(key(7), T0, T0 + 100)).isEmpty(); // 1..7 were the oldest queued: dropped
            assertThat(s.samples(key(8), T0, T0 + 100)).extracting(SqliteTelemetryStore.Sample::value)
                    .containsExactly(8.0);
            assertThat(s.count("events")).isEqualTo(2);
        }
    }

    @Test
    void flushCommitsEverythingQueuedBeforeIt() {
        SqliteTelemetryStore store = open();
        BackgroundStoreWriter w = new BackgroundStoreWriter(store, 1_000, 10, warnings::add, 0);
        for (int i = 0; i < 300; i++) {
            w.record(key(i), i, T0 + i);
        }
        w.flush();
        assertThat(store.count("samples")).isEqualTo(300); // committed, not just buffered (batch size is 1000)
        w.close();
    }

    @Test
    void recordsAfterCloseAreDroppedAndCounted() {
        BackgroundStoreWriter w = new BackgroundStoreWriter(open(), 100, 10, warnings::add, 0);
        w.record(key(1), 1, T0);
        w.close();
        w.record(key(2), 2, T0 + 1);
        w.append(NexusEvent.of(T0, EventCategory.ENGINE, "late", "nexus", "after close"));
        assertThat(w.droppedSamples()).isEqualTo(1);
        assertThat(w.droppedEvents()).isEqualTo(1);
        try (SqliteTelemetryStore s = open()) {
            assertThat(s.count("samples")).isEqualTo(1);
        }
    }

    /** Rows in a table, read through an independent connection (what a reader after a crash would see). */
    private long committedRows(String table) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("t.db"));
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aPartialBatchIsCommittedWithinTheCommitIntervalWithoutAFlush() throws Exception {
        // 7 samples, far from the store's 1000-sample batch: before the commit interval they would wait for 143 ticks
        BackgroundStoreWriter w = new BackgroundStoreWriter(open(), 1000, 100, warnings::add, 0, 50);
        try {
            for (int i = 0; i < 7; i++) {
                w.record(key(i), i, T0);
            }
            w.append(NexusEvent.of(T0, EventCategory.ENGINE, "engine.start", "nexus", "started"));
            long deadline = System.nanoTime() + 30_000_000_000L; // generous: a loaded box; the bound is ~250 ms
            while ((committedRows("samples") < 7 || committedRows("events") < 1) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(committedRows("samples")).isEqualTo(7);
            assertThat(committedRows("events")).isEqualTo(1);
            assertThat(w.queued()).isZero();
        } finally {
            w.close();
        }
        assertThat(w.writeErrors()).isZero();
    }

    @Test
    void withALongCommitIntervalAPartialBatchStaysUncommittedUntilFlush() throws Exception {
        BackgroundStoreWriter w = new BackgroundStoreWriter(open(), 1000, 100, warnings::add, 0, 3_600_000);
        try {
            for (int i = 0; i < 7; i++) {
                w.record(key(i), i, T0);
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (w.queued() > 0 && System.nanoTime() < deadline) { // drained into the store, not committed
                Thread.sleep(20);
            }
            assertThat(w.queued()).isZero();
            assertThat(committedRows("samples")).isZero();
            w.flush();
            assertThat(committedRows("samples")).isEqualTo(7);
        } finally {
            w.close();
        }
    }

    @Test
    void aCommitIntervalBelowOneMillisecondIsRejected() {
        SqliteTelemetryStore store = open();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> new BackgroundStoreWriter(store, 10, 10, warnings::add, 0, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commitIntervalMillis");
        } finally {
            store.close();
        }
    }
}
