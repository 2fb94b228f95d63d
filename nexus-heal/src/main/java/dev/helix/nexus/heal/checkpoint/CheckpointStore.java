package dev.helix.nexus.heal.checkpoint;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;

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
    private long sequence;

    private static final class Slot<S> {
        final Checkpointable<S> component;
        final Deque<Checkpoint<S>> history = new ArrayDeque<>();

        Slot(Checkpointable<S> component) {
            this.component = component;
        }
    }

    public CheckpointStore(EngineClock clock, int capacity, Duration maxAge) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.clock = Objects.requireNonNull(clock);
        this.capacity = capacity;
        this.maxAge = Objects.requireNonNull(maxAge);
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
     * A HEALING-level {@link Action} (target {@code jvm:<name>}) rolling back to {@code target}; its revert puts back
     * the state that was replaced.
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

    /** Names of registered components. */
    public List<String> components() {
        return new ArrayList<>(slots.keySet());
    }
}
