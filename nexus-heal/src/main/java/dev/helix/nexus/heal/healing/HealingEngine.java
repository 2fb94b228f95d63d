package dev.helix.nexus.heal.healing;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.SafetyGate;
import dev.helix.nexus.heal.checkpoint.CheckpointStore;
import dev.helix.nexus.heal.component.ManagedComponent;
import dev.helix.nexus.heal.degrade.DegradationManager;
import dev.helix.nexus.heal.healing.HealingOutcome.Status;
import dev.helix.nexus.heal.healing.HealingOutcome.Step;
import dev.helix.nexus.heal.healing.HealingOutcome.StepStatus;
import dev.helix.nexus.heal.quarantine.JvmQuarantinePlan;
import dev.helix.nexus.heal.quarantine.QuarantineManager;
import dev.helix.nexus.heal.quarantine.QuarantinePlan;
import dev.helix.nexus.heal.quarantine.QuarantineRecord;
import dev.helix.nexus.heal.quarantine.QuarantineState;
import dev.helix.nexus.heal.quarantine.RestartPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Heals registered in-JVM components along an escalation chain (default {@link HealingStrategy#DEFAULT_CHAIN}).
 *
 * <p>{@link #heal(String)}: when the target's health check passes, nothing happens (ALREADY_HEALTHY). Otherwise, within
 * the {@link RestartPolicy} (at most {@code intensity} attempts per {@code period}; attempt n ≥ 2 waits
 * {@code backoff(n-1)} after the previous one, else DEFERRED), one attempt walks the chain: each strategy runs as an
 * {@link Action} (level HEALING) through the {@link SafetyGate}; a strategy that does not apply is SKIPPED with the
 * reason (no hook, factory, checkpoint, journal, fallback, manager; or the gate refused it); one that runs is verified
 * with the health check and is HEALED (the walk stops) or FAILED. Containment strategies (QUARANTINE, SURVIVAL_MODE)
 * report CONTAINED when applied. When the chain is exhausted without a heal, the component is quarantined (if a
 * {@link QuarantineManager} is configured and the chain did not already do it). Past the intensity, GAVE_UP: nothing
 * runs but the quarantine.
 *
 * <p>When NEXUS stops ({@link SafetyGate#revertAll()}), the repairs (soft reset, hard restart, micro and full rollback,
 * reconstruct) are kept: their actions return false from {@code revertOnStop()}, since undoing them would put the
 * broken state back. SUBSTITUTE, QUARANTINE and SURVIVAL_MODE are containment and are undone as before.
 *
 * <p>A primary repaired while its breaker is open (e.g. after an earlier substitution) gets its breaker closed again,
 * unless it is quarantined (the quarantine manager releases it).
 *
 * <p>Time comes from the injected clock. Thread-safe: public methods synchronize on the engine; listeners are called
 * with the lock held and must not call back.
 */
public final class HealingEngine {

    private final SafetyGate gate;
    private final EngineClock clock;
    private final EventLog log;
    private final CheckpointStore checkpoints;
    private final DegradationManager degradation;
    private final QuarantineManager quarantine;
    private final RestartPolicy policy;
    private final List<HealingStrategy> chain;
    private final Map<String, Registered> targets = new LinkedHashMap<>();
    private final List<Consumer<HealingEvent>> listeners = new CopyOnWriteArrayList<>();

    private static final class Registered {
        final HealingTarget<?> target;
        final Deque<Long> attempts = new ArrayDeque<>();

        Registered(HealingTarget<?> target) {
            this.target = target;
        }
    }

    private HealingEngine(Builder b) {
        this.gate = b.gate;
        this.clock = b.clock;
        this.log = b.log;
        this.checkpoints = b.checkpoints;
        this.degradation = b.degradation;
        this.quarantine = b.quarantine;
        this.policy = b.policy;
        this.chain = List.copyOf(b.chain);
    }

    /** Defaults: the full chain, restart policy 3 attempts per 10 min with backoff 5 s doubling to 2 min, no
     * checkpoint store, degradation manager or quarantine manager (their strategies are SKIPPED). */
    public static Builder builder(SafetyGate gate, EngineClock clock, EventLog log) {
        return new Builder(gate, clock, log);
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private final SafetyGate gate;
        private final EngineClock clock;
        private final EventLog log;
        private CheckpointStore checkpoints;
        private DegradationManager degradation;
        private QuarantineManager quarantine;
        private RestartPolicy policy = new RestartPolicy(3, Duration.ofMinutes(10), Duration.ofSeconds(5),
                Duration.ofMinutes(2));
        private List<HealingStrategy> chain = HealingStrategy.DEFAULT_CHAIN;

        private Builder(SafetyGate gate, EngineClock clock, EventLog log) {
            this.gate = Objects.requireNonNull(gate, "gate");
            this.clock = Objects.requireNonNull(clock, "clock");
            this.log = Objects.requireNonNull(log, "log");
        }

        public Builder checkpoints(CheckpointStore store) {
            this.checkpoints = store;
            return this;
        }

        public Builder degradation(DegradationManager manager) {
            this.degradation = manager;
            return this;
        }

        public Builder quarantine(QuarantineManager manager) {
            this.quarantine = manager;
            return this;
        }

        /** Attempts per period and the backoff between attempts. */
        public Builder policy(RestartPolicy p) {
            this.policy = Objects.requireNonNull(p);
            return this;
        }

        /** The strategies to try, in order (no duplicates). */
        public Builder chain(List<HealingStrategy> strategies) {
            if (strategies.isEmpty() || strategies.stream().distinct().count() != strategies.size()) {
                throw new IllegalArgumentException("chain must be non-empty without duplicates: " + strategies);
            }
            this.chain = List.copyOf(strategies);
            return this;
        }

        public HealingEngine build() {
            return new HealingEngine(this);
        }
    }

    public void onEvent(Consumer<HealingEvent> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public List<HealingStrategy> chain() {
        return chain;
    }

    /** Registers a component to heal; names are unique. */
    public synchronized <T> HealingTarget<T> register(HealingTarget<T> target) {
        if (targets.putIfAbsent(target.name(), new Registered(target)) != null) {
            throw new IllegalArgumentException("'" + target.name() + "' is already registered for healing");
        }
        return target;
    }

    /** Shorthand for {@code register(HealingTarget.of(component))}. */
    public <T> HealingTarget<T> register(ManagedComponent<T> component) {
        return register(HealingTarget.of(component));
    }

    /** Registered names, in registration order. */
    public synchronized List<String> components() {
        return new ArrayList<>(targets.keySet());
    }

    /** Attempts counted within the policy period now. */
    public synchronized int attempts(String name) {
        Registered r = registered(name);
        prune(r, clock.monotonicNanos());
        return r.attempts.size();
    }

    /** Heals every registered component (see {@link #heal}); name → outcome. */
    public synchronized Map<String, HealingOutcome> healAll() {
        Map<String, HealingOutcome> out = new LinkedHashMap<>();
        for (String n : new ArrayList<>(targets.keySet())) {
            out.put(n, heal(n));
        }
        return out;
    }

    /** Checks health and, if it fails, runs one attempt along the chain; see the class comment. */
    public synchronized HealingOutcome heal(String name) {
        Registered r = registered(name);
        HealingTarget<?> t = r.target;
        if (t.primaryHealthy()) {
            return new HealingOutcome(name, Status.ALREADY_HEALTHY, null, 0, List.of(), Duration.ZERO);
        }
        long now = clock.monotonicNanos();
        prune(r, now);
        int n = r.attempts.size() + 1;
        if (r.attempts.size() >= policy.intensity()) {
            List<Step> steps = new ArrayList<>();
            if (quarantine != null && !quarantine.isQuarantined(t.component().id())) {
                steps.add(quarantineStep(t, "gave up healing after " + r.attempts.size() + " attempts within "
                        + policy.period()));
            }
            fire(new HealingEvent.GaveUp(name, clock.wallMillis(), r.attempts.size(), policy.period()));
            return new HealingOutcome(name, Status.GAVE_UP, null, 0, steps, Duration.ZERO);
        }
        if (!r.attempts.isEmpty()) {
            long wait = policy.backoff(n - 1).toNanos();
            long elapsed = now - r.attempts.peekLast();
            if (elapsed < wait) {
                Duration left = Duration.ofNanos(wait - elapsed);
                fire(new HealingEvent.AttemptDeferred(name, clock.wallMillis(), n, left));
                return new HealingOutcome(name, Status.DEFERRED, null, 0, List.of(), left);
            }
        }
        r.attempts.addLast(now);
        fire(new HealingEvent.AttemptStarted(name, clock.wallMillis(), n));
        List<Step> steps = new ArrayList<>();
        HealingStrategy healedBy = null;
        for (HealingStrategy s : chain) {
            Step step = run(s, t);
            steps.add(step);
            fire(new HealingEvent.StrategyFinished(name, clock.wallMillis(), n, step));
            if (step.status() == StepStatus.HEALED) {
                healedBy = s;
                break;
            }
        }
        Status status;
        if (healedBy != null) {
            status = Status.HEALED;
            if (healedBy != HealingStrategy.SUBSTITUTE) {
                closeBreakerIfOpen(t);
            }
        } else {
            boolean quarantined = quarantine != null && quarantine.isQuarantined(t.component().id());
            if (quarantine != null && !quarantined) {
                Step q = quarantineStep(t, "healing chain exhausted");
                steps.add(q);
                fire(new HealingEvent.StrategyFinished(name, clock.wallMillis(), n, q));
                quarantined = q.status() == StepStatus.CONTAINED;
            }
            boolean contained = quarantined || steps.stream().anyMatch(x -> x.status() == StepStatus.CONTAINED);
            status = contained ? Status.CONTAINED : Status.UNHEALED;
        }
        HealingOutcome out = new HealingOutcome(name, status, healedBy, n, steps, Duration.ZERO);
        fire(new HealingEvent.AttemptFinished(name, clock.wallMillis(), out));
        return out;
    }

    private Registered registered(String name) {
        Registered r = targets.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no component '" + name + "' registered for healing");
        }
        return r;
    }

    private void prune(Registered r, long now) {
        while (!r.attempts.isEmpty() && now - r.attempts.peekFirst() >= policy.period().toNanos()) {
            r.attempts.removeFirst();
        }
    }

    private void closeBreakerIfOpen(HealingTarget<?> t) {
        CircuitBreaker cb = t.component().circuitBreaker();
        if (cb.getState() != CircuitBreaker.State.CLOSED
                && (quarantine == null || !quarantine.isQuarantined(t.component().id()))) {
            cb.transitionToClosedState();
        }
    }

    private Step run(HealingStrategy s, HealingTarget<?> t) {
        try {
            return switch (s) {
                case SOFT_RESET -> repair(s, t, softReset(t));
                case HARD_RESTART -> repair(s, t, hardRestart(t));
                case MICRO_ROLLBACK -> repair(s, t, rollback(t, CheckpointStore.Target.LATEST));
                case FULL_ROLLBACK -> repair(s, t, rollback(t, CheckpointStore.Target.LAST_KNOWN_SAFE));
                case RECONSTRUCT -> repair(s, t, reconstruct(t));
                case SUBSTITUTE -> substitute(t);
                case QUARANTINE -> quarantineStep(t, "healing strategies before quarantine did not restore health");
                case SURVIVAL_MODE -> survival(t);
            };
        } catch (RuntimeException e) {
            return new Step(s, StepStatus.FAILED, "strategy threw " + e, Map.of());
        }
    }

    /** Either an action to run or why the strategy does not apply. */
    private record Plan(Action action, String notApplicable) {
        static Plan skip(String why) {
            return new Plan(null, why);
        }
    }

    private Step repair(HealingStrategy s, HealingTarget<?> t, Plan p) {
        if (p.action() == null) {
            return new Step(s, StepStatus.SKIPPED, p.notApplicable(), Map.of());
        }
        ActionResult r = gate.execute(p.action());
        Map<String, Object> ev = new LinkedHashMap<>(r.evidence());
        ev.put("action", p.action().name());
        ev.put("actionOutcome", r.outcome().name());
        if (r.outcome() == ActionResult.Outcome.SKIPPED) {
            return new Step(s, StepStatus.SKIPPED, r.detail(), ev);
        }
        if (r.outcome() == ActionResult.Outcome.FAILED) {
            return new Step(s, StepStatus.FAILED, r.detail(), ev);
        }
        boolean healthy = t.primaryHealthy();
        ev.put("healthy", healthy);
        return healthy ? new Step(s, StepStatus.HEALED, r.detail() + "; health check passes", ev)
                : new Step(s, StepStatus.FAILED, r.detail() + "; but the health check still fails", ev);
    }

    private abstract static class HealAction implements Action {
        private final String name;
        private final ComponentId target;

        HealAction(String name, ComponentId target) {
            this.name = name;
            this.target = target;
        }

        @Override public String name() { return name; }
        @Override public ComponentId target() { return target; }
        @Override public NexusLevel requiredLevel() { return NexusLevel.HEALING; }

        /** Repairs (soft reset, hard restart) are kept when NEXUS stops; containment overrides this. */
        @Override public boolean revertOnStop() { return false; }
    }

    private <T> Plan softReset(HealingTarget<T> t) {
        Consumer<? super T> hook = t.resetHook();
        if (hook == null) {
            return Plan.skip("no reset hook registered for " + t.name());
        }
        ManagedComponent<T> c = t.component();
        return new Plan(new HealAction("heal.soft_reset", c.id()) {
            @Override
            public String describe() {
                return "run the reset hook of " + c.name();
            }

            @Override
            public ActionResult execute() {
                hook.accept(c.primary());
                return ActionResult.succeeded("reset hook of " + c.name() + " ran", Map.of());
            }

            @Override
            public ActionResult revert() {
                return ActionResult.skipped("a soft reset cannot be undone");
            }
        }, null);
    }

    private <T> Plan hardRestart(HealingTarget<T> t) {
        if (t.factory() == null) {
            return Plan.skip("no factory registered for " + t.name());
        }
        ManagedComponent<T> c = t.component();
        return new Plan(new HealAction("heal.hard_restart", c.id()) {
            private T old;
            private T fresh;

            @Override
            public String describe() {
                return "recreate " + c.name() + " from its factory and swap the new instance in";
            }

            @Override
            public synchronized ActionResult execute() {
                T made = t.factory().get();
                if (made == null) {
                    return ActionResult.failed("the factory of " + c.name() + " returned null");
                }
                if (made == c.primary()) {
                    return ActionResult.failed("the factory of " + c.name() + " returned the running instance");
                }
                old = c.replacePrimary(made);
                fresh = made;
                if (c.primary() != made) {
                    return ActionResult.failed("the new instance of " + c.name() + " is not in place");
                }
                return ActionResult.succeeded("new instance of " + c.name() + " swapped in",
                        Map.of("old", identity(old), "new", identity(made)));
            }

            @Override
            public synchronized ActionResult revert() {
                if (fresh == null) {
                    return ActionResult.succeeded("nothing was restarted", Map.of());
                }
                if (c.primary() != fresh) {
                    return ActionResult.skipped("another instance has replaced the restarted one since");
                }
                c.replacePrimary(old);
                fresh = null;
                return ActionResult.succeeded("previous instance of " + c.name() + " swapped back", Map.of());
            }
        }, null);
    }

    private static String identity(Object o) {
        return o.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(o));
    }

    private Optional<String> noCheckpointSlot(HealingTarget<?> t) {
        if (checkpoints == null) {
            return Optional.of("no checkpoint store configured");
        }
        if (!checkpoints.components().contains(t.checkpointName())) {
            return Optional.of("'" + t.checkpointName() + "' is not registered in the checkpoint store");
        }
        return Optional.empty();
    }

    private Plan rollback(HealingTarget<?> t, CheckpointStore.Target target) {
        Optional<String> no = noCheckpointSlot(t);
        if (no.isPresent()) {
            return Plan.skip(no.get());
        }
        if (checkpoints.find(t.checkpointName(), target).isEmpty()) {
            return Plan.skip("no " + target.name().toLowerCase(Locale.ROOT).replace('_', '-') + " checkpoint of "
                    + t.checkpointName());
        }
        return new Plan(checkpoints.rollbackAction(t.checkpointName(), target), null);
    }

    private Plan reconstruct(HealingTarget<?> t) {
        Optional<String> no = noCheckpointSlot(t);
        if (no.isPresent()) {
            return Plan.skip(no.get());
        }
        if (checkpoints.directory().isEmpty()) {
            return Plan.skip("the checkpoint store keeps no journal to reconstruct " + t.checkpointName() + " from");
        }
        return new Plan(checkpoints.reconstructAction(t.checkpointName()), null);
    }

    private <T> Step substitute(HealingTarget<T> t) {
        ManagedComponent<T> c = t.component();
        if (c.spec().fallback() == null) {
            return new Step(HealingStrategy.SUBSTITUTE, StepStatus.SKIPPED, "no fallback registered for " + c.name(),
                    Map.of());
        }
        Action isolate = c.isolateAction("healing: substitute the fallback");
        Action a = new HealAction("heal.substitute", c.id()) {
            @Override
            public String describe() {
                return "swap " + c.name() + " to its registered fallback (breaker forced open)";
            }

            /**
             * Substitution is containment, not a repair: the primary is still broken and the breaker is forced open
             * to route around it. Like quarantines and survival mode, it is undone when NEXUS stops, so that nothing
             * stays pinned to the fallback without NEXUS there to watch and release it.
             */
            @Override
            public boolean revertOnStop() {
                return true;
            }

            @Override
            public ActionResult execute() throws Exception {
                return isolate.execute();
            }

            @Override
            public ActionResult revert() throws Exception {
                return isolate.revert();
            }
        };
        ActionResult r = gate.execute(a);
        Map<String, Object> ev = new LinkedHashMap<>(r.evidence());
        ev.put("action", a.name());
        ev.put("actionOutcome", r.outcome().name());
        if (r.outcome() != ActionResult.Outcome.SUCCEEDED) {
            return new Step(HealingStrategy.SUBSTITUTE, r.outcome() == ActionResult.Outcome.SKIPPED
                    ? StepStatus.SKIPPED : StepStatus.FAILED, r.detail(), ev);
        }
        boolean serving = c.serving() == ManagedComponent.Serving.FALLBACK;
        boolean healthy = t.fallbackHealthy();
        ev.put("fallbackHealthy", healthy);
        if (serving && healthy) {
            return new Step(HealingStrategy.SUBSTITUTE, StepStatus.HEALED, "fallback of " + c.name()
                    + " serves and its health check passes (primary still broken)", ev);
        }
        return new Step(HealingStrategy.SUBSTITUTE, StepStatus.FAILED, serving
                ? "fallback of " + c.name() + " serves but its health check fails"
                : "fallback of " + c.name() + " does not serve: " + c.serving(), ev);
    }

    private Step quarantineStep(HealingTarget<?> t, String reason) {
        if (quarantine == null) {
            return new Step(HealingStrategy.QUARANTINE, StepStatus.SKIPPED, "no quarantine manager configured",
                    Map.of());
        }
        ComponentId id = t.component().id();
        Optional<QuarantineRecord> existing = quarantine.get(id);
        if (existing.isPresent()) {
            return new Step(HealingStrategy.QUARANTINE, StepStatus.SKIPPED, t.name() + " is already quarantined ("
                    + existing.get().state() + ")", Map.of("state", existing.get().state().name()));
        }
        QuarantinePlan plan = t.quarantinePlan() != null ? t.quarantinePlan()
                : new JvmQuarantinePlan(t.component(), 1, 10, checkpoints != null
                && checkpoints.components().contains(t.checkpointName()) && t.checkpointName().equals(t.name())
                ? checkpoints : null, t::primaryHealthy);
        QuarantineRecord rec = quarantine.quarantine(id, reason, plan);
        if (rec.state() == QuarantineState.RELEASED) {
            return new Step(HealingStrategy.QUARANTINE, StepStatus.FAILED, "could not quarantine " + t.name()
                    + " (see quarantine.stepfailed in the event log)", Map.of("state", rec.state().name()));
        }
        return new Step(HealingStrategy.QUARANTINE, StepStatus.CONTAINED, t.name() + " quarantined ("
                + rec.state() + "): " + reason, Map.of("state", rec.state().name()));
    }

    private Step survival(HealingTarget<?> t) {
        if (degradation == null) {
            return new Step(HealingStrategy.SURVIVAL_MODE, StepStatus.SKIPPED, "no degradation manager configured",
                    Map.of());
        }
        Action a = degradation.shedAllAction(t.name(), t.name() + " could not be healed");
        ActionResult r = gate.execute(a);
        StepStatus st = switch (r.outcome()) {
            case SUCCEEDED -> StepStatus.CONTAINED;
            case FAILED -> StepStatus.FAILED;
            case SKIPPED -> StepStatus.SKIPPED;
        };
        return new Step(HealingStrategy.SURVIVAL_MODE, st, r.detail(), r.evidence());
    }

    private void fire(HealingEvent ev) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("event", ev.getClass().getSimpleName());
        String text = ev.toString();
        if (ev instanceof HealingEvent.StrategyFinished f) {
            evidence.put("strategy", f.step().strategy().name());
            evidence.put("status", f.step().status().name());
            evidence.put("attempt", f.attempt());
            text = f.step().strategy() + " " + f.step().status() + ": " + f.step().detail();
        } else if (ev instanceof HealingEvent.AttemptFinished f) {
            evidence.put("status", f.outcome().status().name());
            if (f.outcome().healedBy() != null) {
                evidence.put("healedBy", f.outcome().healedBy().name());
            }
            text = "attempt " + f.outcome().attempt() + " " + f.outcome().status();
        }
        log.append(new NexusEvent(ev.timestampMillis(), EventCategory.DECISION,
                "healing." + ev.getClass().getSimpleName().toLowerCase(Locale.ROOT),
                ComponentId.jvm(ev.component()).toString(), text, evidence));
        for (Consumer<HealingEvent> l : listeners) {
            try {
                l.accept(ev);
            } catch (RuntimeException ex) {
                // a listener must not break healing
            }
        }
    }
}
