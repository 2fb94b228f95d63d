package dev.helix.nexus.telemetry.store;

import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Feeds a {@link SqliteTelemetryStore} from one background thread, so that the tick thread only copies a sample into
 * a bounded in-memory queue (three array stores under a short lock) instead of paying for SQLite inserts and commits.
 *
 * <p>Queues: samples in a ring of {@code sampleCapacity} entries, events in a deque of {@code eventCapacity}. When a
 * queue is full the <em>oldest</em> entry is dropped to make room, never the caller blocked: the number dropped is
 * counted ({@link #droppedSamples()}, {@link #droppedEvents()}) and reported through the {@code warn} callback (from
 * the writer thread, at most once per {@code warnIntervalMillis}, and once more at close). Records arriving after
 * {@link #close()} are dropped and counted the same way.
 *
 * <p>The writer thread drains the queues 200 ms after the first record since its last drain (or at once when half
 * full, on {@link #flush()} or {@link #close()}) and hands everything to the store, which commits by itself every
 * {@link SqliteTelemetryStore.Config#batchSize} samples. On top of that the writer <em>commits</em> whatever the store
 * holds once it has held it for {@code commitIntervalMillis} (default {@value #DEFAULT_COMMIT_INTERVAL_MILLIS} ms): a
 * record queued at time t is in the file by t + 200 ms + {@code commitIntervalMillis} + the time the writer takes for
 * that one commit. <b>Loss bound on {@code kill -9}</b>: what was recorded in the last 200 ms +
 * {@code commitIntervalMillis} before the kill (at the 1 s tick of the agent: at most the last tick or two), plus the
 * batch being written when it struck; never a committed record, never a corrupt file (WAL). The bound holds while the
 * writer keeps up; when the store stalls (a disk stall, a one-time drop of an upgraded table) the queue grows and
 * everything in it is also lost on a kill, and beyond {@code sampleCapacity} the oldest queued records are dropped and
 * counted (below). {@link #flush()} blocks until everything queued before the call is committed; {@link #close()}
 * drains the queues, commits and closes the store, so a clean stop loses nothing that was recorded before it (unless it
 * had been dropped for lack of room). A store error on the writer thread loses that drained batch, is counted
 * ({@link #writeErrors()}) and reported through {@code warn}; the writer keeps going.
 *
 * <p>Cost of the commit interval (docs/benchmarks/store.md, before/after run concurrently): at 1 Hz ticks and 850
 * series it adds almost no commits (0.85 -> 0.86 per s, writer CPU +2 to +5 %); at 600 series 0.60 -> 0.67 commits per
 * s (+6 to +12 %, ~0.01 % of a core); at 100 series 0.1 -> 0.5 per s (0.036 -> 0.057 % of a core).
 *
 * <p>Thread-safe: {@link #record} and {@link #append} may be called from any thread. Cost on the caller: O(1) per
 * sample, no allocation; O(1) per event.
 */
public final class BackgroundStoreWriter implements MetricSink, EventLog {

    /** Default queue size: ten ticks of a 1000-series host. */
    public static final int DEFAULT_SAMPLE_CAPACITY = 10_000;
    /** Default event queue size. */
    public static final int DEFAULT_EVENT_CAPACITY = 10_000;
    /** Default longest time a record handed to the store waits for its commit. */
    public static final long DEFAULT_COMMIT_INTERVAL_MILLIS = 1_000;

    private final SqliteTelemetryStore store;
    private final Consumer<String> warn;
    private final long warnIntervalMillis;
    private static final long DRAIN_DELAY_NANOS = 200_000_000L;
    private final long commitIntervalNanos;

    private final Object lock = new Object();
    // sample ring, guarded by lock
    private final MetricKey[] keys;
    private final double[] values;
    private final long[] times;
    private int head;
    private int size;
    private final ArrayDeque<NexusEvent> events = new ArrayDeque<>();
    private final int eventCapacity;
    private long droppedSamples;
    private long droppedEvents;
    private long enqueued; // samples + events accepted so far
    private long committedUpTo; // value of 'enqueued' covered by the last store flush
    private long flushRequestedUpTo;
    private boolean closing;
    private long writeErrors;
    private final Thread thread;
    // writer-thread-only drain buffers
    private final MetricKey[] outKeys;
    private final double[] outValues;
    private final long[] outTimes;

    /** A writer with the default capacities, warning on standard error at most every 10 s. */
    public static BackgroundStoreWriter start(SqliteTelemetryStore store) {
        return new BackgroundStoreWriter(store, DEFAULT_SAMPLE_CAPACITY, DEFAULT_EVENT_CAPACITY,
                msg -> System.err.println("nexus: " + msg), 10_000, DEFAULT_COMMIT_INTERVAL_MILLIS);
    }

    /** A writer committing at most {@value #DEFAULT_COMMIT_INTERVAL_MILLIS} ms after a record reaches the store. */
    public BackgroundStoreWriter(SqliteTelemetryStore store, int sampleCapacity, int eventCapacity,
                                 Consumer<String> warn, long warnIntervalMillis) {
        this(store, sampleCapacity, eventCapacity, warn, warnIntervalMillis, DEFAULT_COMMIT_INTERVAL_MILLIS);
    }

    /**
     * Starts the writer thread ({@code nexus-store-writer}, a daemon so it never keeps the JVM alive; call
     * {@link #close()} to stop it cleanly).
     *
     * @param store              the store to feed; owned by this writer from now on (closed by {@link #close()})
     * @param sampleCapacity     samples queued at most
     * @param eventCapacity      events queued at most
     * @param warn               receives drop and error reports (from the writer thread)
     * @param warnIntervalMillis minimum time between two drop reports
     * @param commitIntervalMillis longest time a record handed to the store waits for a commit (the loss bound on a
     *                     kill, less the 200 ms drain delay); at least 1
     */
    public BackgroundStoreWriter(SqliteTelemetryStore store, int sampleCapacity, int eventCapacity,
                                 Consumer<String> warn, long warnIntervalMillis, long commitIntervalMillis) {
        this.store = Objects.requireNonNull(store, "store");
        this.warn = Objects.requireNonNull(warn, "warn");
        if (sampleCapacity < 1 || eventCapacity < 1 || warnIntervalMillis < 0) {
            throw new IllegalArgumentException("capacities must be positive and the warn interval not negative: "
                    + sampleCapacity + ", " + eventCapacity + ", " + warnIntervalMillis);
        }
        if (commitIntervalMillis < 1) {
            throw new IllegalArgumentException("commitIntervalMillis must be at least 1: " + commitIntervalMillis);
        }
        this.commitIntervalNanos = commitIntervalMillis * 1_000_000L;
        this.eventCapacity = eventCapacity;
        this.warnIntervalMillis = warnIntervalMillis;
        keys = new MetricKey[sampleCapacity];
        values = new double[sampleCapacity];
        times = new long[sampleCapacity];
        outKeys = new MetricKey[sampleCapacity];
        outValues = new double[sampleCapacity];
        outTimes = new long[sampleCapacity];
        thread = new Thread(this::run, "nexus-store-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one sample; drops the oldest queued sample when full. Never blocks on the store. */
    @Override
    public void record(MetricKey key, double value, long timestampMillis) {
        synchronized (lock) {
            if (closing) {
                droppedSamples++;
                return;
            }
            if (size == keys.length) {
                keys[head] = null;
                head = head + 1 == keys.length ? 0 : head + 1;
                size--;
                droppedSamples++;
            }
            int i = head + size;
            if (i >= keys.length) {
                i -= keys.length;
            }
            keys[i] = key;
            values[i] = value;
            times[i] = timestampMillis;
            size++;
            enqueued++;
            if (size == 1 || size == keys.length / 2) {
                lock.notifyAll();
            }
        }
    }

    /** Queues one event; drops the oldest queued event when full. Never blocks on the store. */
    @Override
    public void append(NexusEvent event) {
        Objects.requireNonNull(event, "event");
        synchronized (lock) {
            if (closing) {
                droppedEvents++;
                return;
            }
            if (events.size() == eventCapacity) {
                events.pollFirst();
                droppedEvents++;
            }
            events.addLast(event);
            enqueued++;
            lock.notifyAll();
        }
    }

    /**
     * Blocks until everything queued before this call is written and committed (or the writer stopped). Not for the
     * tick thread.
     */
    @Override
    public void flush() {
        synchronized (lock) {
            long target = enqueued;
            if (target > flushRequestedUpTo) {
                flushRequestedUpTo = target;
            }
            lock.notifyAll();
            while (committedUpTo < target && thread.isAlive()) {
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Stops accepting records, writes everything queued, commits and closes the store. Blocks until done.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long lastWarn = Long.MIN_VALUE / 2;
        long reportedSamples = 0;
        long reportedEvents = 0;
        NexusEvent[] evOut = new NexusEvent[0];
        // writer-thread state: whether the store holds records not yet committed, and since when
        boolean uncommitted = false;
        long uncommittedSince = 0;
        while (true) {
            int n;
            int ne;
            boolean stop;
            boolean flushNow;
            long upTo;
            synchronized (lock) {
                // drain when half full, on flush or close, or DRAIN_DELAY after the first record queued since the
                // last drain: one wake-up per delay instead of one per sample; also wake to commit what the store has
                // held for the commit interval
                long deadline = 0;
                while (!closing && flushRequestedUpTo <= committedUpTo && size < keys.length / 2) {
                    boolean pending = size > 0 || !events.isEmpty();
                    long now = System.nanoTime();
                    if (pending && deadline == 0) {
                        deadline = now + DRAIN_DELAY_NANOS;
                    } else if (!pending) {
                        deadline = 0;
                    }
                    boolean timed = pending || uncommitted;
                    long wake = pending ? deadline : 0;
                    if (uncommitted) {
                        long commitAt = uncommittedSince + commitIntervalNanos;
                        wake = pending && wake - commitAt < 0 ? wake : commitAt;
                    }
                    try {
                        if (!timed) {
                            lock.wait();
                        } else if (now - wake >= 0) {
                            break;
                        } else {
                            lock.wait(Math.max(1, (wake - now + 999_999) / 1_000_000));
                        }
                    } catch (InterruptedException e) {
                        closing = true; // interrupted: treat as a stop request, still drain
                    }
                }
                n = size;
                for (int k = 0; k < n; k++) {
                    int i = head + k;
                    if (i >= keys.length) {
                        i -= keys.length;
                    }
                    outKeys[k] = keys[i];
                    outValues[k] = values[i];
                    outTimes[k] = times[i];
                    keys[i] = null;
                }
                head = 0;
                size = 0;
                evOut = events.toArray(evOut);
                ne = events.size();
                events.clear();
                stop = closing;
                flushNow = flushRequestedUpTo > committedUpTo;
                upTo = enqueued;
            }
            String error = null;
            try {
                long drainedAt = System.nanoTime();
                long batchesBefore = store.committedBatches();
                for (int k = 0; k < n; k++) {
                    store.record(outKeys[k], outValues[k], outTimes[k]);
                    outKeys[k] = null;
                }
                for (int k = 0; k < ne; k++) {
                    store.append(evOut[k]);
                    evOut[k] = null;
                }
                if (!store.hasUncommitted()) {
                    uncommitted = false; // the store committed everything itself (a full batch)
                } else if (!uncommitted || store.committedBatches() != batchesBefore) {
                    uncommitted = true; // what is left was handed over in this drain
                    uncommittedSince = drainedAt;
                }
                if (flushNow || stop || (uncommitted && System.nanoTime() - uncommittedSince >= commitIntervalNanos)) {
                    uncommitted = false; // also after a failed commit: the store rolled that batch back (lost, counted)
                    store.flush();
                }
            } catch (RuntimeException e) {
                uncommitted = false;
                error = e.toString();
            }
            if (stop) {
                try {
                    store.close();
                } catch (RuntimeException e) {
                    error = error == null ? e.toString() : error + "; " + e;
                }
            }
            long ds;
            long de;
            synchronized (lock) {
                if (error != null) {
                    writeErrors++;
                }
                if (flushNow || stop) {
                    committedUpTo = Math.max(committedUpTo, upTo);
                }
                ds = droppedSamples;
                de = droppedEvents;
                lock.notifyAll();
            }
            if (error != null) {
                warn.accept("telemetry store write failed, " + (n + ne) + " records lost: " + error);
            }
            long now = System.currentTimeMillis();
            if ((ds > reportedSamples || de > reportedEvents) && (stop || now - lastWarn >= warnIntervalMillis)) {
                warn.accept("telemetry store queue full: dropped " + (ds - reportedSamples) + " samples and "
                        + (de - reportedEvents) + " events (oldest first; " + ds + " and " + de + " in total)");
                reportedSamples = ds;
                reportedEvents = de;
                lastWarn = now;
            }
            if (stop) {
                return;
            }
        }
    }

    /** Samples dropped so far (queue full, or recorded after close). */
    public long droppedSamples() {
        synchronized (lock) {
            return droppedSamples;
        }
    }

    /** Events dropped so far (queue full, or appended after close). */
    public long droppedEvents() {
        synchronized (lock) {
            return droppedEvents;
        }
    }

    /** Samples and events waiting in the queues right now. */
    public int queued() {
        synchronized (lock) {
            return size + events.size();
        }
    }

    /** Drained batches the store failed to write. */
    public long writeErrors() {
        synchronized (lock) {
            return writeErrors;
        }
    }
}
