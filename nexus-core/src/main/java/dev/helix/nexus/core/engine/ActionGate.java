package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The only way an {@link Action} runs. In order, it refuses actions the level does not allow (below Correction
 * nothing changes; healing actions need Healing), actions a safety check refuses (plugged in by the Act module: PID 1,
 * NEXUS itself, the protect-list...), and actions beyond the per-minute budget; in dry-run it logs the exact action and
 * changes nothing; below Autonomous it holds the action for the confirmation window, during which an operator may
 * {@link #approve} or {@link #veto} it, and runs it when the window ends unvetoed. Every step is an ACTION event (the
 * audit trail). Actions that succeeded are remembered and undone in reverse order by {@link #revertAll()}, except
 * repairs that ask to be kept ({@link Action#revertOnStop()} false), which are logged as {@code action.kept}.
 *
 * <p>Thread-safe: operators may approve or veto from other threads while the tick thread calls {@link #submit} and
 * {@link #poll}.
 */
public final class ActionGate {

    /** A safety rule: returns the reason to refuse, or empty to allow. */
    @FunctionalInterface
    public interface Check {
        Optional<String> refuse(Action action);
    }

    /** An action waiting for its confirmation window. */
    public record Pending(long id, Action action, long deadlineMillis) {
    }

    private final NexusConfig config;
    private final EngineClock clock;
    private final EventLog log;
    private final List<Check> checks = new CopyOnWriteArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
    private final ArrayDeque<Action> applied = new ArrayDeque<>();
    private final ArrayDeque<Long> recentStarts = new ArrayDeque<>();
    private final Consumer<Boolean> healingHook;
    private volatile NexusLevel level;
    private long nextId = 1;

    /**
     * @param healingHook told {@code true} before a healing-level action runs and {@code false} after (the engine
     *                    moves to and from HEALING)
     */
    public ActionGate(NexusConfig config, EngineClock clock, EventLog log, Consumer<Boolean> healingHook) {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.level = config.level();
        this.healingHook = healingHook == null ? b -> { } : healingHook;
    }

    /** Adds a safety rule (only consulted when {@code enableSafety} is on). */
    public void addCheck(Check check) {
        checks.add(check);
    }

    /** Follows the engine's level. */
    public void level(NexusLevel l) {
        this.level = l;
    }

    /**
     * Submits an action: refused, logged (dry-run), held for confirmation, or run now (Autonomous).
     *
     * @return the result if decided now; a SKIPPED result saying "pending" when held
     */
    public ActionResult submit(Action a) {
        long now = clock.wallMillis();
        NexusLevel l = level;
        Optional<String> belowLevel = belowLevel(a, l);
        if (belowLevel.isPresent()) {
            return refuse(a, now, belowLevel.get());
        }
        if (config.enableSafety()) {
            for (Check c : checks) {
                Optional<String> why = c.refuse(a);
                if (why.isPresent()) {
                    return refuse(a, now, "safety: " + why.get());
                }
            }
        }
        if (config.dryRun()) {
            audit(now, "action.dry-run", a, "dry-run, would: " + a.describe(), Map.of());
            return ActionResult.skipped("dry-run: " + a.describe());
        }
        long window = config.confirmationWindow().toMillis();
        if (l.needsConfirmation() && window > 0) {
            Pending p;
            synchronized (this) {
                p = new Pending(nextId++, a, now + window);
                pending.add(p);
            }
            audit(now, "action.proposed", a, "proposed, runs at the end of the confirmation window unless vetoed: "
                    + a.describe(), Map.of("pendingId", p.id(), "windowMillis", window));
            return ActionResult.skipped("pending confirmation #" + p.id());
        }
        return run(a, now);
    }

    /** Runs every pending action whose window has ended; call once per tick. */
    public void poll() {
        long now = clock.wallMillis();
        List<Action> due = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.deadlineMillis() <= now) {
                    it.remove();
                    due.add(p.action());
                }
            }
        }
        for (Action a : due) {
            run(a, now);
        }
    }

    /** Runs a pending action now. Returns false if no such pending action. */
    public boolean approve(long id) {
        Action a = take(id);
        if (a == null) {
            return false;
        }
        run(a, clock.wallMillis());
        return true;
    }

    /** Cancels a pending action. Returns false if no such pending action. */
    public boolean veto(long id) {
        Action a = take(id);
        if (a == null) {
            return false;
        }
        audit(clock.wallMillis(), "action.vetoed", a, "vetoed by operator: " + a.describe(), Map.of("pendingId", id));
        return true;
    }

    private synchronized Action take(long id) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.id() == id) {
                it.remove();
                return p.action();
            }
        }
        return null;
    }

    /** Actions waiting for their confirmation window. */
    public synchronized List<Pending> pending() {
        return List.copyOf(pending);
    }

    /** Why the level {@code l} does not allow {@code a}, or empty when it does. */
    private static Optional<String> belowLevel(Action a, NexusLevel l) {
        NexusLevel needed = a.requiredLevel().compareTo(NexusLevel.CORRECTION) < 0 ? NexusLevel.CORRECTION : a.requiredLevel();
        if (l.compareTo(needed) < 0) {
            return Optional.of("level " + l.name().toLowerCase() + " is below " + needed.name().toLowerCase()
                    + ", which this action needs");
        }
        return Optional.empty();
    }

    private ActionResult run(Action a, long now) {
        // the level may have been lowered while the action waited for its window: check it again before running
        Optional<String> belowLevel = belowLevel(a, level);
        if (belowLevel.isPresent()) {
            return refuse(a, now, belowLevel.get());
        }
        synchronized (this) {
            while (!recentStarts.isEmpty() && recentStarts.peekFirst() <= now - 60_000L) {
                recentStarts.pollFirst();
            }
            if (recentStarts.size() >= config.actionBudgetPerMinute()) {
                return refuse(a, now, "action budget of " + config.actionBudgetPerMinute() + " per minute is spent");
            }
            recentStarts.addLast(now);
        }
        boolean healing = a.requiredLevel().compareTo(NexusLevel.HEALING) >= 0;
        audit(now, "action.started", a, a.describe(), Map.of());
        ActionResult r;
        if (healing) {
            healingHook.accept(true);
        }
        try {
            r = a.execute();
            if (r == null) {
                r = ActionResult.failed("action returned no result");
            }
        } catch (Exception e) {
            r = ActionResult.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (healing) {
                healingHook.accept(false);
            }
        }
        if (r.succeeded()) {
            synchronized (this) {
                applied.push(a);
            }
        }
        audit(clock.wallMillis(), r.succeeded() ? "action.completed" : r.outcome() == ActionResult.Outcome.SKIPPED
                ? "action.skipped" : "action.failed", a, r.detail(), r.evidence());
        return r;
    }

    private ActionResult refuse(Action a, long now, String why) {
        audit(now, "action.refused", a, why, Map.of());
        return ActionResult.skipped(why);
    }

    /**
     * Undoes every applied action, most recent first; failures are logged and the rest still reverted. Actions whose
     * {@link Action#revertOnStop()} is false (repairs) are not reverted: each is logged as an {@code action.kept}
     * ACTION event and forgotten. Returns the results of the reverts actually attempted, in that order.
     */
    public List<ActionResult> revertAll() {
        List<ActionResult> out = new ArrayList<>();
        while (true) {
            Action a;
            synchronized (this) {
                a = applied.poll();
            }
            if (a == null) {
                return out;
            }
            boolean revert;
            try {
                revert = a.revertOnStop();
            } catch (RuntimeException e) {
                revert = true; // when in doubt, undo: the pre-existing behaviour
            }
            if (!revert) {
                audit(clock.wallMillis(), "action.kept", a, "kept on stop (a repair is not undone): " + a.describe(),
                        Map.of());
                continue;
            }
            ActionResult r;
            try {
                r = a.revert();
            } catch (Exception e) {
                r = ActionResult.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            out.add(r);
            audit(clock.wallMillis(), r.succeeded() ? "action.reverted" : "action.revert-failed", a, r.detail(), r.evidence());
        }
    }

    /** Actions in effect, most recent first. */
    public synchronized List<Action> applied() {
        return List.copyOf(applied);
    }

    private void audit(long ts, String type, Action a, String reason, Map<String, Object> evidence) {
        Map<String, Object> ev = new LinkedHashMap<>(evidence);
        ev.put("action", a.name());
        ev.put("level", level.name().toLowerCase());
        log.append(new NexusEvent(ts, EventCategory.ACTION, type, a.target().toString(), reason, ev));
    }
}
