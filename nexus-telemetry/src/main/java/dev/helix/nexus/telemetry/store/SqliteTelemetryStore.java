package dev.helix.nexus.telemetry.store;

import dev.helix.nexus.core.event.EventCategory;
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
import java.util.TreeMap;

/**
 * An embedded SQLite database of telemetry: a {@link MetricSink} for samples and an {@link EventLog} for events, plus
 * an action audit table. Survives {@code kill -9}: the database runs in WAL mode and every write is part of a
 * transaction, so after a crash it opens consistent, holding every committed batch; only samples and events buffered
 * since the last commit are lost.
 *
 * <p>Tables (schema version {@value #SCHEMA_VERSION} in {@code PRAGMA user_version}): {@code series(id, key)};
 * {@code samples(ts, series_id, value)}, raw, NaN as NULL, kept for {@link Config#rawRetention}, a {@code WITHOUT
 * ROWID} table clustered on its primary key {@code (ts, series_id)} — samples arrive in time order, so a commit
 * appends to the rightmost pages of one B-tree whatever the number of series; {@code history(series_id, bucket, count,
 * sum, min, max)}, downsampled to {@link Config#bucket}, kept for {@link Config#historyRetention}, with an index on
 * {@code bucket} for retention; {@code events(id, ts, category, type, component, reason, evidence)} (evidence as
 * JSON); {@code actions(id, ts, action, target, outcome, detail)}, the action audit log: one row per ACTION event,
 * written in the same transaction as the event (every attempt, outcome, refusal and reversal the gates log; mapping in
 * {@code actionRow}), plus {@link #recordAction} rows, kept like events; {@code batches(id, ts, samples, events)} (one
 * row per committed write batch); {@code meta(key, value)} ({@code history_done}: every bucket before it is written).
 *
 * <p>Size cap: after each commit, while the pages in use exceed {@link Config#maxBytes} (default 2 GiB), the oldest
 * history is deleted in bounded steps; a new file has {@code auto_vacuum=INCREMENTAL} and gives freed pages back to
 * the file system a bounded number per commit (an older file reuses them instead, so it stops growing but does not
 * shrink).
 *
 * <p>History: each series' open buckets are aggregated in memory from committed samples and written once, one row per
 * series, in the commit that first holds a sample of a later bucket, together with the {@code history_done} mark. A
 * sample arriving for a bucket already written is added to its row in place. After a crash the open buckets are
 * rebuilt from the raw samples at or after the mark, which raw retention never deletes before they are written, so
 * history always equals the aggregate of every committed finite sample (less retention).
 *
 * <p>Upgrade: a database of schema version 0 (raw samples in a rowid table with indexes on {@code (series_id, ts)}
 * and {@code (ts)}, history upserted at every commit) is upgraded on open in one transaction without copying: its raw
 * table becomes {@value #LEGACY_SAMPLES}, is read together with the new one and is dropped whole once all its rows
 * are past raw retention (until then its rows older than that stay readable). Nothing recorded is lost by the
 * upgrade.
 *
 * <p>Writes are buffered and committed in one transaction per {@link Config#batchSize} samples (or on
 * {@link #flush()} / {@link #close()}); raw retention runs in bounded steps after each commit, history and event
 * retention at most once per bucket of data time. Audit records ({@link #recordAction}) commit at once. Every public
 * method is synchronized, so the store may be shared, but it is meant to have one writer (the tick thread or a
 * {@link BackgroundStoreWriter}); reads hold the same lock. A database error is thrown as {@link StoreException}.
 */
public final class SqliteTelemetryStore implements MetricSink, EventLog {

    /**
     * @param batchSize        samples buffered before a commit
     * @param rawRetention     how long raw samples are kept (measured back from the newest sample)
     * @param bucket           the width of a downsampled history bucket
     * @param historyRetention how long history buckets, events and action audit rows are kept
     * @param maxBytes         the size cap: when the pages in use ({@code (page_count - freelist_count) * page_size})
     *                         exceed it, the oldest history buckets are deleted in bounded steps (see
     *                         {@link #DEFAULT_MAX_BYTES} for the default and its arithmetic); at least 1 MiB
     */
    public record Config(int batchSize, Duration rawRetention, Duration bucket, Duration historyRetention,
                         long maxBytes) {

        /**
         * Default size cap, 2 GiB. Arithmetic (docs/benchmarks/store.md): a history row costs ~64 B (48 B in the
         * table + 16 B in the bucket index), one per series per minute, so 30 days of history is 43 200 rows per
         * series, ~2.76 MB; the hour of raw samples costs 26 B x 3600 = ~94 KB per series; ~2.86 MB in all. 2 GiB
         * therefore holds the full 30 days for up to ~750 series (the agent records ~560–600 on a small host) and
         * trims the oldest history beyond that (at 850 series: (2147 - 80) MB / 78 MB per day = ~26 days kept instead
         * of 30; at 5 000 series: ~3.6 days); events and action audit rows are never trimmed for size.
         */
        public static final long DEFAULT_MAX_BYTES = 2L << 30;

        public Config {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
            }
            if (rawRetention.isNegative() || rawRetention.isZero() || bucket.isNegative() || bucket.isZero()
                    || historyRetention.compareTo(rawRetention) < 0) {
                throw new IllegalArgumentException("retentions and bucket must be positive, history >= raw");
            }
            if (maxBytes < (1L << 20)) {
                throw new IllegalArgumentException("maxBytes must be at least 1 MiB (1048576): " + maxBytes);
            }
        }

        /** A configuration with the default size cap ({@link #DEFAULT_MAX_BYTES}). */
        public Config(int batchSize, Duration rawRetention, Duration bucket, Duration historyRetention) {
            this(batchSize, rawRetention, bucket, historyRetention, DEFAULT_MAX_BYTES);
        }

        /** This configuration with another size cap. */
        public Config withMaxBytes(long bytes) {
            return new Config(batchSize, rawRetention, bucket, historyRetention, bytes);
        }

        /**
         * 1000-sample batches, raw samples kept 1 h, one-minute buckets kept 30 days. Raw retention was 24 h until
         * schema version 1: at ~850 series and 1 Hz that is ~73 M rows and ~1.9 GB of raw samples that nothing in the
         * agent reads, while the store's stated purpose is downsampled history, events and the audit log; an hour of
         * 1 s detail (~80 MB) covers looking back at a fresh alert, the one-minute history covers the rest (see
         * {@code docs/benchmarks/store.md}). Writer CPU per hour of data does not depend on this value.
         */
        public static Config defaults() {
            return new Config(1000, Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofDays(30));
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

    /** Schema version written to {@code PRAGMA user_version} by this code. */
    static final int SCHEMA_VERSION = 2;
    /** Free pages returned to the file system per commit by incremental vacuum (1 MiB at 4 KiB pages). */
    static final int VACUUM_STEP_PAGES = 256;
    /** Free pages kept for reuse before incremental vacuum starts returning them (8 MiB at 4 KiB pages). */
    static final int VACUUM_SLACK_PAGES = 2048;
    /** The raw table of a version-0 database, renamed on upgrade, read, and dropped once past raw retention. */
    static final String LEGACY_SAMPLES = "samples_v0";

    private final Path file;
    private final Config config;
    private final long bucketMillis;
    private final Connection db;
    private final Map<MetricKey, Long> seriesIds = new HashMap<>();
    private final MetricKey[] keys;
    private final double[] values;
    private final long[] times;
    private final long[] ids;
    private int buffered;
    private final List<NexusEvent> pendingEvents = new ArrayList<>();
    private long newest = Long.MIN_VALUE;
    private long lastRetentionBucket = Long.MIN_VALUE;
    private long batches;
    private boolean closed;
    /** Every history bucket before this start is in the history table; later ones are in {@link #openBuckets}. */
    private long historyDone;
    /** Aggregates of committed samples in buckets at or after {@link #historyDone}: bucket start, series id. */
    private final TreeMap<Long, Map<Long, Agg>> openBuckets = new TreeMap<>();
    private boolean openStale;
    private boolean legacy;
    private long legacyNewest = Long.MIN_VALUE;
    private final PreparedStatement insSample;
    private final PreparedStatement addHistory;
    private final PreparedStatement insEvent;
    private final PreparedStatement insBatch;
    private final PreparedStatement setHistoryDone;
    private final PreparedStatement rawBound;
    private final PreparedStatement rawDelete;
    private final PreparedStatement insAction;
    private final PreparedStatement historyBound;
    private final PreparedStatement historyTrim;
    private final long pageSize;
    private final boolean incrementalVacuum;
    /** Free pages kept for reuse: {@value #VACUUM_SLACK_PAGES}, or 1/16 of the cap when that is smaller. */
    private final long vacuumSlackPages;
    private long trimmedHistoryRows;
    /** Data-time bucket of the last size check; whether that check left work (above the cap, or pages to return). */
    private long lastCapBucket = Long.MIN_VALUE;
    private boolean capBusy;
    private long vacuumedPages;

    /** Running count, sum, min and max of one series in one bucket. */
    private static final class Agg {
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        void add(double v) {
            count++;
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
    }

    private SqliteTelemetryStore(Path file, Config config, Connection db) throws SQLException {
        this.file = file;
        this.config = config;
        this.bucketMillis = config.bucket().toMillis();
        this.db = db;
        this.keys = new MetricKey[config.batchSize()];
        this.values = new double[config.batchSize()];
        this.times = new long[config.batchSize()];
        this.ids = new long[config.batchSize()];
        // prepared once, reused by every commit (closed by close())
        insSample = db.prepareStatement("INSERT OR IGNORE INTO samples(ts, series_id, value) VALUES(?,?,?)");
        addHistory = db.prepareStatement("INSERT INTO history(series_id, bucket, count, sum, min, max) "
                + "VALUES(?,?,?,?,?,?) ON CONFLICT(series_id, bucket) DO UPDATE SET count = count + excluded.count, "
                + "sum = sum + excluded.sum, min = MIN(min, excluded.min), max = MAX(max, excluded.max)");
        insEvent = db.prepareStatement("INSERT INTO events(ts, category, type, component, reason, evidence) "
                + "VALUES(?,?,?,?,?,?)");
        insBatch = db.prepareStatement("INSERT INTO batches(ts, samples, events) VALUES(?,?,?)");
        setHistoryDone = db.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES('history_done', ?)");
        rawBound = db.prepareStatement("SELECT ts FROM samples WHERE ts < ? ORDER BY ts LIMIT 1 OFFSET ?");
        rawDelete = db.prepareStatement("DELETE FROM samples WHERE ts < ?");
        insAction = db.prepareStatement("INSERT INTO actions(ts, action, target, outcome, detail) VALUES(?,?,?,?,?)");
        historyBound = db.prepareStatement("SELECT bucket FROM history ORDER BY bucket LIMIT 1 OFFSET ?");
        historyTrim = db.prepareStatement("DELETE FROM history WHERE bucket < ?");
        pageSize = pragmaLong(db, "page_size");
        incrementalVacuum = pragmaLong(db, "auto_vacuum") == 2;
        vacuumSlackPages = Math.max(16, Math.min(VACUUM_SLACK_PAGES, config.maxBytes() / pageSize / 16));
        legacy = tableExists(db, LEGACY_SAMPLES);
        if (legacy) {
            try (Statement s = db.createStatement();
                 ResultSet rs = s.executeQuery("SELECT MAX(ts) FROM " + LEGACY_SAMPLES)) { // by its (ts) index
                if (rs.next() && rs.getObject(1) != null) {
                    legacyNewest = rs.getLong(1);
                }
            }
        }
        historyDone = Long.MIN_VALUE;
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'history_done'")) {
            if (rs.next()) {
                historyDone = rs.getLong(1);
            }
        }
        rebuildOpenBuckets();
        db.commit();
    }

    /**
     * Opens (creating if needed) the database at {@code file}. A database of the first schema (user_version 0, raw
     * samples in a rowid table with two indexes) is upgraded in one transaction without copying: its raw table is
     * renamed to {@value #LEGACY_SAMPLES}, read together with the new one and dropped once all its rows are past raw
     * retention.
     */
    public static SqliteTelemetryStore open(Path file, Config config) {
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                // takes effect only in a new file (before its first table); an older file keeps auto_vacuum=NONE
                // (changing it needs a full VACUUM): its freed pages are reused, the file does not shrink
                s.execute("PRAGMA auto_vacuum=INCREMENTAL");
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL"); // WAL + NORMAL: durable against a process crash
                s.execute("PRAGMA busy_timeout=5000");
            }
            c.setAutoCommit(false);
            migrate(c, file);
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

    /**
     * Brings the schema to {@link #SCHEMA_VERSION} in one transaction (a crash during it leaves the old schema).
     * Version 0 (or a new file) to 1: raw samples move to a table clustered on (ts, series_id), so that appends touch
     * only the rightmost pages of one B-tree instead of one leaf per series in a (series_id, ts) index plus a (ts)
     * index; history gets an index on its bucket so retention no longer scans the table (and, in a new file, is a
     * {@code WITHOUT ROWID} table: one B-tree instead of a table plus its primary-key index); a meta table records how
     * far history buckets are written. Old raw rows are not copied (the table is renamed); old history rows stay as they
     * are. Version 1 to 2: an index on {@code actions(ts)}, and the ACTION events already recorded are copied into
     * {@code actions} (version 1 wrote the audit trail only as events). {@code auto_vacuum} is not changed in an
     * existing file (that needs a full VACUUM, a copy of the whole file at open); only new files get INCREMENTAL.
     */
    private static void migrate(Connection c, Path file) throws SQLException {
        int version;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version == SCHEMA_VERSION) {
            return;
        }
        if (version > SCHEMA_VERSION) {
            throw new SQLException("schema version " + version + " of " + file + " is newer than this program's ("
                    + SCHEMA_VERSION + ")");
        }
        try (Statement s = c.createStatement()) {
            if (version < 1) {
                if (tableExists(c, "samples")) {
                    // version 0 upserted history at every commit, so every old sample is already in history; the new
                    // raw table starts empty and the history_done mark starts at "nothing of it written yet"
                    s.execute("ALTER TABLE samples RENAME TO " + LEGACY_SAMPLES);
                }
                s.execute("CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE)");
                s.execute("CREATE TABLE samples(ts INTEGER NOT NULL, series_id INTEGER NOT NULL, value REAL, "
                        + "PRIMARY KEY(ts, series_id)) WITHOUT ROWID");
                s.execute("CREATE TABLE IF NOT EXISTS history(series_id INTEGER NOT NULL, bucket INTEGER NOT NULL, "
                        + "count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, "
                        + "PRIMARY KEY(series_id, bucket)) WITHOUT ROWID"); // a version-0 history keeps its rowid form
                s.execute("CREATE INDEX IF NOT EXISTS history_by_bucket ON history(bucket)");
                s.execute("CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                        + "category TEXT NOT NULL, type TEXT NOT NULL, component TEXT NOT NULL, reason TEXT NOT NULL, "
                        + "evidence TEXT NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS events_by_ts ON events(ts)");
                s.execute("CREATE TABLE IF NOT EXISTS actions(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                        + "action TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS batches(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                        + "samples INTEGER NOT NULL, events INTEGER NOT NULL)");
                s.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            }
            if (version < 2) {
                // version 2: every ACTION event is also an actions row (same transaction), actions are kept as long as
                // events (by an index on ts); the ACTION events an older version recorded are copied over, mapped
                // exactly as actionRow() maps them
                s.execute("CREATE INDEX IF NOT EXISTS actions_by_ts ON actions(ts)");
                s.execute("INSERT INTO actions(ts, action, target, outcome, detail) SELECT ts, "
                        + "COALESCE(CASE WHEN json_valid(evidence) THEN json_extract(evidence, '$.action') END, type), "
                        + "component, CASE WHEN type LIKE 'action.%' THEN substr(type, 8) ELSE type END, reason "
                        + "FROM events WHERE category = 'ACTION' ORDER BY id");
            }
            s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    private static long pragmaLong(Connection c, String pragma) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static boolean tableExists(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
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

    /**
     * Commits everything buffered in one transaction (a no-op when nothing is buffered). A sample whose series already
     * has a sample at the same timestamp is ignored (the first one stays, in raw and in history). Cost: O(batch) rows
     * appended near the right edge of the raw table; the history buckets that the batch closes (one row per series per
     * bucket); raw retention of at most {@code 4 * batchSize} rows; once per bucket of data time, history and event
     * retention.
     */
    @Override
    public synchronized void flush() {
        ensureOpen();
        if (buffered == 0 && pendingEvents.isEmpty()) {
            return;
        }
        try {
            if (openStale) {
                rebuildOpenBuckets();
            }
            for (int i = 0; i < buffered; i++) {
                long id = seriesId(keys[i]);
                ids[i] = id;
                insSample.setLong(1, times[i]);
                insSample.setLong(2, id);
                if (Double.isFinite(values[i])) {
                    insSample.setDouble(3, values[i]);
                } else {
                    insSample.setNull(3, Types.REAL);
                }
                insSample.addBatch();
                newest = Math.max(newest, times[i]);
            }
            int[] inserted = buffered == 0 ? new int[0] : insSample.executeBatch();
            boolean late = false;
            for (int i = 0; i < buffered; i++) {
                if (inserted[i] == 0 || !Double.isFinite(values[i])) {
                    continue; // a duplicate (series, ts), or a gap: nothing for history
                }
                long bucket = times[i] - Math.floorMod(times[i], bucketMillis);
                if (bucket < historyDone) { // a late sample for a bucket already written: add to it in place
                    addHistory.setLong(1, ids[i]);
                    addHistory.setLong(2, bucket);
                    addHistory.setLong(3, 1);
                    addHistory.setDouble(4, values[i]);
                    addHistory.setDouble(5, values[i]);
                    addHistory.setDouble(6, values[i]);
                    addHistory.addBatch();
                    late = true;
                } else {
                    openBuckets.computeIfAbsent(bucket, b -> new HashMap<>()).computeIfAbsent(ids[i], x -> new Agg())
                            .add(values[i]);
                }
            }
            if (late) {
                addHistory.executeBatch();
            }
            boolean actions = false;
            for (NexusEvent e : pendingEvents) {
                if (e.category() == EventCategory.ACTION) {
                    actionRow(e);
                    actions = true;
                }
                insEvent.setLong(1, e.timestampMillis());
                insEvent.setString(2, e.category().name());
                insEvent.setString(3, e.type());
                insEvent.setString(4, e.component());
                insEvent.setString(5, e.reason());
                insEvent.setString(6, Json.object(e.evidence()));
                insEvent.addBatch();
                newest = Math.max(newest, e.timestampMillis());
            }
            if (!pendingEvents.isEmpty()) {
                insEvent.executeBatch();
            }
            if (actions) {
                insAction.executeBatch();
            }
            insBatch.setLong(1, newest);
            insBatch.setInt(2, buffered);
            insBatch.setInt(3, pendingEvents.size());
            insBatch.executeUpdate();
            writeClosedBuckets(newest - Math.floorMod(newest, bucketMillis));
            applyRetention();
            applySizeCap();
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

    /** Writes the aggregates of every bucket before {@code current} (one row per series) and moves the mark to it. */
    private void writeClosedBuckets(long current) throws SQLException {
        if (current <= historyDone) {
            return;
        }
        Map<Long, Map<Long, Agg>> closing = openBuckets.headMap(current);
        int n = 0;
        for (Map.Entry<Long, Map<Long, Agg>> b : closing.entrySet()) {
            for (Map.Entry<Long, Agg> s : b.getValue().entrySet()) {
                Agg a = s.getValue();
                addHistory.setLong(1, s.getKey());
                addHistory.setLong(2, b.getKey());
                addHistory.setLong(3, a.count);
                addHistory.setDouble(4, a.sum);
                addHistory.setDouble(5, a.min);
                addHistory.setDouble(6, a.max);
                addHistory.addBatch();
                n++;
            }
        }
        if (n > 0) {
            addHistory.executeBatch();
        }
        setHistoryDone.setLong(1, current);
        setHistoryDone.executeUpdate();
        // the in-memory state changes only here, after every statement of the batch succeeded; a failing commit
        // marks it stale (rollback) and it is rebuilt from the database
        closing.clear();
        historyDone = current;
    }

    /**
     * Rebuilds the open-bucket aggregates from the committed raw samples at or after the history mark (after a crash
     * they are the samples whose history was not written yet). Cost: one scan of those rows, clustered at the end of
     * the raw table (about one bucket of data).
     */
    private void rebuildOpenBuckets() throws SQLException {
        openBuckets.clear();
        try (PreparedStatement p = db.prepareStatement(
                "SELECT ts, series_id, value FROM samples WHERE ts >= ? AND value IS NOT NULL")) {
            p.setLong(1, historyDone);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    long ts = rs.getLong(1);
                    openBuckets.computeIfAbsent(ts - Math.floorMod(ts, bucketMillis), b -> new HashMap<>())
                            .computeIfAbsent(rs.getLong(2), x -> new Agg()).add(rs.getDouble(3));
                }
            }
        }
        openStale = false;
    }

    /**
     * Raw retention after every commit, in a bounded step: deletes samples older than {@code rawRetention} before the
     * newest sample, but never samples whose bucket's history is not written yet, and at most about
     * {@code 4 * batchSize} rows per commit (plus the rest of the rows sharing the last deleted timestamp), so a
     * backlog (a long stop, a shortened retention) is worked off over the next commits instead of in one long
     * transaction. Once per bucket of data time: history buckets and events older than {@code historyRetention} (both
     * by index); and the version-0 raw table of an upgraded database is dropped whole once its newest row is past raw
     * retention (deleting its rows one by one would update its scattered (series_id, ts) index, the cost this schema
     * removes; dropping visits each of its pages once: a one-time pause of ~5 s of CPU per GB of that table).
     */
    private void applyRetention() throws SQLException {
        long cutoff = Math.min(newest - config.rawRetention().toMillis(), historyDone);
        long step = 4L * config.batchSize();
        rawBound.setLong(1, cutoff);
        rawBound.setLong(2, step - 1);
        long bound = cutoff;
        try (ResultSet rs = rawBound.executeQuery()) {
            if (rs.next()) {
                bound = rs.getLong(1) + 1; // up to and including the step-th oldest timestamp
            }
        }
        rawDelete.setLong(1, bound);
        rawDelete.executeUpdate();

        long bucket = newest - Math.floorMod(newest, bucketMillis);
        if (bucket == lastRetentionBucket) {
            return;
        }
        lastRetentionBucket = bucket;
        long h = newest - config.historyRetention().toMillis();
        try (PreparedStatement hist = db.prepareStatement("DELETE FROM history WHERE bucket < ?");
             PreparedStatement ev = db.prepareStatement("DELETE FROM events WHERE ts < ?");
             PreparedStatement act = db.prepareStatement("DELETE FROM actions WHERE ts < ?")) {
            hist.setLong(1, h);
            hist.executeUpdate();
            ev.setLong(1, h);
            ev.executeUpdate();
            act.setLong(1, h);
            act.executeUpdate();
        }
        if (legacy && legacyNewest < newest - config.rawRetention().toMillis()) {
            try (Statement s = db.createStatement()) {
                s.execute("DROP TABLE " + LEGACY_SAMPLES); // with its two indexes; its pages go to the free list
            }
            legacy = false;
        }
    }

    /**
     * The size cap, checked once per bucket of data time, and after every commit while the previous check left work
     * (above the cap, or free pages to return): when the pages in use exceed {@link Config#maxBytes}, deletes the
     * oldest written history buckets, at most about {@code 4 * batchSize} rows per commit (plus the rest of the last
     * bucket's rows), by the bucket index; repeated by the next commits while still above the cap. Raw samples are
     * bounded by raw retention, events and action rows by their own retention, so they are never trimmed for size;
     * open buckets (in memory) are not touched. Then, in a file with {@code auto_vacuum=INCREMENTAL}, once more than
     * {@value #VACUUM_SLACK_PAGES} pages (or 1/16 of the cap, if smaller) are free, returns up to
     * {@value #VACUUM_STEP_PAGES} of them to the file system, keeping half the slack for reuse by the next commits.
     * Cost when under the cap and with little free: two header reads per bucket of data time; the file may pass the cap
     * by at most one bucket's growth (~850 history rows and a minute of raw samples at 850 series, ~130 KB).
     */
    private void applySizeCap() throws SQLException {
        long bucket = newest - Math.floorMod(newest, bucketMillis);
        if (!capBusy && bucket == lastCapBucket) {
            return;
        }
        lastCapBucket = bucket;
        long free = pragmaLong(db, "freelist_count");
        long used = (pragmaLong(db, "page_count") - free) * pageSize;
        capBusy = used > config.maxBytes();
        if (capBusy) {
            historyBound.setLong(1, 4L * config.batchSize() - 1);
            long bound = Long.MIN_VALUE;
            try (ResultSet rs = historyBound.executeQuery()) {
                if (rs.next()) {
                    bound = rs.getLong(1) + 1; // up to and including the step-th oldest bucket
                }
            }
            if (bound == Long.MIN_VALUE) { // fewer rows than one step: all written history goes
                bound = Long.MAX_VALUE;
            }
            historyTrim.setLong(1, bound);
            trimmedHistoryRows += historyTrim.executeUpdate();
            free = pragmaLong(db, "freelist_count");
        }
        if (incrementalVacuum && free > vacuumSlackPages) {
            long pages = Math.min(VACUUM_STEP_PAGES, free - vacuumSlackPages / 2);
            // one execution frees one page: the pragma yields an empty row per page and the driver steps a statement
            // once per execute, leaving it in progress (a reused one would make the commit fail), so each step is its
            // own statement, closed at once
            for (long k = 0; k < pages; k++) {
                try (Statement step = db.createStatement()) {
                    step.execute("PRAGMA incremental_vacuum(1)");
                }
            }
            long left = pragmaLong(db, "freelist_count");
            vacuumedPages += free - left;
            capBusy |= left > vacuumSlackPages;
        }
    }

    /**
     * Adds the {@code actions} row of an ACTION event to the batch: {@code action} is the event's {@code action}
     * evidence (the action's name) or else its type, {@code target} its component, {@code outcome} its type without
     * the {@code action.} prefix ({@code started}, {@code completed}, {@code failed}, {@code refused},
     * {@code proposed}, {@code vetoed}, {@code dry-run}, {@code reverted}, {@code kept}...), {@code detail} its reason.
     */
    private void actionRow(NexusEvent e) throws SQLException {
        Object name = e.evidence().get("action");
        String type = e.type();
        insAction.setLong(1, e.timestampMillis());
        insAction.setString(2, name == null ? type : String.valueOf(name));
        insAction.setString(3, e.component());
        insAction.setString(4, type.startsWith("action.") ? type.substring("action.".length()) : type);
        insAction.setString(5, e.reason());
        insAction.addBatch();
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
        id = lookupSeries(text);
        seriesIds.put(key, id);
        return id;
    }

    /** The id of a series key in the database, or -1 when it has none. */
    private long lookupSeries(String text) throws SQLException {
        try (PreparedStatement sel = db.prepareStatement("SELECT id FROM series WHERE key = ?")) {
            sel.setString(1, text);
            try (ResultSet rs = sel.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private void rollback() {
        seriesIds.clear(); // ids inserted by the failed transaction are gone
        openStale = true; // so may be aggregates of its samples, and closed buckets it wrote: rebuilt on next flush
        lastCapBucket = Long.MIN_VALUE; // a size step it made is undone: check again at the next commit
        try {
            insSample.clearBatch();
            addHistory.clearBatch();
            insEvent.clearBatch();
            insAction.clearBatch();
            db.rollback();
            try (Statement s = db.createStatement();
                 ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'history_done'")) {
                historyDone = rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
            }
            legacy = tableExists(db, LEGACY_SAMPLES); // a drop in the failed transaction is undone
            db.commit();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    /**
     * Raw samples of {@code key} with {@code from <= ts < to}, oldest first (committed data only). Cost: the raw table
     * is clustered on time, so this reads every series' rows in {@code [from, to)} (about 850 rows per second of range
     * at 850 series) and keeps those of {@code key}; ask for the range you need, or use {@link #history}.
     */
    public synchronized List<Sample> samples(MetricKey key, long from, long to) {
        List<Sample> out = new ArrayList<>();
        long id;
        try {
            id = lookupSeries(key.toString());
        } catch (SQLException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (id < 0) {
            return out;
        }
        String sql = "SELECT ts, value FROM samples WHERE ts >= ? AND ts < ? AND series_id = ?";
        if (legacy) {
            sql += " UNION ALL SELECT ts, value FROM " + LEGACY_SAMPLES + " WHERE series_id = ? AND ts >= ? AND ts < ?";
        }
        query(sql + " ORDER BY ts", rs -> {
            Object v = rs.getObject(2);
            out.add(new Sample(rs.getLong(1), v instanceof Number n ? n.doubleValue() : Double.NaN));
        }, legacy ? new Object[] {from, to, id, id, from, to} : new Object[] {from, to, id});
        return out;
    }

    /**
     * Downsampled history of {@code key}, oldest bucket first: the written buckets, then the open ones (aggregated in
     * memory from committed samples and written when a later bucket begins).
     */
    public synchronized List<Bucket> history(MetricKey key) {
        List<Bucket> out = new ArrayList<>();
        query("SELECT h.bucket, h.count, h.sum, h.min, h.max FROM history h JOIN series k ON k.id = h.series_id "
                + "WHERE k.key = ? ORDER BY h.bucket", rs -> out.add(new Bucket(rs.getLong(1), rs.getLong(2), rs.getDouble(3),
                rs.getDouble(4), rs.getDouble(5))), key.toString());
        long id;
        try {
            id = lookupSeries(key.toString());
        } catch (SQLException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (id >= 0) {
            for (Map.Entry<Long, Map<Long, Agg>> b : openBuckets.entrySet()) {
                Agg a = b.getValue().get(id);
                if (a != null) {
                    out.add(new Bucket(b.getKey(), a.count, a.sum, a.min, a.max));
                }
            }
        }
        return out;
    }

    /**
     * Rows in a table: one of samples (both raw tables while an upgraded database still has version-0 rows), history
     * (written buckets plus open ones), events, actions, batches, series.
     */
    public synchronized long count(String table) {
        if (!List.of("samples", "history", "events", "actions", "batches", "series").contains(table)) {
            throw new IllegalArgumentException("no table " + table);
        }
        long[] n = new long[1];
        query("SELECT COUNT(*) FROM " + table, rs -> n[0] = rs.getLong(1));
        if (table.equals("samples") && legacy) {
            query("SELECT COUNT(*) FROM " + LEGACY_SAMPLES, rs -> n[0] += rs.getLong(1));
        }
        if (table.equals("history")) {
            for (Map<Long, Agg> b : openBuckets.values()) {
                n[0] += b.size();
            }
        }
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

    /** Whether samples or events are buffered and not yet committed. */
    public synchronized boolean hasUncommitted() {
        return buffered > 0 || !pendingEvents.isEmpty();
    }

    /** History rows deleted by the size cap since this instance opened. */
    public synchronized long trimmedHistoryRows() {
        return trimmedHistoryRows;
    }

    /** Pages returned to the file system by incremental vacuum since this instance opened. */
    public synchronized long vacuumedPages() {
        return vacuumedPages;
    }

    /** Bytes in pages in use: {@code (page_count - freelist_count) * page_size}, what the size cap limits. */
    public synchronized long usedBytes() {
        long[] v = new long[2];
        query("PRAGMA page_count", rs -> v[0] = rs.getLong(1));
        query("PRAGMA freelist_count", rs -> v[1] = rs.getLong(1));
        return (v[0] - v[1]) * pageSize;
    }

    /** {@code PRAGMA auto_vacuum}: 2 (incremental) in a file created by this code, 0 in an older one. */
    synchronized int autoVacuum() {
        int[] v = new int[1];
        query("PRAGMA auto_vacuum", rs -> v[0] = rs.getInt(1));
        return v[0];
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

    /** {@code PRAGMA user_version}: {@link #SCHEMA_VERSION} once opened by this code. */
    synchronized int schemaVersion() {
        int[] v = new int[1];
        query("PRAGMA user_version", rs -> v[0] = rs.getInt(1));
        return v[0];
    }

    /** Whether the version-0 raw table of an upgraded database is still there (dropped once past raw retention). */
    synchronized boolean hasLegacySamples() {
        return legacy;
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
                for (PreparedStatement p : List.of(insSample, addHistory, insEvent, insBatch, setHistoryDone, rawBound,
                        rawDelete, insAction, historyBound, historyTrim)) {
                    p.close();
                }
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
