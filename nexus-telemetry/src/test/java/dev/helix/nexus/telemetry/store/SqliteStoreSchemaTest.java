package dev.helix.nexus.telemetry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.spi.MetricKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema version 1: the upgrade from version 0, history written once per bucket, bounded raw retention. */
class SqliteStoreSchemaTest {

    static final long T0 = 1_767_225_600_000L; // a minute boundary
    static final MetricKey CPU = MetricKey.of("host_cpu", "cpu", "0");
    static final MetricKey MEM = MetricKey.of("host_mem");

    @TempDir
    Path tmp;

    private Path db() {
        return tmp.resolve("t.db");
    }

    private SqliteTelemetryStore open(int batch, Duration raw) {
        return SqliteTelemetryStore.open(db(), new SqliteTelemetryStore.Config(batch, raw, Duration.ofMinutes(1),
                Duration.ofDays(1)));
    }

    /** Writes a database exactly as the version-0 code did: its DDL, raw rows and per-commit history upserts. */
    private void writeVersion0(int seconds) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE)");
            s.execute("CREATE TABLE IF NOT EXISTS samples(series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL)");
            s.execute("CREATE INDEX IF NOT EXISTS samples_by_series ON samples(series_id, ts)");
            s.execute("CREATE INDEX IF NOT EXISTS samples_by_ts ON samples(ts)");
            s.execute("CREATE TABLE IF NOT EXISTS history(series_id INTEGER NOT NULL, bucket INTEGER NOT NULL, "
                    + "count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, "
                    + "PRIMARY KEY(series_id, bucket))");
            s.execute("CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, category TEXT NOT NULL, "
                    + "type TEXT NOT NULL, component TEXT NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS events_by_ts ON events(ts)");
            s.execute("CREATE TABLE IF NOT EXISTS actions(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, action TEXT NOT NULL, "
                    + "target TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS batches(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                    + "samples INTEGER NOT NULL, events INTEGER NOT NULL)");
            s.execute("INSERT INTO series(key) VALUES('" + CPU + "')");
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO samples(series_id, ts, value) VALUES(1,?,?)");
                 PreparedStatement hist = c.prepareStatement("INSERT INTO history(series_id, bucket, count, sum, min, max) "
                         + "VALUES(1,?,1,?,?,?) ON CONFLICT(series_id, bucket) DO UPDATE SET count = count + 1, "
                         + "sum = sum + excluded.sum, min = MIN(min, excluded.min), max = MAX(max, excluded.max)")) {
                for (int i = 0; i < seconds; i++) {
                    long ts = T0 + i * 1000L;
                    ins.setLong(1, ts);
                    ins.setDouble(2, i);
                    ins.executeUpdate();
                    hist.setLong(1, ts - Math.floorMod(ts, 60_000L));
                    hist.setDouble(2, i);
                    hist.setDouble(3, i);
                    hist.setDouble(4, i);
                    hist.executeUpdate();
                }
            }
            c.commit();
        }
    }

    @Test
    void aVersion0DatabaseOpensAndKeepsEveryRecordedSampleAndBucket() throws Exception {
        writeVersion0(90); // 90 s: bucket T0 full (60), bucket T0+60s has 30
        try (SqliteTelemetryStore s = open(10, Duration.ofHours(1))) {
            assertThat(s.schemaVersion()).isEqualTo(SqliteTelemetryStore.SCHEMA_VERSION);
            assertThat(s.hasLegacySamples()).isTrue();
            assertThat(s.count("samples")).isEqualTo(90);
            for (int i = 90; i < 100; i++) { // the same series goes on after the upgrade, into the open old bucket
                s.record(CPU, i, T0 + i * 1000L);
            }
            s.record(CPU, 200, T0 + 120_000); // a third bucket closes the second
            s.flush();
            assertThat(s.samples(CPU, T0, T0 + 200_000)).extracting(SqliteTelemetryStore.Sample::value)
                    .hasSize(101).isSorted().startsWith(0.0, 1.0).endsWith(98.0, 99.0, 200.0);
            assertThat(s.samples(CPU, T0 + 85_000, T0 + 95_000)).extracting(SqliteTelemetryStore.Sample::timestampMillis)
                    .containsExactly(T0 + 85_000, T0 + 86_000, T0 + 87_000, T0 + 88_000, T0 + 89_000, T0 + 90_000,
                            T0 + 91_000, T0 + 92_000, T0 + 93_000, T0 + 94_000); // both tables, in time order
            var h = s.history(CPU);
            assertThat(h).extracting(SqliteTelemetryStore.Bucket::startMillis)
                    .containsExactly(T0, T0 + 60_000, T0 + 120_000);
            assertThat(h.get(0).count()).isEqualTo(60);
            assertThat(h.get(1).count()).isEqualTo(40); // 30 old + 10 new, added to the old row
            assertThat(h.get(1).sum()).isEqualTo(sum(60, 100));
            assertThat(h.get(1).max()).isEqualTo(99.0);
            assertThat(s.integrityCheck()).isEqualTo("ok");
        }
        try (SqliteTelemetryStore s = open(10, Duration.ofHours(1))) { // and opens again as version 1
            assertThat(s.count("samples")).isEqualTo(101);
            assertThat(s.history(CPU)).extracting(SqliteTelemetryStore.Bucket::count).containsExactly(60L, 40L, 1L);
        }
    }

    @Test
    void theVersion0TableIsDroppedWholeOnceAllItsRowsArePastRawRetention() throws Exception {
        writeVersion0(120); // T0 .. T0 + 119 s
        try (SqliteTelemetryStore s = open(10, Duration.ofMinutes(10))) {
            s.record(CPU, 1, T0 + 10 * 60_000L + 119_000); // the newest old row is exactly ten minutes old: kept
            s.flush();
            assertThat(s.hasLegacySamples()).isTrue();
            assertThat(s.count("samples")).isEqualTo(121);
            s.record(CPU, 2, T0 + 10 * 60_000L + 120_000); // now every old row is past retention
            s.flush();
            assertThat(s.hasLegacySamples()).isFalse();
            assertThat(tables()).doesNotContain(SqliteTelemetryStore.LEGACY_SAMPLES);
            assertThat(s.samples(CPU, 0, Long.MAX_VALUE)).extracting(SqliteTelemetryStore.Sample::value)
                    .containsExactly(1.0, 2.0);
            assertThat(s.history(CPU)).extracting(SqliteTelemetryStore.Bucket::startMillis)
                    .startsWith(T0, T0 + 60_000); // history of the old samples stays
            assertThat(s.integrityCheck()).isEqualTo("ok");
        }
    }

    @Test
    void aNewerSchemaIsRefusedNamingTheFile() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> open(10, Duration.ofHours(1))).isInstanceOf(SqliteTelemetryStore.StoreException.class)
                .hasMessageContaining("t.db").hasMessageContaining("99");
    }

    @Test
    void historyIsWrittenOncePerBucketWhenALaterBucketBegins() throws Exception {
        try (SqliteTelemetryStore s = open(5, Duration.ofHours(1))) {
            for (int i = 0; i < 60; i++) {
                s.record(CPU, i, T0 + i * 1000L);
                s.record(MEM, 2 * i, T0 + i * 1000L);
            }
            s.flush();
            assertThat(rows("SELECT COUNT(*) FROM history")).isZero(); // open bucket: in memory only
            assertThat(s.history(CPU)).singleElement().satisfies(b -> {
                assertThat(b.count()).isEqualTo(60);
                assertThat(b.sum()).isEqualTo(sum(0, 60));
            });
            assertThat(s.count("history")).isEqualTo(2);
            s.record(CPU, 7, T0 + 60_000);
            s.flush();
            assertThat(rows("SELECT COUNT(*) FROM history")).isEqualTo(2); // one row per series, written once
            assertThat(rows("SELECT value FROM meta WHERE key = 'history_done'")).isEqualTo(T0 + 60_000);
            s.record(MEM, 1000, T0 + 59_500); // late, for the written bucket: added in place
            s.flush();
            assertThat(s.history(MEM)).singleElement().satisfies(b -> {
                assertThat(b.count()).isEqualTo(61);
                assertThat(b.max()).isEqualTo(1000.0);
            });
        }
    }

    @Test
    void openBucketsAreRebuiltFromCommittedSamplesWhenTheWriterDiedWithoutClosing() {
        SqliteTelemetryStore dead = open(10, Duration.ofHours(1));
        try {
            for (int i = 0; i < 30; i++) {
                dead.record(CPU, i, T0 + 60_000 + i * 1000L); // three committed batches, bucket still open
            }
            assertThat(dead.committedBatches()).isEqualTo(3);
            // a second store on the file sees only what is committed, as a restart after kill -9 would
            try (SqliteTelemetryStore s = open(10, Duration.ofHours(1))) {
                assertThat(s.history(CPU)).singleElement().satisfies(b -> {
                    assertThat(b.startMillis()).isEqualTo(T0 + 60_000);
                    assertThat(b.count()).isEqualTo(30);
                    assertThat(b.sum()).isEqualTo(sum(0, 30));
                });
                s.record(CPU, 100, T0 + 120_000);
                s.flush();
                assertThat(s.history(CPU)).extracting(SqliteTelemetryStore.Bucket::count).containsExactly(30L, 1L);
            }
        } finally {
            dead.close();
        }
    }

    @Test
    void aSecondSampleOfASeriesAtTheSameTimestampIsIgnoredInRawAndHistory() {
        try (SqliteTelemetryStore s = open(10, Duration.ofHours(1))) {
            s.record(CPU, 1, T0);
            s.record(CPU, 5, T0); // same batch
            s.flush();
            s.record(CPU, 9, T0); // next batch
            s.record(MEM, 3, T0); // another series at the same time is kept
            s.flush();
            assertThat(s.samples(CPU, T0, T0 + 1)).extracting(SqliteTelemetryStore.Sample::value).containsExactly(1.0);
            assertThat(s.history(CPU)).singleElement().satisfies(b -> assertThat(b.count()).isEqualTo(1));
            assertThat(s.count("samples")).isEqualTo(2);
        }
    }

    @Test
    void rawRetentionDeletesABacklogInBoundedStepsAndKeepsTheRecentRows() throws Exception {
        int batch = 10;
        try (SqliteTelemetryStore s = open(batch, Duration.ofMinutes(10))) {
            for (int i = 0; i < 1000; i++) { // 1000 s of one sample per second
                s.record(CPU, i, T0 + i * 1000L);
            }
            s.flush();
            long before = s.count("samples");
            assertThat(before).isBetween(600L, 1000L); // retention kept pace while they arrived
            s.record(CPU, -1, T0 + 10 * 3_600_000L); // ten hours later: everything before is past retention
            s.flush();
            long afterOne = s.count("samples");
            assertThat(before + 1 - afterOne).isEqualTo(4L * batch); // one bounded step per commit
            String old = "SELECT COUNT(*) FROM samples WHERE ts < " + (T0 + 9 * 3_600_000L);
            for (int k = 0; k < 100 && rows(old) > 0; k++) {
                s.record(MEM, k, T0 + 10 * 3_600_000L + 1000L + k);
                s.flush();
            }
            assertThat(s.samples(CPU, 0, Long.MAX_VALUE)).extracting(SqliteTelemetryStore.Sample::value)
                    .containsExactly(-1.0);
            assertThat(rows(old)).isZero();
        }
    }

    @Test
    void samplesComeBackInTimeOrderWhateverTheOrderTheyArrived() {
        try (SqliteTelemetryStore s = open(3, Duration.ofHours(1))) {
            long[] order = {5, 1, 4, 0, 3, 2, 9, 7, 8, 6};
            for (long k : order) {
                s.record(CPU, k, T0 + k * 1000L);
                s.record(MEM, -k, T0 + k * 1000L);
            }
            s.flush();
            assertThat(s.samples(CPU, T0, T0 + 10_000)).extracting(SqliteTelemetryStore.Sample::value)
                    .containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
            assertThat(s.samples(MEM, T0 + 2000, T0 + 5000)).extracting(SqliteTelemetryStore.Sample::value)
                    .containsExactly(-2.0, -3.0, -4.0);
            assertThat(s.samples(MetricKey.of("never_recorded"), 0, Long.MAX_VALUE)).isEmpty();
        }
    }

    private static double sum(int fromInclusive, int toExclusive) {
        double t = 0;
        for (int i = fromInclusive; i < toExclusive; i++) {
            t += i;
        }
        return t;
    }

    private long rows(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private java.util.List<String> tables() throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
