package dev.helix.nexus.heal.decide;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.engine.Anomaly;
import dev.helix.nexus.core.engine.DecisionPolicy;
import dev.helix.nexus.core.engine.TickContext;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.quarantine.QuarantineManager;
import dev.helix.nexus.heal.quarantine.QuarantinePlan;
import dev.helix.nexus.heal.quarantine.QuarantineRecord;
import dev.helix.nexus.heal.quarantine.QuarantineState;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link DecisionPolicy} that acts only on components NEXUS was told to manage ({@link #manage}): pids, cgroups or
 * in-JVM components registered with a {@link QuarantinePlan} factory. Findings about anything else are ignored.
 *
 * <p>Per managed component it counts {@link Anomaly} findings attributed to it within a sliding {@code window}; at
 * {@code threshold} (or at once on a severe {@link ComponentFinding}; a non-severe one counts like an anomaly) it
 * proposes a {@code quarantine.start} action, or, when the component is already quarantined, a
 * {@code quarantine.escalate} action. The proposals are ordinary {@link Action}s: the engine's ActionGate applies
 * level, safety rules, budget, dry-run and confirmation before {@link Action#execute()} calls the
 * {@link QuarantineManager}. After proposing, the count restarts and the component is left alone for
 * {@code cooldown} (so a proposal held for confirmation is not repeated every tick).
 *
 * <p>Attribution of an anomaly: a managed process matches a metric label {@code pid} equal to its pid, a cgroup the
 * label {@code cgroup} equal to its path, an in-JVM component the label {@code component} equal to its name; or a
 * custom matcher. Time comes from the injected clock. Thread-safe: {@link #decide} and {@link #manage} synchronize.
 */
public final class ManagedQuarantinePolicy implements DecisionPolicy {

    private final QuarantineManager quarantine;
    private final EngineClock clock;
    private final int threshold;
    private final long windowNanos;
    private final long cooldownNanos;
    private final Map<ComponentId, Managed> managed = new LinkedHashMap<>();

    private static final class Managed {
        final ComponentId id;
        final Predicate<Anomaly> matcher;
        final Supplier<QuarantinePlan> plan;
        final Deque<Long> hits = new ArrayDeque<>();
        final List<String> reasons = new ArrayList<>();
        long quietUntil = Long.MIN_VALUE;

        Managed(ComponentId id, Predicate<Anomaly> matcher, Supplier<QuarantinePlan> plan) {
            this.id = id;
            this.matcher = matcher;
            this.plan = plan;
        }
    }

    /**
     * @param threshold anomalies within {@code window} that trigger a proposal (at least 1)
     * @param cooldown  quiet time after a proposal for the same component
     */
    public ManagedQuarantinePolicy(QuarantineManager quarantine, EngineClock clock, int threshold, Duration window,
                                   Duration cooldown) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1, got " + threshold);
        }
        this.quarantine = Objects.requireNonNull(quarantine);
        this.clock = Objects.requireNonNull(clock);
        this.threshold = threshold;
        this.windowNanos = window.toNanos();
        this.cooldownNanos = cooldown.toNanos();
    }

    /** Default matcher for {@code id}: label {@code pid}, {@code cgroup} or {@code component} equals its id. */
    public static Predicate<Anomaly> byLabel(ComponentId id) {
        String label = switch (id.kind()) {
            case PROCESS, PROCESS_TREE -> "pid";
            case CGROUP -> "cgroup";
            case JVM_COMPONENT -> "component";
            case HOST -> "host";
        };
        return a -> id.id().equals(a.key().label(label));
    }

    /** Manages {@code id}, attributing anomalies by label (see {@link #byLabel}). */
    public void manage(ComponentId id, Supplier<QuarantinePlan> plan) {
        manage(id, byLabel(id), plan);
    }

    /** Manages {@code id} with a custom attribution. Re-registering replaces the entry. */
    public synchronized void manage(ComponentId id, Predicate<Anomaly> matcher, Supplier<QuarantinePlan> plan) {
        if (id.kind() == ComponentId.Kind.HOST) {
            throw new IllegalArgumentException("the whole host cannot be a managed component");
        }
        managed.put(id, new Managed(id, Objects.requireNonNull(matcher), Objects.requireNonNull(plan)));
    }

    /** Stops managing {@code id} (an ongoing quarantine stays until released). */
    public synchronized boolean unmanage(ComponentId id) {
        return managed.remove(id) != null;
    }

    public synchronized Set<ComponentId> managed() {
        return Set.copyOf(managed.keySet());
    }

    @Override
    public synchronized List<Action> decide(List<Object> findings, TickContext ctx) {
        long now = clock.monotonicNanos();
        Map<ComponentId, Boolean> severe = new LinkedHashMap<>();
        for (Object f : findings) {
            if (f instanceof Anomaly a) {
                for (Managed m : managed.values()) {
                    boolean match;
                    try {
                        match = m.matcher.test(a);
                    } catch (RuntimeException e) {
                        match = false;
                    }
                    if (match) {
                        hit(m, now, "anomaly " + a.key().name() + "=" + a.value() + " (" + a.detector() + ", score "
                                + String.format(java.util.Locale.ROOT, "%.2f", a.score()) + ")");
                    }
                }
            } else if (f instanceof ComponentFinding cf) {
                Managed m = managed.get(cf.component());
                if (m != null) {
                    hit(m, now, "pattern " + cf.pattern());
                    if (cf.severe()) {
                        severe.put(m.id, true);
                    }
                }
            }
        }
        List<Action> out = new ArrayList<>();
        for (Managed m : managed.values()) {
            while (!m.hits.isEmpty() && now - m.hits.peekFirst() > windowNanos) {
                m.hits.removeFirst();
                m.reasons.removeFirst();
            }
            if (now < m.quietUntil || (m.hits.size() < threshold && !severe.containsKey(m.id))) {
                continue;
            }
            String reason = m.hits.size() + " finding(s) within " + Duration.ofNanos(windowNanos) + ": "
                    + String.join("; ", m.reasons.subList(Math.max(0, m.reasons.size() - 3), m.reasons.size()));
            out.add(quarantine.isQuarantined(m.id) ? new Escalate(m.id, reason) : new Start(m.id, reason, m.plan));
            m.hits.clear();
            m.reasons.clear();
            m.quietUntil = now + cooldownNanos;
        }
        return out;
    }

    private static void hit(Managed m, long now, String reason) {
        m.hits.addLast(now);
        m.reasons.add(reason);
    }

    /** Starts a quarantine (RESTRICT); revert releases it if this action started it. */
    private final class Start implements Action {
        private final ComponentId id;
        private final String reason;
        private final Supplier<QuarantinePlan> plan;
        private boolean started;

        Start(ComponentId id, String reason, Supplier<QuarantinePlan> plan) {
            this.id = id;
            this.reason = reason;
            this.plan = plan;
        }

        @Override public String name() { return "quarantine.start"; }
        @Override public ComponentId target() { return id; }
        @Override public NexusLevel requiredLevel() { return NexusLevel.CORRECTION; }

        @Override
        public String describe() {
            return "quarantine " + id + " (RESTRICT) because " + reason;
        }

        @Override
        public synchronized ActionResult execute() {
            if (quarantine.isQuarantined(id)) {
                return ActionResult.skipped(id + " is already quarantined");
            }
            QuarantineRecord r = quarantine.quarantine(id, reason, plan.get());
            if (r.state() != QuarantineState.RESTRICT || !quarantine.isQuarantined(id)) {
                return ActionResult.failed("could not restrict " + id + ": state " + r.state()
                        + " (see the quarantine.stepfailed event)");
            }
            started = true;
            return ActionResult.succeeded(id + " quarantined: RESTRICT",
                    Map.of("state", r.state().name(), "appliedActions", r.appliedActions()));
        }

        @Override
        public synchronized ActionResult revert() {
            if (!started) {
                return ActionResult.succeeded("nothing to undo", Map.of());
            }
            started = false;
            return quarantine.release(id) ? ActionResult.succeeded("released " + id, Map.of())
                    : ActionResult.succeeded(id + " was already released", Map.of());
        }
    }

    /** Climbs one rung now; the escalation is undone with the whole quarantine when it is released. */
    private final class Escalate implements Action {
        private final ComponentId id;
        private final String reason;

        Escalate(ComponentId id, String reason) {
            this.id = id;
            this.reason = reason;
        }

        @Override public String name() { return "quarantine.escalate"; }
        @Override public ComponentId target() { return id; }
        @Override public NexusLevel requiredLevel() { return NexusLevel.HEALING; }

        @Override
        public String describe() {
            return "escalate the quarantine of " + id + " one rung because " + reason;
        }

        @Override
        public ActionResult execute() {
            Optional<QuarantineRecord> before = quarantine.get(id);
            if (before.isEmpty()) {
                return ActionResult.skipped(id + " is no longer quarantined");
            }
            Optional<QuarantineRecord> after = quarantine.escalateNow(id, reason);
            if (after.isEmpty()) {
                return ActionResult.failed(id + " was released during escalation");
            }
            QuarantineRecord b = before.get();
            QuarantineRecord a = after.get();
            Map<String, Object> ev = Map.of("from", b.state().name(), "to", a.state().name(), "restarts", a.restarts());
            if (a.state() == QuarantineState.GAVE_UP) {
                return new ActionResult(ActionResult.Outcome.FAILED, id + " GAVE_UP: restart intensity exceeded", ev);
            }
            if (a.state() == b.state() && a.restarts() == b.restarts()) {
                return new ActionResult(ActionResult.Outcome.FAILED, "no escalation from " + b.state()
                        + " (step failed or restart deferred by backoff)", ev);
            }
            return ActionResult.succeeded(id + " escalated " + b.state() + " -> " + a.state(), ev);
        }

        @Override
        public ActionResult revert() {
            return ActionResult.skipped("an escalation is undone only by releasing the quarantine of " + id);
        }
    }
}
