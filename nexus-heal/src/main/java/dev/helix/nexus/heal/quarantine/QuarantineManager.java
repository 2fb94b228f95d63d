package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.SafetyGate;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Quarantines components and escalates while they keep misbehaving: RESTRICT → LIMIT → MONITOR → ISOLATE → REPLACE
 * (see {@link QuarantineState}). Every step runs its {@link QuarantinePlan} actions through the {@link SafetyGate}; the
 * state only advances when every action reports {@code SUCCEEDED} (each action verifies its effect). A failed step is
 * rolled back and retried on a later tick.
 *
 * <p>Drive it with {@link #tick()} (e.g. once per engine tick). On each tick, per quarantine: at {@code maxDuration}
 * it is released; when the plan reports healthy for {@code releaseAfterHealthy} it is released; while unhealthy and
 * {@code escalateAfter} has passed in the current state, it escalates. REPLACE obeys the {@link RestartPolicy}:
 * exponential backoff between restarts, and more than {@code intensity} restarts within {@code period} → GAVE_UP.
 * Release reverts the quarantine's actions in reverse order.
 *
 * <p>Cascade: a component may declare the components that depend on it ({@link #declareDependents},
 * {@link #dependsOn}). Quarantining it with a cascade ({@link #quarantine(ComponentId, String, QuarantinePlan,
 * Function)}) also quarantines its declared direct dependents, and only those (not their own dependents, not anything
 * undeclared). A cascaded dependent is held: while its cause is quarantined it neither escalates nor is released for
 * being healthy (its trouble comes from the cause); {@code maxDuration}, {@link #release} and {@link #escalateNow} still
 * apply to it. When the cause is released (by hand, by health, by {@code maxDuration}, or on shutdown) its cascaded
 * dependents still quarantined are released with it. A dependent that was already quarantined on its own is left
 * alone by the cascade: not taken over and not released with the cause.
 *
 * <p>Time comes from the injected {@link EngineClock}. Thread-safe: all public methods are synchronized; listeners
 * are called on the calling thread while the lock is held and must not call back into the manager.
 */
public final class QuarantineManager {

    private final SafetyGate gate;
    private final EngineClock clock;
    private final EventLog log;
    private final Duration maxDuration;
    private final Duration escalateAfter;
    private final Duration releaseAfterHealthy;
    private final RestartPolicy restartPolicy;
    private final Map<ComponentId, Entry> active = new LinkedHashMap<>();
    private final Map<ComponentId, Set<ComponentId>> dependents = new LinkedHashMap<>();
    private final List<Consumer<QuarantineEvent>> listeners = new CopyOnWriteArrayList<>();

    private final class Entry {
        final ComponentId component;
        final String reason;
        final QuarantinePlan plan;
        /** The component whose cascade quarantined this one, or null when quarantined directly. */
        final ComponentId cause;
        /** Dependents this quarantine cascaded to (quarantined by the cascade, not before). */
        final List<ComponentId> cascaded = new ArrayList<>();
        final long startedNanos;
        final long startedWall;
        final List<Action> applied = new ArrayList<>();
        final Deque<Long> restartTimes = new ArrayDeque<>();
        QuarantineState state;
        long stateSinceNanos;
        long stateSinceWall;
        long healthySinceNanos = -1;
        long lastRestartNanos = -1;
        int restarts;
        int deferredFor = -1;

        Entry(ComponentId component, String reason, QuarantinePlan plan, ComponentId cause) {
            this.component = component;
            this.reason = reason;
            this.plan = plan;
            this.cause = cause;
            this.startedNanos = clock.monotonicNanos();
            this.startedWall = clock.wallMillis();
        }

        QuarantineRecord snapshot() {
            return new QuarantineRecord(component, reason, state, startedWall, stateSinceWall, restarts, applied.size());
        }
    }

    /**
     * @param maxDuration          a quarantine is released at the latest after this long
     * @param escalateAfter        minimum time in a state before escalating while still unhealthy
     * @param releaseAfterHealthy  continuous health needed for release
     */
    public QuarantineManager(SafetyGate gate, EngineClock clock, EventLog log, Duration maxDuration,
                             Duration escalateAfter, Duration releaseAfterHealthy, RestartPolicy restartPolicy) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.maxDuration = Objects.requireNonNull(maxDuration, "maxDuration");
        this.escalateAfter = Objects.requireNonNull(escalateAfter, "escalateAfter");
        this.releaseAfterHealthy = Objects.requireNonNull(releaseAfterHealthy, "releaseAfterHealthy");
        this.restartPolicy = Objects.requireNonNull(restartPolicy, "restartPolicy");
    }

    /** Adds a listener for typed quarantine events. */
    public void onEvent(Consumer<QuarantineEvent> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /**
     * Quarantines {@code component}: applies the RESTRICT step. Returns the record; when RESTRICT could not be applied
     * (refused, dry-run, failed verification) its actions are reverted and the returned record is RELEASED with the
     * reason in the event log. Quarantining an already quarantined component returns its current record.
     */
    public synchronized QuarantineRecord quarantine(ComponentId component, String reason, QuarantinePlan plan) {
        return start(component, reason, plan, null);
    }

    /**
     * Quarantines {@code component} as {@link #quarantine(ComponentId, String, QuarantinePlan)} does and, when that
     * succeeds (RESTRICT applied, not already quarantined) and {@code cascade} is not null, also quarantines each of its
     * declared dependents (see the class comment) with the plan {@code cascade} gives for it. A dependent already
     * quarantined, or whose plan is null or cannot be restricted, is skipped (a failed restriction is logged as usual);
     * the others are released with {@code component}. Returns the record of {@code component}.
     */
    public synchronized QuarantineRecord quarantine(ComponentId component, String reason, QuarantinePlan plan,
                                                    Function<? super ComponentId, ? extends QuarantinePlan> cascade) {
        boolean fresh = !active.containsKey(component);
        QuarantineRecord rec = start(component, reason, plan, null);
        Entry e = active.get(component);
        if (!fresh || cascade == null || e == null) {
            return rec;
        }
        for (ComponentId d : dependents.getOrDefault(component, Set.of())) {
            if (d.equals(component) || active.containsKey(d)) {
                continue;
            }
            QuarantinePlan dp;
            try {
                dp = cascade.apply(d);
            } catch (RuntimeException ex) {
                fire(new QuarantineEvent.StepFailed(d, clock.wallMillis(), QuarantineState.RESTRICT,
                        "no cascade plan: " + ex));
                continue;
            }
            if (dp == null) {
                continue;
            }
            start(d, "cascaded from " + component + ": " + reason, dp, component);
            if (active.containsKey(d)) {
                e.cascaded.add(d);
            }
        }
        return rec;
    }

    /**
     * Declares the components that depend on {@code component} (replacing any earlier declaration; an empty set
     * removes it). Only a later cascading quarantine of {@code component} uses it.
     */
    public synchronized void declareDependents(ComponentId component, Set<ComponentId> dependentsOf) {
        Objects.requireNonNull(component, "component");
        Set<ComponentId> copy = new LinkedHashSet<>(dependentsOf);
        copy.remove(component);
        if (copy.isEmpty()) {
            dependents.remove(component);
        } else {
            dependents.put(component, copy);
        }
    }

    /** Declares that {@code dependent} depends on {@code dependency} (adds to {@link #dependents(ComponentId)}). */
    public synchronized void dependsOn(ComponentId dependent, ComponentId dependency) {
        Objects.requireNonNull(dependent, "dependent");
        if (!dependent.equals(Objects.requireNonNull(dependency, "dependency"))) {
            dependents.computeIfAbsent(dependency, k -> new LinkedHashSet<>()).add(dependent);
        }
    }

    /** The declared dependents of {@code component}, in declaration order. */
    public synchronized Set<ComponentId> dependents(ComponentId component) {
        return Set.copyOf(dependents.getOrDefault(component, Set.of()));
    }

    /** The component whose cascade quarantined {@code component}, when it is quarantined through a cascade. */
    public synchronized Optional<ComponentId> cascadedFrom(ComponentId component) {
        return Optional.ofNullable(active.get(component)).map(e -> e.cause);
    }

    private QuarantineRecord start(ComponentId component, String reason, QuarantinePlan plan, ComponentId cause) {
        Entry existing = active.get(component);
        if (existing != null) {
            return existing.snapshot();
        }
        Entry e = new Entry(component, reason, plan, cause);
        Optional<String> failure = applyStep(e, QuarantineState.RESTRICT);
        long nowWall = clock.wallMillis();
        if (failure.isPresent()) {
            e.state = QuarantineState.RELEASED;
            e.stateSinceWall = nowWall;
            fire(new QuarantineEvent.StepFailed(component, nowWall, QuarantineState.RESTRICT, failure.get()));
            fire(new QuarantineEvent.Ended(component, nowWall, QuarantineState.RELEASED,
                    "could not restrict: " + failure.get(), 0));
            return e.snapshot();
        }
        e.state = QuarantineState.RESTRICT;
        e.stateSinceNanos = clock.monotonicNanos();
        e.stateSinceWall = nowWall;
        active.put(component, e);
        fire(new QuarantineEvent.Transitioned(component, nowWall, null, QuarantineState.RESTRICT, reason));
        return e.snapshot();
    }

    /** True while {@code component} is quarantined (any state but RELEASED). */
    public synchronized boolean isQuarantined(ComponentId component) {
        return active.containsKey(component);
    }

    /** The current record of a quarantined component. */
    public synchronized Optional<QuarantineRecord> get(ComponentId component) {
        return Optional.ofNullable(active.get(component)).map(Entry::snapshot);
    }

    /** All current quarantines, in the order they began. */
    public synchronized List<QuarantineRecord> list() {
        return active.values().stream().map(Entry::snapshot).toList();
    }

    /** Releases by hand: reverts the quarantine's actions newest first. Returns false if it was not quarantined. */
    public synchronized boolean release(ComponentId component) {
        Entry e = active.get(component);
        if (e == null) {
            return false;
        }
        end(e, "released by request");
        return true;
    }

    /** Releases every quarantine (engine stop). */
    public synchronized void releaseAll() {
        for (Entry e : new ArrayList<>(active.values())) {
            if (active.get(e.component) == e) { // not already released with its cause
                end(e, "released on shutdown");
            }
        }
    }

    /**
     * Escalates one rung now, without waiting for {@code escalateAfter} (a decision policy saw the component keep
     * misbehaving). REPLACE still obeys the {@link RestartPolicy} (backoff, intensity → GAVE_UP); a failed step is
     * rolled back as in {@link #tick()}. Returns the record after the attempt, or empty when not quarantined.
     */
    public synchronized Optional<QuarantineRecord> escalateNow(ComponentId component, String reason) {
        Entry e = active.get(component);
        if (e == null) {
            return Optional.empty();
        }
        if (e.state != QuarantineState.GAVE_UP) {
            e.healthySinceNanos = -1;
            escalate(e, clock.monotonicNanos());
        }
        return Optional.of(e.snapshot());
    }

    /** One evaluation round; see the class comment. */
    public synchronized void tick() {
        for (Entry e : new ArrayList<>(active.values())) {
            if (active.get(e.component) != e) {
                continue; // released earlier in this round, with its cause
            }
            long now = clock.monotonicNanos();
            if (now - e.startedNanos >= maxDuration.toNanos()) {
                end(e, "max duration " + maxDuration + " reached");
                continue;
            }
            if (e.cause != null && active.containsKey(e.cause)) {
                continue; // held while its cause is quarantined
            }
            boolean healthy;
            try {
                healthy = e.plan.healthy();
            } catch (RuntimeException ex) {
                healthy = false;
            }
            if (healthy) {
                if (e.healthySinceNanos < 0) {
                    e.healthySinceNanos = now;
                }
                if (now - e.healthySinceNanos >= releaseAfterHealthy.toNanos()) {
                    end(e, "healthy for " + releaseAfterHealthy);
                }
                continue;
            }
            e.healthySinceNanos = -1;
            if (e.state == QuarantineState.GAVE_UP || now - e.stateSinceNanos < escalateAfter.toNanos()) {
                continue;
            }
            escalate(e, now);
        }
    }

    private void escalate(Entry e, long now) {
        QuarantineState target = e.state.escalation();
        if (target == QuarantineState.REPLACE) {
            while (!e.restartTimes.isEmpty() && now - e.restartTimes.peekFirst() >= restartPolicy.period().toNanos()) {
                e.restartTimes.removeFirst();
            }
            if (e.restartTimes.size() >= restartPolicy.intensity()) {
                transition(e, QuarantineState.GAVE_UP, "restart intensity exceeded: " + e.restartTimes.size()
                        + " restarts within " + restartPolicy.period());
                fire(new QuarantineEvent.Ended(e.component, clock.wallMillis(), QuarantineState.GAVE_UP,
                        "gave up restarting; restrictions stay in effect", 0));
                return;
            }
            int n = e.restartTimes.size() + 1;
            Duration wait = restartPolicy.backoff(n);
            long from = e.lastRestartNanos >= 0 && !e.restartTimes.isEmpty() ? e.lastRestartNanos : e.stateSinceNanos;
            if (now - from < wait.toNanos()) {
                if (e.deferredFor != n) {
                    e.deferredFor = n;
                    fire(new QuarantineEvent.RestartDeferred(e.component, clock.wallMillis(), n, wait));
                }
                return;
            }
        }
        Optional<String> failure = applyStep(e, target);
        if (failure.isPresent()) {
            fire(new QuarantineEvent.StepFailed(e.component, clock.wallMillis(), target, failure.get()));
            return;
        }
        if (target == QuarantineState.REPLACE) {
            long t = clock.monotonicNanos();
            e.restartTimes.addLast(t);
            e.lastRestartNanos = t;
            e.restarts++;
            e.deferredFor = -1;
        }
        transition(e, target, "still unhealthy after " + escalateAfter + " in " + e.state);
    }

    /** Applies the step's actions through the gate; on any non-success reverts this step's actions. */
    private Optional<String> applyStep(Entry e, QuarantineState step) {
        List<Action> actions;
        try {
            actions = List.copyOf(e.plan.actionsFor(step));
        } catch (RuntimeException ex) {
            return Optional.of("plan failed for " + step + ": " + ex);
        }
        List<Action> done = new ArrayList<>();
        for (Action a : actions) {
            ActionResult r = gate.execute(a);
            done.add(a);
            if (!r.succeeded()) {
                for (int i = done.size() - 1; i >= 0; i--) {
                    gate.revert(done.get(i));
                }
                return Optional.of(a.name() + " " + r.outcome() + ": " + r.detail());
            }
        }
        e.applied.addAll(done);
        return Optional.empty();
    }

    private void transition(Entry e, QuarantineState to, String reason) {
        if (!e.state.legalNext().contains(to)) {
            throw new IllegalQuarantineTransitionException(e.state, to);
        }
        QuarantineState from = e.state;
        e.state = to;
        e.stateSinceNanos = clock.monotonicNanos();
        e.stateSinceWall = clock.wallMillis();
        fire(new QuarantineEvent.Transitioned(e.component, e.stateSinceWall, from, to, reason));
    }

    private void end(Entry e, String reason) {
        int failures = 0;
        for (int i = e.applied.size() - 1; i >= 0; i--) {
            ActionResult r = gate.revert(e.applied.get(i));
            if (r.outcome() == ActionResult.Outcome.FAILED) {
                failures++;
            }
        }
        e.applied.clear();
        transition(e, QuarantineState.RELEASED, reason);
        active.remove(e.component);
        fire(new QuarantineEvent.Ended(e.component, clock.wallMillis(), QuarantineState.RELEASED, reason, failures));
        for (ComponentId d : e.cascaded) {
            Entry de = active.get(d);
            if (de != null && e.component.equals(de.cause)) {
                end(de, "released with " + e.component + " (" + reason + ")");
            }
        }
        e.cascaded.clear();
    }

    private void fire(QuarantineEvent ev) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("event", ev.getClass().getSimpleName());
        String text = ev.toString();
        if (ev instanceof QuarantineEvent.Transitioned t) {
            evidence.put("from", String.valueOf(t.from()));
            evidence.put("to", t.to().name());
            text = t.reason();
        }
        log.append(new NexusEvent(ev.timestampMillis(), EventCategory.DECISION,
                "quarantine." + ev.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT),
                ev.component().toString(), text, evidence));
        for (Consumer<QuarantineEvent> l : listeners) {
            try {
                l.accept(ev);
            } catch (RuntimeException ex) {
                // a listener must not break the state machine
            }
        }
    }
}
