package dev.helix.nexus.telemetry.store;

import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An embedded SQLite database of telemetry: a {@link MetricSink} for samples and an {@link EventLog} for events, plus
 * an action audit table. Survives {@code kill -9}: the database runs in WAL mode and every write is part of a
 * transaction, so after a crash it opens consistent, holding every committed batch; only samples and events buffered
 * since the last commit are lost.
 *
 * <p>Tables: {@code series(id, key)}, {@code samples(series_id, ts, value)} (raw, NaN as NULL, kept for
 * {@link Config#rawRetention}), {@code history(series_id, bucket, count, sum, min, max)} (downsampled to
 * {@link Config#bucket}, kept for {@link Config#historyRetention}), {@code events(id, ts, category, type, component,
 * reason, evidence)} (evidence as JSON), {@code actions(id, ts, action, target, outcome, detail)} and
 * {@code batches(id, ts, samples, events)} (one row per committed write batch).
 *
 * <p>Writes are buffered and committed in one transaction per {@link Config#batchSize} samples (or on
 * {@link #flush()} / {@link #close()}); retention runs after each commit, at most once per bucket of data time.
 * Audit records ({@link #recordAction}) commit at once. Not thread-safe: use from the tick thread only (the
 * {@link EventLog} methods are synchronized with the rest). A database error is thrown as {@link StoreException}.
 */
public final class SqliteTelemetryStore implements MetricSink, EventLog {

    /**
     * @param batchSize        samples buffered before a commit
     * @param rawRetention     how long raw samples are kept (measured back from the newest sample)
     * @param bucket           the width of a downsampled history bucket
     * @param historyRetention how long history buckets and events are kept
     */
    public record Config(int batchSize, Duration rawRetention, Duration bucket, Duration historyRetention) {
        public Config {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
            }
            if (rawRetention.isNegative() || rawRetention.isZero() || bucket.isNegative() || bucket.isZero()
                    || historyRetention.compareTo(rawRetention) < 0) {
                throw new IllegalArgumentException("retentions and bucket must be positive, history >= raw");
            }
        }

        /** 1000-sample batches, 24 h raw, one-minute buckets kept 30 days. */
        public static Config defaults() {
            return new Config(1000, Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(30));
        }
    }

    /** A raw sample read back. */
    public record Sample(long timestampMillis, double value) {
    }

    /** A downsampled bucket read back. */
    public record Bucket(long startMillis, long count, double sum, double min, double max) {
        /** Mean of the bucket. */
        public double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }
    }

    /** A database failure. */
    public static final class StoreException extends RuntimeException {
        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path file;
    private final Config config;
    private final Connection db;
    private final Map<MetricKey, Long> seriesIds = new HashMap<>();
    private final MetricKey[] keys;
    private final double[] values;
    private final long[] times;
    private int buffered;
    private final List<NexusEvent> pendingEvents = new ArrayList<>();
    private long newest = Long.MIN_VALUE;
    private long lastRetentionBucket = Long.MIN_VALUE;
    private long batches;
    private boolean closed;

    private SqliteTelemetryStore(Path file, Config config, Connection db) {
        this.file = file;
        this.config = config;
        this.db = db;
        this.keys = new MetricKey[config.batchSize()];
        this.values = new double[config.batchSize()];
        this.times = new long[config.batchSize()];
    }

    /** Opens (creating if needed) the database at {@code file}. */
    public static SqliteTelemetryStore open(Path file, Config config) {
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL"); // WAL + NORMAL: durable against a process crash
                s.execute("PRAGMA busy_timeout=5000");
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
            }
            c.setAutoCommit(false);
            return new SqliteTelemetryStore(file, config, c);
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // already failing
                }
            }
            throw new StoreException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens with {@link Config#defaults()}. */
    public static SqliteTelemetryStore open(Path file) {
        return open(file, Config.defaults());
    }

    @Override
    public synchronized void record(MetricKey key, double value, long timestampMillis) {
        ensureOpen();
        keys[buffered] = key;
        values[buffered] = value;
        times[buffered] = timestampMillis;
        buffered++;
        if (buffered == keys.length) {
            flush();
        }
    }

    @Override
    public synchronized void append(NexusEvent event) {
        ensureOpen();
        pendingEvents.add(event);
        if (pendingEvents.size() >= keys.length) {
            flush();
        }
    }

    /** Commits everything buffered in one transaction (a no-op when nothing is buffered). */
    @Override
    public synchronized void flush() {
        ensureOpen();
        if (buffered == 0 && pendingEvents.isEmpty()) {
            return;
        }
        try {
            long bucketMillis = config.bucket().toMillis();
            try (PreparedStatement ins = db.prepareStatement("INSERT INTO samples(series_id, ts, value) VALUES(?,?,?)");
                 PreparedStatement hist = db.prepareStatement("INSERT INTO history(series_id, bucket, count, sum, min, max) "
                         + "VALUES(?,?,1,?,?,?) ON CONFLICT(series_id, bucket) DO UPDATE SET count = count + 1, "
                         + "sum = sum + excluded.sum, min = MIN(min, excluded.min), max = MAX(max, excluded.max)")) {
                for (int i = 0; i < buffered; i++) {
                    long id = seriesId(keys[i]);
                    ins.setLong(1, id);
                    ins.setLong(2, times[i]);
                    if (Double.isFinite(values[i])) {
                        ins.setDouble(3, values[i]);
                        hist.setLong(1, id);
                        hist.setLong(2, times[i] - Math.floorMod(times[i], bucketMillis));
                        hist.setDouble(3, values[i]);
                        hist.setDouble(4, values[i]);
                        hist.setDouble(5, values[i]);
                        hist.addBatch();
                    } else {
                        ins.setNull(3, Types.REAL);
                    }
                    ins.addBatch();
                    newest = Math.max(newest, times[i]);
                }
                ins.executeBatch();
                hist.executeBatch();
            }
            if (!pendingEvents.isEmpty()) {
                try (PreparedStatement ev = db.prepareStatement("INSERT INTO events(ts, category, type, component, reason, evidence) "
                        + "VALUES(?,?,?,?,?,?)")) {
                    for (NexusEvent e : pendingEvents) {
                        ev.setLong(1, e.timestampMillis());
                        ev.setString(2, e.category().name());
                        ev.setString(3, e.type());
                        ev.setString(4, e.component());
                        ev.setString(5, e.reason());
                        ev.setString(6, Json.object(e.evidence()));
                        ev.addBatch();
                        newest = Math.max(newest, e.timestampMillis());
                    }
                    ev.executeBatch();
                }
            }
            try (PreparedStatement b = db.prepareStatement("INSERT INTO batches(ts, samples, events) VALUES(?,?,?)")) {
                b.setLong(1, newest);
                b.setInt(2, buffered);
                b.setInt(3, pendingEvents.size());
                b.executeUpdate();
            }
            applyRetention(bucketMillis);
            db.commit();
            batches++;
        } catch (SQLException e) {
            rollback();
            throw new StoreException("cannot write " + buffered + " samples and " + pendingEvents.size() + " events to "
                    + file + ": " + e.getMessage(), e);
        } finally {
            java.util.Arrays.fill(keys, 0, buffered, null);
            buffered = 0;
            pendingEvents.clear();
        }
    }

    private void applyRetention(long bucketMillis) throws SQLException {
        long bucket = newest - Math.floorMod(newest, bucketMillis);
        if (bucket == lastRetentionBucket) {
            return;
        }
        lastRetentionBucket = bucket;
        try (PreparedStatement raw = db.prepareStatement("DELETE FROM samples WHERE ts < ?");
             PreparedStatement hist = db.prepareStatement("DELETE FROM history WHERE bucket < ?");
             PreparedStatement ev = db.prepareStatement("DELETE FROM events WHERE ts < ?")) {
            raw.setLong(1, newest - config.rawRetention().toMillis());
            raw.executeUpdate();
            long h = newest - config.historyRetention().toMillis();
            hist.setLong(1, h);
            hist.executeUpdate();
            ev.setLong(1, h);
            ev.executeUpdate();
        }
    }

    /** Writes an audit record of a (proposed, vetoed or executed) action, committed at once. */
    public synchronized void recordAction(long timestampMillis, String action, String target, String outcome, String detail) {
        ensureOpen();
        flush();
        try (PreparedStatement p = db.prepareStatement("INSERT INTO actions(ts, action, target, outcome, detail) VALUES(?,?,?,?,?)")) {
            p.setLong(1, timestampMillis);
            p.setString(2, action);
            p.setString(3, target);
            p.setString(4, outcome);
            p.setString(5, detail == null ? "" : detail);
            p.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException("cannot audit " + action + " on " + target + " in " + file + ": " + e.getMessage(), e);
        }
    }

    private long seriesId(MetricKey key) throws SQLException {
        Long id = seriesIds.get(key);
        if (id != null) {
            return id;
        }
        String text = key.toString();
        try (PreparedStatement ins = db.prepareStatement("INSERT OR IGNORE INTO series(key) VALUES(?)")) {
            ins.setString(1, text);
            ins.executeUpdate();
        }
        try (PreparedStatement sel = db.prepareStatement("SELECT id FROM series WHERE key = ?")) {
            sel.setString(1, text);
            try (ResultSet rs = sel.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        seriesIds.put(key, id);
        return id;
    }

    private void rollback() {
        seriesIds.clear(); // ids inserted by the failed transaction are gone
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    /** Raw samples of {@code key} with {@code from <= ts < to}, oldest first (committed data only). */
    public synchronized List<Sample> samples(MetricKey key, long from, long to) {
        List<Sample> out = new ArrayList<>();
        query("SELECT s.ts, s.value FROM samples s JOIN series k ON k.id = s.series_id WHERE k.key = ? AND s.ts >= ? AND s.ts < ? "
                + "ORDER BY s.ts", rs -> {
                    Object v = rs.getObject(2);
                    out.add(new Sample(rs.getLong(1), v instanceof Number n ? n.doubleValue() : Double.NaN));
                }, key.toString(), from, to);
        return out;
    }

    /** Downsampled history of {@code key}, oldest bucket first. */
    public synchronized List<Bucket> history(MetricKey key) {
        List<Bucket> out = new ArrayList<>();
        query("SELECT h.bucket, h.count, h.sum, h.min, h.max FROM history h JOIN series k ON k.id = h.series_id "
                + "WHERE k.key = ? ORDER BY h.bucket", rs -> out.add(new Bucket(rs.getLong(1), rs.getLong(2), rs.getDouble(3),
                rs.getDouble(4), rs.getDouble(5))), key.toString());
        return out;
    }

    /** Rows in a table: one of samples, history, events, actions, batches, series. */
    public synchronized long count(String table) {
        if (!List.of("samples", "history", "events", "actions", "batches", "series").contains(table)) {
            throw new IllegalArgumentException("no table " + table);
        }
        long[] n = new long[1];
        query("SELECT COUNT(*) FROM " + table, rs -> n[0] = rs.getLong(1));
        return n[0];
    }

    /** Batches committed by this instance. */
    public synchronized long committedBatches() {
        return batches;
    }

    /** Samples buffered and not yet committed. */
    public synchronized int buffered() {
        return buffered;
    }

    /** The result of {@code PRAGMA integrity_check}: "ok" for a sound database. */
    public synchronized String integrityCheck() {
        StringBuilder sb = new StringBuilder();
        query("PRAGMA integrity_check", rs -> sb.append(sb.isEmpty() ? "" : "; ").append(rs.getString(1)));
        return sb.toString();
    }

    /** The journal mode in force ("wal"). */
    public synchronized String journalMode() {
        StringBuilder sb = new StringBuilder();
        query("PRAGMA journal_mode", rs -> sb.append(rs.getString(1)));
        return sb.toString();
    }

    private interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Row row, Object... args) {
        ensureOpen();
        try (PreparedStatement p = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    row.accept(rs);
                }
            }
            db.commit(); // end the read transaction so the WAL can be checkpointed
        } catch (SQLException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
    }

    /** Commits what is buffered and closes the database. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            try {
                db.close();
            } catch (SQLException e) {
                throw new StoreException("cannot close " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Minimal JSON for event evidence (numbers, booleans, null; anything else as a string). */
    static final class Json {
        private Json() {
        }

        static String object(Map<String, Object> m) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                string(sb, e.getKey());
                sb.append(':');
                Object v = e.getValue();
                if (v == null) {
                    sb.append("null");
                } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short
                        || v instanceof Byte) {
                    sb.append(v);
                } else if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                    sb.append(n.doubleValue());
                } else {
                    string(sb, String.valueOf(v));
                }
            }
            return sb.append('}').toString();
        }

        private static void string(StringBuilder sb, String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
