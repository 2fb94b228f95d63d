package dev.helix.nexus.telemetry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.MetricKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema version 2: ACTION events feed the actions audit table, the upgrade from version 1, and the size cap. */
class SqliteStoreAuditAndCapTest {

    static final long T0 = 1_767_225_600_000L; // a minute boundary
    static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    private static SqliteTelemetryStore.Config config(int batch) {
        return new SqliteTelemetryStore.Config(batch, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofDays(30));
    }

    /** The actions table's rows as "ts|action|target|outcome|detail", read through an independent connection. */
    private static List<String> actionRows(Path db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ts, action, target, outcome, detail FROM actions ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getString(5));
            }
        }
        return out;
    }

    private static List<NexusEvent> auditTrail() {
        return List.of(
                new NexusEvent(T0, EventCategory.ACTION, "action.started", "pid:4242", "renice pid 4242 to 10",
                        Map.of("action", "renice", "level", "autonomous")),
                new NexusEvent(T0 + 1, EventCategory.ACTION, "action.completed", "pid:4242", "niceness 0 -> 10",
                        Map.of("action", "renice", "level", "autonomous")),
                new NexusEvent(T0 + 2, EventCategory.DETECTION, "anomaly", "host_cpu", "high", Map.of("z", 9.5)),
                new NexusEvent(T0 + 3, EventCategory.ACTION, "action.refused", "pid:1", "refused: PID 1",
                        Map.of("action", "kill")),
                new NexusEvent(T0 + 4, EventCategory.ACTION, "action.reverted", "pid:4242", "niceness 10 -> 0",
                        Map.of("action", "renice")),
                new NexusEvent(T0 + 5, EventCategory.ACTION, "component.swapped", "detector:z", "isolated",
                        Map.of()));
    }

    private static final List<String> EXPECTED_ACTIONS = List.of(
            T0 + "|renice|pid:4242|started|renice pid 4242 to 10",
            (T0 + 1) + "|renice|pid:4242|completed|niceness 0 -> 10",
            (T0 + 3) + "|kill|pid:1|refused|refused: PID 1",
            (T0 + 4) + "|renice|pid:4242|reverted|niceness 10 -> 0",
            (T0 + 5) + "|component.swapped|detector:z|component.swapped|isolated");

    @Test
    void everyActionEventBecomesAnActionsRowInTheSameCommitAsTheEvent() throws Exception {
        Path db = tmp.resolve("a.db");
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db, config(1000))) {
            auditTrail().forEach(s::append);
            assertThat(actionRows(db)).isEmpty(); // buffered with the events, not yet committed
            s.flush();
            assertThat(s.count("events")).isEqualTo(6);
            assertThat(s.count("actions")).isEqualTo(5);
        }
        assertThat(actionRows(db)).containsExactlyElementsOf(EXPECTED_ACTIONS);
    }

    @Test
    void actionRowsAreKeptAsLongAsEventsAndNoLonger() throws Exception {
        Path db = tmp.resolve("r.db");
        SqliteTelemetryStore.Config c = new SqliteTelemetryStore.Config(1000, Duration.ofMinutes(1),
                Duration.ofMinutes(1), Duration.ofHours(1));
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db, c)) {
            auditTrail().forEach(s::append);
            s.flush();
            s.append(new NexusEvent(T0 + Duration.ofMinutes(61).toMillis(), EventCategory.ACTION, "action.started",
                    "pid:7", "renice pid 7", Map.of("action", "renice")));
            s.flush();
            assertThat(s.count("events")).isEqualTo(1);
            assertThat(s.count("actions")).isEqualTo(1);
        }
    }

    /** Writes a database as the version-1 code did: its DDL (auto_vacuum NONE), rows, and ACTION events only in events. */
    private static void writeVersion1(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE series(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE)");
            s.execute("CREATE TABLE samples(ts INTEGER NOT NULL, series_id INTEGER NOT NULL, value REAL, "
                    + "PRIMARY KEY(ts, series_id)) WITHOUT ROWID");
            s.execute("CREATE TABLE history(series_id INTEGER NOT NULL, bucket INTEGER NOT NULL, "
                    + "count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, "
                    + "PRIMARY KEY(series_id, bucket)) WITHOUT ROWID");
            s.execute("CREATE INDEX history_by_bucket ON history(bucket)");
            s.execute("CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, category TEXT NOT NULL, "
                    + "type TEXT NOT NULL, component TEXT NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL)");
            s.execute("CREATE INDEX events_by_ts ON events(ts)");
            s.execute("CREATE TABLE actions(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, action TEXT NOT NULL, "
                    + "target TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL)");
            s.execute("CREATE TABLE batches(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                    + "samples INTEGER NOT NULL, events INTEGER NOT NULL)");
            s.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            s.execute("INSERT INTO series(key) VALUES('host_mem')");
            s.execute("INSERT INTO history VALUES(1, " + T0 + ", 60, 600.0, 5.0, 15.0)");
            s.execute("INSERT INTO meta VALUES('history_done', " + (T0 + 60_000) + ")");
            for (NexusEvent e : auditTrail()) {
                s.execute("INSERT INTO events(ts, category, type, component, reason, evidence) VALUES(" + e.timestampMillis()
                        + ", '" + e.category().name() + "', '" + e.type() + "', '" + e.component() + "', '" + e.reason()
                        + "', '" + SqliteTelemetryStore.Json.object(e.evidence()) + "')");
            }
            s.execute("INSERT INTO events(ts, category, type, component, reason, evidence) VALUES(" + (T0 + 6)
                    + ", 'ACTION', 'action.failed', 'pid:9', 'broken evidence', 'not json')");
            s.execute("PRAGMA user_version = 1");
        }
    }

    @Test
    void aVersion1FileOpensKeepsItsDataAndGetsItsActionEventsCopiedIntoActions() throws Exception {
        Path db = tmp.resolve("v1.db");
        writeVersion1(db);
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db, config(1000))) {
            assertThat(s.schemaVersion()).isEqualTo(2);
            assertThat(s.autoVacuum()).as("an old file keeps auto_vacuum NONE").isZero();
            assertThat(s.integrityCheck()).isEqualTo("ok");
            assertThat(s.history(MetricKey.of("host_mem"))).containsExactly(
                    new SqliteTelemetryStore.Bucket(T0, 60, 600.0, 5.0, 15.0));
            assertThat(s.count("events")).isEqualTo(7);
            // and it writes on: a new ACTION event goes to both tables
            s.append(new NexusEvent(T0 + 7, EventCategory.ACTION, "action.started", "pid:5", "renice pid 5",
                    Map.of("action", "renice")));
            s.flush();
        }
        List<String> expected = new ArrayList<>(EXPECTED_ACTIONS);
        expected.add((T0 + 6) + "|action.failed|pid:9|failed|broken evidence"); // evidence not JSON: the type names it
        expected.add((T0 + 7) + "|renice|pid:5|started|renice pid 5");
        assertThat(actionRows(db)).containsExactlyElementsOf(expected);
        // opening again does not copy twice
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db, config(1000))) {
            assertThat(s.count("actions")).isEqualTo(7);
        }
    }

    @Test
    void aNewFileHasIncrementalAutoVacuum() {
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(tmp.resolve("n.db"), config(10))) {
            assertThat(s.autoVacuum()).isEqualTo(2);
            assertThat(s.schemaVersion()).isEqualTo(2);
        }
    }

    /** Writes {@code minutes} minutes of one sample per series per minute (each closes the previous bucket). */
    private static long fill(SqliteTelemetryStore s, int series, int minutes) {
        return fill(s, series, 0, minutes);
    }

    private static long fill(SqliteTelemetryStore s, int series, int fromMinute, int minutes) {
        long maxUsed = 0;
        for (int m = fromMinute; m < fromMinute + minutes; m++) {
            for (int i = 0; i < series; i++) {
                s.record(MetricKey.of("series_with_a_longish_name", "n", Integer.toString(i)), m + i, T0 + m * 60_000L);
            }
            s.flush();
            if (m > fromMinute) {
                maxUsed = Math.max(maxUsed, s.usedBytes());
            }
        }
        return maxUsed;
    }

    @Test
    void aSmallSizeCapDropsTheOldestHistoryKeepsEventsAndActionsAndShrinksTheFile() throws Exception {
        int series = 300;
        int minutes = 180;
        Path uncappedDb = tmp.resolve("uncapped.db");
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(uncappedDb, config(500))) {
            fill(s, series, minutes);
            assertThat(s.trimmedHistoryRows()).isZero();
            assertThat(s.count("history")).isEqualTo((long) series * minutes);
        }
        Path db = tmp.resolve("capped.db");
        long cap = MIB;
        long maxUsed;
        MetricKey first = MetricKey.of("series_with_a_longish_name", "n", "0");
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db, config(500).withMaxBytes(cap))) {
            auditTrail().forEach(s::append);
            maxUsed = fill(s, series, minutes);
            assertThat(s.trimmedHistoryRows()).isPositive();
            // at most one commit's growth above the cap: every commit that ends above it trims ~2000 rows
            assertThat(maxUsed).isLessThanOrEqualTo(cap + 128 * 1024);
            assertThat(s.usedBytes()).isLessThanOrEqualTo(cap + 128 * 1024);
            // the oldest buckets went, the newest stayed, with no hole in between
            List<SqliteTelemetryStore.Bucket> h = s.history(first);
            assertThat(h.getFirst().startMillis()).isGreaterThan(T0);
            assertThat(h.getLast().startMillis()).isEqualTo(T0 + (minutes - 1) * 60_000L);
            assertThat(h).hasSize((int) ((h.getLast().startMillis() - h.getFirst().startMillis()) / 60_000L) + 1);
            // events and actions younger than their retention are never trimmed for size
            assertThat(s.count("events")).isEqualTo(6);
            assertThat(s.count("actions")).isEqualTo(5);
            assertThat(s.integrityCheck()).isEqualTo("ok");
        }
        long uncapped = Files.size(uncappedDb);
        long capped = Files.size(db);
        assertThat(uncapped).as("the same data without a cap").isGreaterThan(2 * MIB);
        assertThat(capped).as("file size after close, uncapped %d", uncapped).isLessThanOrEqualTo(cap + 256 * 1024);
    }

    @Test
    void aFileAboveANewlyLoweredCapIsTrimmedOverTheNextCommitsAndGivesItsPagesBack() throws Exception {
        int series = 300;
        Path db = tmp.resolve("lowered.db");
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db, config(500))) {
            fill(s, series, 180);
        }
        long before = Files.size(db);
        assertThat(before).isGreaterThan(2 * MIB);
        long cap = MIB;
        try (SqliteTelemetryStore s = SqliteTelemetryStore.open(db, config(500).withMaxBytes(cap))) {
            // each commit trims at most ~2000 history rows (4 x batch), so the excess goes over several commits
            fill(s, series, 180, 1);
            assertThat(s.trimmedHistoryRows()).isBetween(2000L, 2000L + series);
            fill(s, series, 181, 29);
            assertThat(s.usedBytes()).isLessThanOrEqualTo(cap + 128 * 1024);
            assertThat(s.vacuumedPages()).isPositive();
            assertThat(s.history(MetricKey.of("series_with_a_longish_name", "n", "0")).getLast().startMillis())
                    .isEqualTo(T0 + 209 * 60_000L);
            assertThat(s.integrityCheck()).isEqualTo("ok");
        }
        assertThat(Files.size(db)).as("file size after close, %d before", before).isLessThanOrEqualTo(cap + 256 * 1024);
    }

    @Test
    void aSizeCapBelowOneMebibyteIsRejectedNamingIt() {
        assertThatThrownBy(() -> config(10).withMaxBytes(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytes").hasMessageContaining("1000");
    }
}
