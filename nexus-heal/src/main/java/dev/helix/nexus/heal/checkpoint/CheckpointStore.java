package dev.helix.nexus.heal.checkpoint;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;

import dev.helix.nexus.heal.journal.RecordJournal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micro-rollback: keeps at most {@code capacity} checkpoints per component (default 10), drops those older than
 * {@code maxAge}, and rolls back to the latest, the last-known-safe, or the newest at or before a time. A rollback
 * verifies itself (checkpoint again, compare with {@code equals}) and reports {@code FAILED} when the restored state
 * differs. Before restoring, the state being replaced is saved so that {@link #rollbackAction} can revert.
 * {@link #transaction} runs a change that rolls itself back when it throws.
 *
 * <p>Thread-safe: each component's history is guarded by its own lock.
 */
public final class CheckpointStore {

    /** Where to roll back to. */
    public enum Target { LATEST, LAST_KNOWN_SAFE }

    private final EngineClock clock;
    private final int capacity;
    private final Duration maxAge;
    private final Map<String, Slot<?>> slots = new ConcurrentHashMap<>();
    private final Path dir;
    private long sequence;

    private static final class Slot<S> {
        final Checkpointable<S> component;
        final Deque<Checkpoint<S>> history = new ArrayDeque<>();
        StateCodec<S> codec;
        RecordJournal journal;
        long lastStateCrc = -1;
        int journalRecords;
        long droppedBytes;

        Slot(Checkpointable<S> component) {
            this.component = component;
        }
    }

    /**
     * A store whose components registered with a {@link StateCodec} are journaled to {@code dir} (one append-only
     * file per component, a CRC per record, forced to disk on every {@link #take}), so their checkpoints survive a
     * crash of NEXUS: registering again after a restart reloads them; a record torn by the crash is ignored.
     */
    public static CheckpointStore persistent(EngineClock clock, int capacity, Duration maxAge, Path dir) {
        return new CheckpointStore(clock, capacity, maxAge, Objects.requireNonNull(dir, "dir"));
    }

    private CheckpointStore(EngineClock clock, int capacity, Duration maxAge, Path dir) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.clock = Objects.requireNonNull(clock);
        this.capacity = capacity;
        this.maxAge = Objects.requireNonNull(maxAge);
        this.dir = dir;
    }

    /** The journal directory of a {@link #persistent} store. */
    public Optional<Path> directory() {
        return Optional.ofNullable(dir);
    }

    /** The journal file of a component in {@code dir}. */
    public static Path journalFile(Path dir, String name) {
        return dir.resolve(URLEncoder.encode(name, StandardCharsets.UTF_8) + ".ckpt");
    }

    /**
     * Registers a component whose checkpoints are journaled (persistent store) with {@code codec}: loads the good
     * records already in its journal (after a crash: everything before a torn last record) as its history, oldest
     * first, restoring their age from their wall time. In a store without a directory this is {@link #register}.
     */
    public <S> void register(String name, Checkpointable<S> component, StateCodec<S> codec) {
        Slot<S> s = new Slot<>(component);
        if (dir != null) {
            s.codec = Objects.requireNonNull(codec, "codec");
            try {
                s.journal = RecordJournal.open(journalFile(dir, name));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the checkpoint journal of " + name, e);
            }
            s.droppedBytes = s.journal.droppedBytes();
            long nowWall = clock.wallMillis();
            long nowNanos = clock.monotonicNanos();
            for (byte[] rec : s.journal.loaded()) {
                ByteBuffer b = ByteBuffer.wrap(rec);
                long seq = b.getLong();
                long taken = b.getLong();
                boolean safe = b.get() != 0;
                byte[] state = new byte[b.remaining()];
                b.get(state);
                S decoded;
                try {
                    decoded = codec.decode(state);
                } catch (RuntimeException e) {
                    continue; // CRC-valid but undecodable (codec changed): skip it
                }
                long ageNanos = Math.max(0, nowWall - taken) * 1_000_000L;
                s.history.addLast(new Checkpoint<>(name, seq, taken, nowNanos - ageNanos, safe, decoded));
                s.lastStateCrc = RecordJournal.crc(state);
                s.journalRecords++;
                synchronized (this) {
                    sequence = Math.max(sequence, seq);
                }
            }
            prune(s);
        }
        if (slots.putIfAbsent(name, s) != null) {
            if (s.journal != null) {
                try {
                    s.journal.close();
                } catch (IOException e) {
                    // ignore
                }
            }
            throw new IllegalArgumentException("'" + name + "' is already registered");
        }
    }

    /** Bytes of a torn or corrupt journal tail discarded when {@code name} was registered (0 without a journal). */
    public long droppedBytes(String name) {
        return slot(name).droppedBytes;
    }

    private static byte[] record(long seq, long taken, boolean safe, byte[] state) {
        ByteArrayOutputStream bo = new ByteArrayOutputStream(17 + state.length);
        try (DataOutputStream o = new DataOutputStream(bo)) {
            o.writeLong(seq);
            o.writeLong(taken);
            o.writeBoolean(safe);
            o.write(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bo.toByteArray();
    }

    /** Appends the checkpoint to the component's journal (compacting it when it holds 4x capacity records). */
    private <S> void journal(Slot<S> s, Checkpoint<S> c) {
        byte[] state = s.codec.encode(c.state());
        try {
            s.journal.append(record(c.sequence(), c.takenMillis(), c.knownSafe(), state));
            s.journalRecords++;
            s.lastStateCrc = RecordJournal.crc(state);
            if (s.journalRecords > 4 * capacity) {
                List<byte[]> keep = new ArrayList<>();
                List<Checkpoint<S>> hist = new ArrayList<>(s.history);
                hist.add(c);
                for (Checkpoint<S> h : hist.subList(Math.max(0, hist.size() - capacity), hist.size())) {
                    keep.add(record(h.sequence(), h.takenMillis(), h.knownSafe(), s.codec.encode(h.state())));
                }
                s.journal.rewrite(keep);
                s.journalRecords = keep.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot journal checkpoint of " + c.component(), e);
        }
    }

    /** Closes the journals (a persistent store); the in-memory history stays usable. */
    public void close() {
        for (Slot<?> s : slots.values()) {
            if (s.journal != null) {
                try {
                    s.journal.close();
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }

    public CheckpointStore(EngineClock clock, int capacity, Duration maxAge) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.clock = Objects.requireNonNull(clock);
        this.capacity = capacity;
        this.maxAge = Objects.requireNonNull(maxAge);
        this.dir = null;
    }

    /** 10 checkpoints per component, at most 1 hour old. */
    public CheckpointStore(EngineClock clock) {
        this(clock, 10, Duration.ofHours(1));
    }

    public <S> void register(String name, Checkpointable<S> component) {
        if (slots.putIfAbsent(name, new Slot<>(component)) != null) {
            throw new IllegalArgumentException("'" + name + "' is already registered");
        }
    }

    @SuppressWarnings("unchecked")
    private <S> Slot<S> slot(String name) {
        Slot<S> s = (Slot<S>) slots.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no checkpointable component '" + name + "'");
        }
        return s;
    }

    private synchronized long nextSequence() {
        return ++sequence;
    }

    /** Captures the current state; {@code knownSafe} marks it as a safe point (taken while healthy). */
    public <S> Checkpoint<S> take(String name, boolean knownSafe) {
        Slot<S> s = slot(name);
        synchronized (s) {
            Checkpoint<S> c = new Checkpoint<>(name, nextSequence(), clock.wallMillis(), clock.monotonicNanos(),
                    knownSafe, s.component.checkpoint());
            if (s.journal != null) {
                journal(s, c);
            }
            s.history.addLast(c);
            prune(s);
            return c;
        }
    }

    private void prune(Slot<?> s) {
        while (s.history.size() > capacity) {
            s.history.removeFirst();
        }
        long now = clock.monotonicNanos();
        s.history.removeIf(c -> now - c.takenNanos() > maxAge.toNanos());
    }

    /** The kept checkpoints, oldest first. */
    public <S> List<Checkpoint<S>> checkpoints(String name) {
        Slot<S> s = slot(name);
        synchronized (s) {
            prune(s);
            return List.copyOf(s.history);
        }
    }

    /** The checkpoint a target selects, if any. */
    public <S> Optional<Checkpoint<S>> find(String name, Target target) {
        Slot<S> s = slot(name);
        synchronized (s) {
            prune(s);
            Iterator<Checkpoint<S>> it = s.history.descendingIterator();
            while (it.hasNext()) {
                Checkpoint<S> c = it.next();
                if (target == Target.LATEST || c.knownSafe()) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }
    }

    /** The newest checkpoint taken at or before {@code wallMillis}. */
    public <S> Optional<Checkpoint<S>> findAt(String name, long wallMillis) {
        Slot<S> s = slot(name);
        synchronized (s) {
            prune(s);
            Checkpoint<S> best = null;
            for (Checkpoint<S> c : s.history) {
                if (c.takenMillis() <= wallMillis) {
                    best = c;
                }
            }
            return Optional.ofNullable(best);
        }
    }

    public ActionResult rollback(String name, Target target) {
        return restore(name, find(name, target), target.name());
    }

    public ActionResult rollbackTo(String name, long wallMillis) {
        return restore(name, findAt(name, wallMillis), "at or before " + wallMillis);
    }

    private <S> ActionResult restore(String name, Optional<Checkpoint<S>> which, String what) {
        if (which.isEmpty()) {
            return ActionResult.failed("no checkpoint of " + name + " for " + what);
        }
        return restoreExactly(slot(name), which.get().state(), "checkpoint #" + which.get().sequence());
    }

    private <S> ActionResult restoreExactly(Slot<S> s, S state, String label) {
        synchronized (s) {
            s.component.restore(state);
            S after = s.component.checkpoint();
            if (!Objects.equals(after, state)) {
                return ActionResult.failed("restored " + label + " but the state reads back different: " + after);
            }
            return ActionResult.succeeded("restored " + label + " exactly", Map.of("checkpoint", label));
        }
    }

    /**
     * The body of a {@link #transaction}: changes the component and may fail.
     *
     * @param <T> what the body returns
     * @param <X> the checked exception the body may throw ({@code RuntimeException} when none)
     */
    @FunctionalInterface
    public interface TransactionBody<T, X extends Exception> {
        T run() throws X;
    }

    /**
     * Runs {@code body} as a micro-rollback transaction on component {@code name}: captures its state before, runs
     * the body, and then either commits or rolls back.
     * <ul>
     *   <li>Commit (the body returned): the new state is recorded with {@link #take take(name, false)} (so it becomes
     *       the latest checkpoint and, in a persistent store, is journaled: {@link #verify} stays clean). The body's
     *       result is returned.</li>
     *   <li>Roll back (the body threw anything, or the commit itself failed): the state captured before is restored
     *       and verified exactly ({@code equals} after a fresh checkpoint), and the same throwable is rethrown. If the
     *       restore fails or reads back different, that is added to it as a suppressed exception. Nothing is added to
     *       the history.</li>
     * </ul>
     * The before-image is kept in memory only; it is not a checkpoint in the history and does not count against the
     * capacity. Every commit does add one, so frequent transactions push older checkpoints out (capacity and
     * {@code maxAge} apply as for any {@link #take}).
     *
     * <p>The component's lock is held for the whole transaction: other threads' takes, rollbacks and transactions on
     * the same component wait. The body may itself call this store for the same component on the same thread (locks
     * are reentrant; a nested transaction rolls back to its own before-image), but must not wait for another thread
     * that does.
     *
     * @throws IllegalArgumentException when {@code name} is not registered (before the body runs)
     */
    public <T, X extends Exception> T transaction(String name, TransactionBody<T, X> body) throws X {
        Objects.requireNonNull(body, "body");
        Slot<Object> s = slot(name);
        synchronized (s) {
            Object before = s.component.checkpoint();
            try {
                T result = body.run();
                take(name, false);
                return result;
            } catch (Throwable t) {
                try {
                    ActionResult r = restoreExactly(s, before, "the state before the transaction");
                    if (!r.succeeded()) {
                        t.addSuppressed(new IllegalStateException("transaction rollback of " + name + " failed: "
                                + r.detail()));
                    }
                } catch (RuntimeException | Error restoreFailure) {
                    t.addSuppressed(restoreFailure);
                }
                throw t;
            }
        }
    }

    /**
     * A HEALING-level {@link Action} (target {@code jvm:<name>}) rolling back to {@code target}; its revert puts back
     * the state that was replaced. A repair: {@link Action#revertOnStop()} is false, so it is kept when NEXUS stops.
     */
    public Action rollbackAction(String name, Target target) {
        CheckpointStore store = this;
        return new Action() {
            private Object replaced;
            private boolean done;

            @Override
            public String name() {
                return "jvm.rollback";
            }

            @Override
            public ComponentId target() {
                return ComponentId.jvm(name);
            }

            @Override
            public NexusLevel requiredLevel() {
                return NexusLevel.HEALING;
            }

            /** A rollback is a repair: kept when NEXUS stops (an explicit revert still undoes it). */
            @Override
            public boolean revertOnStop() {
                return false;
            }

            @Override
            public String describe() {
                return "roll " + name + " back to its " + target.name().toLowerCase(java.util.Locale.ROOT)
                        + " checkpoint";
            }

            @Override
            public synchronized ActionResult execute() {
                Slot<Object> s = store.slot(name);
                synchronized (s) {
                    replaced = s.component.checkpoint();
                }
                ActionResult r = store.rollback(name, target);
                done = r.succeeded();
                return r;
            }

            @Override
            public synchronized ActionResult revert() {
                if (!done) {
                    return ActionResult.succeeded("nothing was rolled back", Map.of());
                }
                return store.restoreExactly(store.slot(name), replaced, "the state before the rollback");
            }
        };
    }

    /**
     * Corruption check of a journaled component: its current state must encode to the CRC32 of its last journaled
     * checkpoint (the component commits every legitimate change with {@link #take}). Empty when intact, otherwise
     * why not.
     */
    public Optional<String> verify(String name) {
        Slot<Object> s = slot(name);
        synchronized (s) {
            if (s.journal == null) {
                return Optional.of(name + " has no checkpoint journal");
            }
            if (s.lastStateCrc < 0) {
                return Optional.of(name + " has no journaled checkpoint to compare with");
            }
            long crc;
            try {
                crc = RecordJournal.crc(s.codec.encode(s.component.checkpoint()));
            } catch (RuntimeException e) {
                return Optional.of("state of " + name + " cannot be encoded: " + e);
            }
            return crc == s.lastStateCrc ? Optional.empty()
                    : Optional.of(String.format("checksum of %s is %08x, its last journaled state has %08x", name, crc,
                    s.lastStateCrc));
        }
    }

    /**
     * Reconstructs a corrupted journaled component from its journal on disk: tries its records newest first, restores
     * each, and keeps the first whose read-back encoding has the record's checksum (the last good state). SKIPPED when
     * {@link #verify} finds no corruption; FAILED (with the replaced state put back) when no record restores cleanly.
     */
    public ActionResult reconstruct(String name) {
        Slot<Object> s = slot(name);
        synchronized (s) {
            Optional<String> corrupt = verify(name);
            if (corrupt.isEmpty()) {
                return ActionResult.skipped(name + " is intact (checksum matches its journal)");
            }
            if (s.journal == null) {
                return ActionResult.failed("cannot reconstruct " + name + ": no checkpoint journal");
            }
            List<byte[]> recs;
            try {
                recs = RecordJournal.scan(s.journal.file()).records();
            } catch (IOException e) {
                return ActionResult.failed("cannot read the journal of " + name + ": " + e.getMessage());
            }
            Object before = s.component.checkpoint();
            int tried = 0;
            for (int i = recs.size() - 1; i >= 0; i--) {
                ByteBuffer b = ByteBuffer.wrap(recs.get(i));
                long seq = b.getLong();
                b.getLong();
                b.get();
                byte[] state = new byte[b.remaining()];
                b.get(state);
                tried++;
                long want = RecordJournal.crc(state);
                try {
                    s.component.restore(s.codec.decode(state));
                    long got = RecordJournal.crc(s.codec.encode(s.component.checkpoint()));
                    if (got == want) {
                        s.lastStateCrc = want;
                        return ActionResult.succeeded("rebuilt " + name + " from journal checkpoint #" + seq,
                                Map.of("detected", corrupt.get(), "sequence", seq, "recordsTried", tried,
                                        "checksum", String.format("%08x", want)));
                    }
                } catch (RuntimeException e) {
                    // undecodable or restore refused: try an older record
                }
            }
            try {
                s.component.restore(before);
            } catch (RuntimeException e) {
                // nothing better to put back
            }
            return ActionResult.failed("cannot reconstruct " + name + ": " + corrupt.get() + "; none of "
                    + recs.size() + " journal record(s) restores to its checksum");
        }
    }

    /**
     * A HEALING-level {@link Action} (target {@code jvm:<name>}, name {@code jvm.reconstruct}) running
     * {@link #reconstruct}; its revert puts back the (corrupted) state it replaced. A repair:
     * {@link Action#revertOnStop()} is false, so it is kept when NEXUS stops.
     */
    public Action reconstructAction(String name) {
        CheckpointStore store = this;
        return new Action() {
            private Object replaced;
            private boolean done;

            @Override public String name() { return "jvm.reconstruct"; }
            @Override public ComponentId target() { return ComponentId.jvm(name); }
            @Override public NexusLevel requiredLevel() { return NexusLevel.HEALING; }

            /** A reconstruction is a repair: kept when NEXUS stops (an explicit revert still undoes it). */
            @Override public boolean revertOnStop() { return false; }

            @Override
            public String describe() {
                return "verify " + name + " against its checkpoint journal and rebuild it from the last good record";
            }

            @Override
            public synchronized ActionResult execute() {
                Slot<Object> s = store.slot(name);
                synchronized (s) {
                    replaced = s.component.checkpoint();
                }
                ActionResult r = store.reconstruct(name);
                done = r.succeeded();
                return r;
            }

            @Override
            public synchronized ActionResult revert() {
                if (!done) {
                    return ActionResult.succeeded("nothing was reconstructed", Map.of());
                }
                done = false;
                return store.restoreExactly(store.slot(name), replaced, "the state before the reconstruction");
            }
        };
    }

    /** Names of registered components. */
    public List<String> components() {
        return new ArrayList<>(slots.keySet());
    }
}
