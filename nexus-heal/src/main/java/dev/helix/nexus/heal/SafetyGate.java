package dev.helix.nexus.heal;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.cgroup.CgroupDriver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The only way NEXUS runs an {@link Action}. In order, {@link #execute(Action)}:
 * <ol>
 *   <li>refuses unsafe targets: PID 1, the NEXUS process itself and its ancestors, kernel threads (PF_KTHREAD or no
 *       {@code /proc/<pid>/exe}), anything on the {@link ProtectList}, cgroups outside {@code nexus/} or holding a
 *       protected process;</li>
 *   <li>gates by level: every action needs {@code CHANGE_SYSTEM} (≥ CORRECTION) and at least its
 *       {@link Action#requiredLevel()} (healing actions declare HEALING);</li>
 *   <li>in dry-run logs the exact {@link Action#describe()} and returns {@code SKIPPED} without touching anything;</li>
 *   <li>enforces the action budget: at most {@code maxActionsPerMinute} executions in any sliding minute of the
 *       engine clock;</li>
 *   <li>emits {@code action.started} before and {@code action.succeeded|failed} after (category ACTION), turning an
 *       exception into {@code FAILED};</li>
 *   <li>remembers every executed action (successful or failed: a failed action may have half-applied) so that
 *       {@link #revertAll()} undoes everything in reverse order, except repairs that ask to be kept
 *       ({@link Action#revertOnStop()} false: rollbacks, restarts, reconstructions), logged as
 *       {@code action.kept}.</li>
 * </ol>
 * Confirmation windows (levels below AUTONOMOUS) are the engine's business and happen before the gate is called.
 *
 * <p>Thread-safe: {@code execute}, {@code revert} and {@code revertAll} are serialized on the gate, so actions never
 * interleave.
 */
public final class SafetyGate {

    private final EngineClock clock;
    private final EventLog log;
    private final Supplier<NexusLevel> level;
    private final SafetyRules rules;
    private final int maxActionsPerMinute;
    private final Deque<Long> recentExecutions = new ArrayDeque<>();
    private final Deque<Action> applied = new ArrayDeque<>();
    private volatile boolean dryRun;

    private SafetyGate(Builder b) {
        this.clock = b.clock;
        this.log = b.log;
        this.level = b.level;
        this.rules = new SafetyRules(b.protect, b.cgroups);
        this.maxActionsPerMinute = b.maxActionsPerMinute;
        this.dryRun = b.dryRun;
    }

    /** Starts a builder; level defaults to a fixed {@link NexusLevel#CORRECTION}, budget to 30 per minute. */
    public static Builder builder(EngineClock clock, EventLog log) {
        return new Builder(clock, log);
    }

    /** Builder for {@link SafetyGate}. Not thread-safe. */
    public static final class Builder {
        private final EngineClock clock;
        private final EventLog log;
        private Supplier<NexusLevel> level = () -> NexusLevel.CORRECTION;
        private ProtectList protect = ProtectList.EMPTY;
        private CgroupDriver cgroups;
        private int maxActionsPerMinute = 30;
        private boolean dryRun;

        private Builder(EngineClock clock, EventLog log) {
            this.clock = Objects.requireNonNull(clock, "clock");
            this.log = Objects.requireNonNull(log, "log");
        }

        /** The current level, read on every action (wire the engine's state machine here). */
        public Builder level(Supplier<NexusLevel> level) {
            this.level = Objects.requireNonNull(level);
            return this;
        }

        public Builder level(NexusLevel fixed) {
            Objects.requireNonNull(fixed);
            this.level = () -> fixed;
            return this;
        }

        public Builder protect(ProtectList protect) {
            this.protect = Objects.requireNonNull(protect);
            return this;
        }

        /** Lets the gate look inside cgroup targets for protected processes. */
        public Builder cgroups(CgroupDriver cgroups) {
            this.cgroups = cgroups;
            return this;
        }

        public Builder maxActionsPerMinute(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxActionsPerMinute must be at least 1, got " + n);
            }
            this.maxActionsPerMinute = n;
            return this;
        }

        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        public SafetyGate build() {
            return new SafetyGate(this);
        }
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    public boolean dryRun() {
        return dryRun;
    }

    /** Why the gate would refuse to act on {@code target}, or empty when the target is allowed. */
    public Optional<String> refusal(ComponentId target) {
        return rules.refusal(target);
    }

    /** The target rules this gate applies. */
    public SafetyRules rules() {
        return rules;
    }

    /** Runs {@code action} through every check; see the class comment. Never throws for the action's own failures. */
    public synchronized ActionResult execute(Action action) {
        Objects.requireNonNull(action, "action");
        String component = action.target().toString();
        Optional<String> refused = refusal(action.target());
        if (refused.isPresent()) {
            return skip(action, "action.refused", "refused: " + refused.get());
        }
        NexusLevel current = level.get();
        NexusLevel needed = action.requiredLevel().compareTo(NexusLevel.CORRECTION) < 0
                ? NexusLevel.CORRECTION : action.requiredLevel();
        boolean allowed = current.allows(NexusLevel.Capability.CHANGE_SYSTEM) && current.compareTo(needed) >= 0
                && (needed.compareTo(NexusLevel.HEALING) < 0 || current.allows(NexusLevel.Capability.HEAL));
        if (!allowed) {
            return skip(action, "action.refused", "level " + current + " does not allow " + action.name()
                    + " (needs " + needed + ")");
        }
        if (dryRun) {
            return skip(action, "action.dry_run", "dry-run, would: " + action.describe());
        }
        long now = clock.monotonicNanos();
        while (!recentExecutions.isEmpty() && now - recentExecutions.peekFirst() >= 60_000_000_000L) {
            recentExecutions.removeFirst();
        }
        if (recentExecutions.size() >= maxActionsPerMinute) {
            return skip(action, "action.budget_exhausted", "action budget exhausted: " + recentExecutions.size()
                    + " actions in the last minute (max " + maxActionsPerMinute + ")");
        }
        recentExecutions.addLast(now);
        emit("action.started", component, action.describe(), Map.of("action", action.name(), "level", current.name()));
        ActionResult result;
        try {
            result = Objects.requireNonNull(action.execute(), "action returned null");
        } catch (Exception | Error e) {
            result = ActionResult.failed("exception: " + e);
        }
        applied.addLast(action);
        emit(result.succeeded() ? "action.succeeded" : "action.failed", component, result.detail(),
                withAction(action, result));
        return result;
    }

    private ActionResult skip(Action action, String type, String detail) {
        emit(type, action.target().toString(), detail, Map.of("action", action.name(), "describe", action.describe()));
        return ActionResult.skipped(detail);
    }

    private static Map<String, Object> withAction(Action action, ActionResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", action.name());
        m.put("outcome", r.outcome().name());
        m.putAll(r.evidence());
        return m;
    }

    private void emit(String type, String component, String reason, Map<String, Object> evidence) {
        log.append(new NexusEvent(clock.wallMillis(), EventCategory.ACTION, type, component, reason, evidence));
    }

    /** Reverts one previously executed action (if the gate still holds it) and forgets it. */
    public synchronized ActionResult revert(Action action) {
        if (!applied.removeLastOccurrence(action)) {
            return ActionResult.skipped("not applied through this gate (or already reverted): " + action.describe());
        }
        return doRevert(action);
    }

    private ActionResult doRevert(Action action) {
        ActionResult r;
        try {
            r = Objects.requireNonNull(action.revert(), "revert returned null");
        } catch (Exception | Error e) {
            r = ActionResult.failed("revert threw " + e);
        }
        emit(r.outcome() == ActionResult.Outcome.FAILED ? "action.revert_failed" : "action.reverted",
                action.target().toString(), "revert " + action.describe() + ": " + r.detail(), withAction(action, r));
        return r;
    }

    /**
     * Undoes every remembered action, newest first (engine stop); returns each attempted revert's result in that order.
     * Actions whose {@link Action#revertOnStop()} is false (repairs) are not reverted: each is logged as an
     * {@code action.kept} ACTION event and forgotten. {@link #revert(Action)} still reverts any action on request.
     */
    public synchronized List<ActionResult> revertAll() {
        List<ActionResult> out = new ArrayList<>();
        while (!applied.isEmpty()) {
            Action a = applied.removeLast();
            boolean revert;
            try {
                revert = a.revertOnStop();
            } catch (RuntimeException e) {
                revert = true; // when in doubt, undo
            }
            if (!revert) {
                emit("action.kept", a.target().toString(), "kept on stop (a repair is not undone): " + a.describe(),
                        Map.of("action", a.name()));
                continue;
            }
            out.add(doRevert(a));
        }
        return out;
    }

    /** Actions applied and not yet reverted, oldest first. */
    public synchronized List<Action> applied() {
        return List.copyOf(applied);
    }
}
