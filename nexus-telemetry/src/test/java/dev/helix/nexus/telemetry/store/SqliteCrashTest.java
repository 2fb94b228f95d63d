package dev.helix.nexus.telemetry.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a real writer JVM with SIGKILL mid-stream and checks what survives. */
class SqliteCrashTest {

    static final int BATCH = 500;
    static final int BATCHES_BEFORE_KILL = 30;

    @TempDir
    Path tmp;

    @Test
    void survivesKillMinus9WithEveryCommittedBatch() throws Exception {
        Path db = tmp.resolve("crash.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + tmp, SqliteWriterMain.class.getName(), db.toString(), Integer.toString(BATCH))
                .redirectError(tmp.resolve("child.err").toFile())
                .start();
        long lastReported = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("committed ")) {
                    lastReported = Long.parseLong(line.substring("committed ".length()));
                    if (lastReported + 1 >= BATCHES_BEFORE_KILL) {
                        child.toHandle().destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
                        break;
                    }
                }
            }
        } finally {
            child.toHandle().destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lastReported).as("child stderr: %s", Files.exists(tmp.resolve("child.err"))
                ? Files.readString(tmp.resolve("child.err")) : "").isGreaterThanOrEqualTo(BATCHES_BEFORE_KILL - 1);
        assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL

        // an independent connection first: integrity, WAL recovery
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            long batches;
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM batches")) {
                rs.next();
                batches = rs.getLong(1);
                assertThat(rs.getLong(2)).isEqualTo(batches); // no holes
            }
            // every batch the child reported is there; at most the one it was writing when killed is not
            assertThat(batches).isBetween(lastReported + 1, lastReported + 2);
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(value), MAX(value), COUNT(DISTINCT value) FROM samples")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(batches * BATCH); // whole batches only
                assertThat(rs.getDouble(2)).isZero();
                assertThat(rs.getDouble(3)).isEqualTo(batches - 1);
                assertThat(rs.getLong(4)).isEqualTo(batches);
            }
            try (ResultSet rs = s.executeQuery("SELECT value, COUNT(*) FROM samples GROUP BY value HAVING COUNT(*) <> " + BATCH)) {
                assertThat(rs.next()).as("a partial batch").isFalse();
            }
        }
        // and the store itself reopens and writes on
        try (SqliteTelemetryStore store = SqliteTelemetryStore.open(db)) {
            assertThat(store.integrityCheck()).isEqualTo("ok");
            assertThat(store.journalMode()).isEqualTo("wal");
            // history (open buckets were in the dead writer's memory) equals what raw holds of every series
            long inHistory = 0;
            for (int i = 0; i < 7; i++) {
                MetricKey k = MetricKey.of("crash_series", "n", Integer.toString(i));
                long raw = store.samples(k, 0, Long.MAX_VALUE).size();
                long hist = store.history(k).stream().mapToLong(SqliteTelemetryStore.Bucket::count).sum();
                assertThat(hist).as("history count of %s", k).isEqualTo(raw);
                inHistory += hist;
            }
            assertThat(inHistory).isEqualTo(store.count("samples"));
            long before = store.count("samples");
            store.record(MetricKey.of("after_crash"), 1, 1_767_225_700_000L);
            store.flush();
            assertThat(store.count("samples")).isEqualTo(before + 1);
        }
    }
}
