package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.NexusState;
import dev.helix.nexus.core.NexusStateMachine;
import dev.helix.nexus.core.StateTransition;
import dev.helix.nexus.core.bus.Message;
import dev.helix.nexus.core.bus.MessageBus;
import dev.helix.nexus.core.bus.Priority;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.CompositeEventLog;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Predictor;
import dev.helix.nexus.core.spi.Sensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The NEXUS engine: a tick loop that runs the enabled domains Sense → Understand → Reason → Decide → Act, then Memory
 * and Reflect, passing messages on a bounded {@link MessageBus}, gated by the {@link NexusLevel}, with its lifecycle in
 * a {@link NexusStateMachine}.
 *
 * <p><b>Ticks.</b> {@link #tick()} runs one tick and can be called by hand (tests step it with a
 * {@link dev.helix.nexus.core.clock.ManualClock}); {@link #runLoop} calls it at a fixed rate on the injected clock,
 * skipping (and counting) ticks it fell too far behind on. Each tick's duration is recorded in an HdrHistogram; one
 * longer than {@code tickDuration} is an overrun.
 *
 * <p><b>Levels.</b> Disabled runs only Reflect; Monitoring adds Sense and Memory; Detection adds Understand and Reason
 * (without predictors) and Decide; Prediction runs predictors; Act always runs but its {@link ActionGate} changes
 * nothing below Correction.
 *
 * <p><b>Reflect.</b> After every tick the engine judges itself: a domain or sensor failure, or
 * {@value #OVERRUNS_TO_DEGRADE} overruns in a row, moves RUNNING to DEGRADED; {@value #GOOD_TICKS_TO_RECOVER} good
 * ticks in a row move it back. Every change is an event.
 *
 * <p><b>Problems.</b> A component (sensor, domain, predictor) that reports a problem ({@link TickContext#reportProblem})
 * counts against health in every tick it does, but the event log is not written every tick: a
 * {@code component.problem} event is appended when a problem appears or its reason changes to a text not yet logged in
 * this episode (at most 16 texts per episode), then at most once per {@link Builder#problemReminder reminder interval}
 * (default {@link #DEFAULT_PROBLEM_REMINDER}, on the injected clock) while it persists, with evidence
 * {@code reminder=true}, when it began, how many ticks it lasted and how many reports were not logged since the last
 * event; a {@code component.recovered} event is appended in the first tick the component reports no problem. A sensor
 * failing at 1 Hz for a day thus writes at most 16 + 144 events, not 86 400.
 *
 * <p>Thread-safety: {@link #tick()} and {@link #runLoop} are for one thread; {@link #status()}, {@link #setLevel},
 * {@link #pause()}, {@link #resume()} and {@link #stop()} may be called from any thread.
 */
public final class NexusEngine implements AutoCloseable {

    /** Consecutive overruns that make the engine Degraded. */
    public static final int OVERRUNS_TO_DEGRADE = 3;
    /** Consecutive healthy ticks that end Degraded. */
    public static final int GOOD_TICKS_TO_RECOVER = 5;
    /** Most messages a domain takes from the bus per tick. */
    public static final int MAX_INBOX = 4096;
    /** How often a persisting problem is logged again unless the builder sets another interval. */
    public static final java.time.Duration DEFAULT_PROBLEM_REMINDER = java.time.Duration.ofMinutes(10);

    private static final Domain[] ORDER = {Domain.SENSE, Domain.UNDERSTAND, Domain.REASON, Domain.DECIDE, Domain.ACT,
        Domain.MEMORY, Domain.REFLECT};

    private final NexusConfig config;
    private final EngineClock clock;
    private final CompositeEventLog log = new CompositeEventLog();
    private final NexusStateMachine state;
    private final MessageBus bus;
    private final Map<Domain, List<DomainHandler>> handlers = new EnumMap<>(Domain.class);
    private final SenseDomain sense;
    private final UnderstandDomain understand;
    private final MemoryDomain memory;
    private final ActionGate gate;
    private final List<Consumer<NexusLevel>> levelListeners = new CopyOnWriteArrayList<>();
    private final Histogram tickNanos = new Histogram(3_600_000_000_000L, 2);
    private final List<Message> inbox = new ArrayList<>();
    private final Ctx ctx = new Ctx();

    private volatile NexusLevel level;
    private volatile boolean stopRequested;
    private long ticks;
    private long overruns;
    private long skipped;
    private long lastTickNanos;
    private int consecutiveOverruns;
    private int consecutiveGood;
    private long startedMillis;
    private final List<String> problemsThisTick = new ArrayList<>();
    private final ProblemLog problems;
    private NexusState stateBeforeHealing;

    private NexusEngine(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.level = config.level();
        this.problems = new ProblemLog(b.problemReminder.toMillis());
        this.state = new NexusStateMachine(clock);
        b.logs.forEach(log::add);
        this.bus = new MessageBus(config.maxBusQueue(), this::onDrop);
        this.sense = new SenseDomain(b.sensors, b.sampleSinks.isEmpty() ? b.downstream : b.fanOut());
        this.understand = new UnderstandDomain(b.detectors);
        this.memory = new MemoryDomain(1024);
        this.gate = new ActionGate(config, clock, log, this::healing);
        b.checks.forEach(gate::addCheck);
        register(sense);
        register(understand);
        register(new ReasonDomain(b.predictors, sense.latest()));
        register(new DecideDomain(b.policy));
        register(new ActDomain(gate));
        register(memory);
        b.extra.forEach(this::register);
        state.addListener(t -> log.append(new NexusEvent(t.timestampMillis(), EventCategory.ENGINE, "state.transition",
                "nexus", t.from() + " -> " + t.to() + (t.reason().isEmpty() ? "" : ": " + t.reason()),
                Map.of("from", t.from().name(), "to", t.to().name()))));
    }

    /** A builder for an engine with the given configuration on the given clock. */
    public static Builder builder(NexusConfig config, EngineClock clock) {
        return new Builder(config, clock);
    }

    private void register(DomainHandler h) {
        handlers.computeIfAbsent(h.domain(), d -> new CopyOnWriteArrayList<>()).add(h);
    }

    /** Initializes and enters RUNNING. */
    public synchronized void start() {
        state.transition(NexusState.INITIALIZING, "starting");
        startedMillis = clock.wallMillis();
        log.append(new NexusEvent(startedMillis, EventCategory.ENGINE, "engine.start", "nexus", "engine starting",
                Map.of("level", level.name().toLowerCase(), "tickMillis", config.tickDuration().toMillis(),
                        "sensors", sense.sensors().size(), "dryRun", config.dryRun())));
        state.transition(NexusState.RUNNING, "initialized");
    }

    /**
     * Runs one tick now. Does nothing unless the engine is RUNNING, DEGRADED or HEALING.
     *
     * @return true if the tick ran
     */
    public boolean tick() {
        if (!state.state().isActive()) {
            return false;
        }
        long t0 = clock.monotonicNanos();
        ticks++;
        problemsThisTick.clear();
        ctx.now = clock.wallMillis();
        for (Domain d : ORDER) {
            if (!config.isEnabled(d) || !levelRuns(d)) {
                continue;
            }
            inbox.clear();
            bus.drain(d, inbox, MAX_INBOX);
            ctx.domain = d;
            for (DomainHandler h : handlers.getOrDefault(d, List.of())) {
                try {
                    h.onTick(ctx);
                } catch (Exception | LinkageError e) {
                    ctx.reportProblem("domain:" + d.name().toLowerCase(), e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }
        problems.endTick(ticks, ctx.now);
        long dt = Math.max(0, clock.monotonicNanos() - t0);
        lastTickNanos = dt;
        tickNanos.recordValue(Math.min(dt, tickNanos.getHighestTrackableValue()));
        boolean overrun = dt > config.tickDuration().toNanos();
        if (overrun) {
            overruns++;
            consecutiveOverruns++;
            log.append(new NexusEvent(ctx.now, EventCategory.ENGINE, "tick.overrun", "nexus",
                    "tick took " + dt / 1_000_000 + " ms, budget " + config.tickDuration().toMillis() + " ms",
                    Map.of("tickNanos", dt, "tick", ticks)));
        } else {
            consecutiveOverruns = 0;
        }
        reflect(overrun);
        return true;
    }

    private boolean levelRuns(Domain d) {
        return switch (d) {
            case SENSE, MEMORY -> level.allows(NexusLevel.Capability.OBSERVE);
            case UNDERSTAND, REASON, DECIDE -> level.allows(NexusLevel.Capability.DETECT);
            case ACT -> level.allows(NexusLevel.Capability.OBSERVE);
            case REFLECT -> true;
        };
    }

    private void reflect(boolean overrun) {
        boolean bad = !problemsThisTick.isEmpty() || consecutiveOverruns >= OVERRUNS_TO_DEGRADE;
        NexusState s = state.state();
        if (bad) {
            consecutiveGood = 0;
            if (s == NexusState.RUNNING) {
                String why = problemsThisTick.isEmpty()
                        ? consecutiveOverruns + " ticks in a row overran their budget"
                        : String.join("; ", problemsThisTick);
                state.transitionIf(NexusState.RUNNING, NexusState.DEGRADED, why);
            }
        } else if (!overrun) {
            consecutiveGood++;
            if (s == NexusState.DEGRADED && consecutiveGood >= GOOD_TICKS_TO_RECOVER) {
                state.transitionIf(NexusState.DEGRADED, NexusState.RUNNING, consecutiveGood + " healthy ticks in a row");
            }
        } else {
            consecutiveGood = 0; // an overrun is not a healthy tick: the streak needed to recover starts again
        }
    }

    private void healing(boolean begin) {
        synchronized (state) {
            if (begin) {
                NexusState s = state.state();
                if (s == NexusState.RUNNING || s == NexusState.DEGRADED) {
                    stateBeforeHealing = s;
                    state.transition(NexusState.HEALING, "a healing action is running");
                }
            } else if (state.state() == NexusState.HEALING) {
                NexusState back = stateBeforeHealing == null ? NexusState.RUNNING : stateBeforeHealing;
                state.transition(back, "healing action finished");
            }
        }
    }

    private void onDrop(Message m) {
        // counted by the bus; also logged, except drops of drop notices which would feed themselves
        log.append(new NexusEvent(m.timestampMillis(), EventCategory.ENGINE, "bus.drop", "nexus",
                "bus full: dropped a " + m.priority() + " message " + m.source() + " -> " + m.target(),
                Map.of("payload", m.payload().getClass().getSimpleName())));
    }

    /**
     * Runs ticks at a fixed rate until {@link #stop()} or until {@code maxTicks} ticks ran (≤ 0: no limit).
     * Ticks that would start more than one period late are skipped and counted.
     */
    public void runLoop(long maxTicks) throws InterruptedException {
        long period = config.tickDuration().toNanos();
        long next = clock.monotonicNanos();
        long ran = 0;
        while (!stopRequested && (maxTicks <= 0 || ran < maxTicks)) {
            long now = clock.monotonicNanos();
            if (now - next > period) {
                long behind = (now - next) / period;
                skipped += behind;
                next += behind * period;
            }
            tick();
            ran++;
            next += period;
            long wait = next - clock.monotonicNanos();
            if (wait > 0 && !stopRequested) {
                clock.sleepNanos(wait);
            }
        }
    }

    /** Asks {@link #runLoop} to return after the current tick. */
    public void stop() {
        stopRequested = true;
    }

    /** RUNNING → PAUSED: ticks do nothing until {@link #resume()}. */
    public void pause() {
        state.transition(NexusState.PAUSED, "paused by operator");
    }

    /** PAUSED → RUNNING. */
    public void resume() {
        state.transition(NexusState.RUNNING, "resumed by operator");
    }

    /** Changes the level at run time; an event and the level listeners record it. */
    public void setLevel(NexusLevel l) {
        Objects.requireNonNull(l, "level");
        NexusLevel old = this.level;
        if (old == l) {
            return;
        }
        this.level = l;
        gate.level(l);
        log.append(new NexusEvent(clock.wallMillis(), EventCategory.ENGINE, "level.change", "nexus",
                "level " + old.name().toLowerCase() + " -> " + l.name().toLowerCase(),
                Map.of("from", old.number(), "to", l.number())));
        levelListeners.forEach(c -> c.accept(l));
    }

    /** The current level. */
    public NexusLevel level() {
        return level;
    }

    /** Registers a listener for level changes. */
    public void addLevelListener(Consumer<NexusLevel> l) {
        levelListeners.add(l);
    }

    /** Registers a listener for state transitions. */
    public void addStateListener(Consumer<StateTransition> l) {
        state.addListener(l);
    }

    /** The current state. */
    public NexusState state() {
        return state.state();
    }

    /** The bus. */
    public MessageBus bus() {
        return bus;
    }

    /** The action gate (for approving or vetoing pending actions). */
    public ActionGate gate() {
        return gate;
    }

    /** The Sense domain (latest values, sensor health). */
    public SenseDomain sense() {
        return sense;
    }

    /** Short-term memory. */
    public MemoryDomain memory() {
        return memory;
    }

    /** The event log the engine writes to. */
    public EventLog events() {
        return log;
    }

    /** Tick timing. */
    public synchronized TickStats tickStats() {
        return new TickStats(ticks, overruns, skipped, lastTickNanos, tickNanos.getValueAtPercentile(50),
                tickNanos.getValueAtPercentile(99), tickNanos.getMaxValue(), config.tickDuration().toNanos());
    }

    /** A snapshot for {@code nexus status}. */
    public EngineStatus status() {
        return new EngineStatus(state.state(), level, startedMillis, clock.wallMillis(), tickStats(), bus.stats(),
                sense.health(), sense.latest().size(), understand.anomalies(), ProcessHandle.current().pid());
    }

    /**
     * Shuts down: reverts every action still in effect, closes sensors and the event logs, ends STOPPED. Idempotent.
     */
    @Override
    public synchronized void close() {
        stop();
        NexusState s = state.state();
        if (s == NexusState.STOPPED) {
            return;
        }
        if (s == NexusState.UNINITIALIZED) {
            state.transition(NexusState.INITIALIZING, "closing before start");
        }
        state.transition(NexusState.SHUTTING_DOWN, "shutdown requested");
        gate.revertAll();
        for (var sensor : sense.sensors()) {
            try {
                sensor.close();
            } catch (RuntimeException e) {
                log.append(NexusEvent.of(clock.wallMillis(), EventCategory.ENGINE, "sensor.close-failed", "sensor:" + sensor.name(), e.toString()));
            }
        }
        TickStats ts = tickStats();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("ticks", ts.ticks());
        ev.put("overruns", ts.overruns());
        ev.put("busDropped", bus.stats().dropped());
        state.transition(NexusState.STOPPED, "stopped");
        log.append(new NexusEvent(clock.wallMillis(), EventCategory.ENGINE, "engine.stop", "nexus", "engine stopped", ev));
        log.close(); // the engine owns the logs it was built with
    }

    private final class Ctx implements TickContext {
        long now;
        Domain domain;

        @Override public long tick() { return ticks; }
        @Override public long timestampMillis() { return now; }
        @Override public NexusLevel level() { return level; }
        @Override public NexusConfig config() { return config; }
        @Override public Domain domain() { return domain; }
        @Override public List<Message> inbox() { return inbox; }

        @Override
        public boolean send(Domain target, Priority priority, Object payload) {
            if (!config.isEnabled(target) || !levelRuns(target)) {
                // nobody would drain it: it would pile up until the bus drops (and logs) one message per tick, and
                // feed stale payloads to the domain once it runs again
                if (!domain.maySendTo(target)) {
                    return bus.offer(new Message(domain, target, priority, now, payload)); // throws RoutingException
                }
                return false;
            }
            return bus.offer(new Message(domain, target, priority, now, payload));
        }

        @Override
        public void event(NexusEvent event) {
            log.append(event);
        }

        @Override
        public void reportProblem(String component, String reason) {
            problemsThisTick.add(component + ": " + reason);
            problems.report(component, reason == null ? "" : reason, ticks, now);
        }
    }

    /**
     * Which components have a problem, so that the log records changes and reminders rather than every report (see
     * the class comment). An episode of a component runs from the first tick it reports a problem to the last tick
     * before one without a report; within it, each distinct reason text is logged the first time it is seen (up to
     * {@value #MAX_REASONS_LOGGED} of them, so a reason that alternates between a few texts, or carries a changing
     * number, cannot log every tick), everything else waits for the reminder. A report costs O(1) hash look-ups and
     * allocates only when something is logged; {@link #endTick} is O(components with a problem). Tick thread only.
     */
    private final class ProblemLog {
        static final int MAX_REASONS_LOGGED = 16;

        private final long reminderMillis;
        private final Map<String, Episode> open = new LinkedHashMap<>();

        /** One component's problem episode. */
        private static final class Episode {
            final long sinceMillis;
            final java.util.Set<String> reasonsLogged = new java.util.HashSet<>();
            String lastReason;
            long lastLoggedMillis;
            long lastTick;
            long ticks;
            long unlogged;

            Episode(long sinceMillis) {
                this.sinceMillis = sinceMillis;
            }
        }

        ProblemLog(long reminderMillis) {
            this.reminderMillis = reminderMillis;
        }

        void report(String component, String reason, long tick, long now) {
            Episode ep = open.get(component);
            if (ep == null) {
                ep = new Episode(now);
                open.put(component, ep);
                log(component, reason, now, ep, Map.of("tick", tick));
            } else if (!ep.reasonsLogged.contains(reason) && ep.reasonsLogged.size() < MAX_REASONS_LOGGED) {
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("tick", tick);
                ev.put("previousReason", ep.lastReason);
                ev.put("sinceMillis", ep.sinceMillis);
                log(component, reason, now, ep, ev);
            } else if (ep.lastTick == tick) {
                ep.unlogged++; // a second report in the same tick, already logged once
            } else if (now - ep.lastLoggedMillis >= reminderMillis) {
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("reminder", true);
                ev.put("sinceMillis", ep.sinceMillis);
                ev.put("ticks", ep.ticks + 1);
                ev.put("unlogged", ep.unlogged);
                log(component, reason, now, ep, ev);
            } else {
                ep.unlogged++;
            }
            ep.lastReason = reason;
            if (ep.lastTick != tick) {
                ep.lastTick = tick;
                ep.ticks++;
            }
        }

        private void log(String component, String reason, long now, Episode ep, Map<String, Object> evidence) {
            log.append(new NexusEvent(now, EventCategory.ENGINE, "component.problem", component, reason, evidence));
            ep.reasonsLogged.add(reason);
            ep.lastLoggedMillis = now;
            ep.unlogged = 0;
        }

        /** Ends the episode of every component that reported nothing in {@code tick}: it has recovered. */
        void endTick(long tick, long now) {
            if (open.isEmpty()) {
                return;
            }
            var it = open.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Episode> c = it.next();
                Episode ep = c.getValue();
                if (ep.lastTick != tick) {
                    it.remove();
                    Map<String, Object> ev = new LinkedHashMap<>();
                    ev.put("previousReason", ep.lastReason);
                    ev.put("sinceMillis", ep.sinceMillis);
                    ev.put("ticks", ep.ticks);
                    log.append(new NexusEvent(now, EventCategory.ENGINE, "component.recovered", c.getKey(),
                            "no problem reported this tick", ev));
                }
            }
        }
    }

    /** Assembles an engine. Not thread-safe. */
    public static final class Builder {
        private final NexusConfig config;
        private final EngineClock clock;
        private final List<Sensor> sensors = new ArrayList<>();
        private final List<Predictor> predictors = new ArrayList<>();
        private final List<EventLog> logs = new ArrayList<>();
        private final List<ActionGate.Check> checks = new ArrayList<>();
        private final List<DomainHandler> extra = new ArrayList<>();
        private Function<MetricKey, Detector> detectors = k -> null;
        private DecisionPolicy policy = DecisionPolicy.none();
        private MetricSink downstream;
        private final List<MetricSink> sampleSinks = new ArrayList<>();
        private java.time.Duration problemReminder = DEFAULT_PROBLEM_REMINDER;

        private Builder(NexusConfig config, EngineClock clock) {
            this.config = Objects.requireNonNull(config, "config");
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        public Builder sensor(Sensor s) { sensors.add(s); return this; }
        public Builder sensors(List<? extends Sensor> s) { sensors.addAll(s); return this; }
        public Builder predictor(Predictor p) { predictors.add(p); return this; }
        public Builder eventLog(EventLog l) { logs.add(l); return this; }
        public Builder safetyCheck(ActionGate.Check c) { checks.add(c); return this; }
        public Builder handler(DomainHandler h) { extra.add(h); return this; }
        /** Creates a detector per series, or returns null for series not to watch. */
        public Builder detectors(Function<MetricKey, Detector> f) { detectors = f; return this; }
        public Builder policy(DecisionPolicy p) { policy = p; return this; }
        /** Receives every sample (e.g. the telemetry store). */
        public Builder telemetrySink(MetricSink s) { downstream = s; return this; }
        /**
         * Also receives every sample, after the telemetry sink, on the tick thread during Sense (e.g. a feature
         * extractor); several may be added, each gets every sample in the order added.
         */
        public Builder sampleSink(MetricSink s) { sampleSinks.add(Objects.requireNonNull(s, "sample sink")); return this; }

        private MetricSink fanOut() {
            List<MetricSink> all = new ArrayList<>();
            if (downstream != null) {
                all.add(downstream);
            }
            all.addAll(sampleSinks);
            MetricSink[] sinks = all.toArray(new MetricSink[0]);
            return (key, value, ts) -> {
                for (MetricSink s : sinks) {
                    s.record(key, value, ts);
                }
            };
        }

        /**
         * How often a problem that persists is logged again (default {@link #DEFAULT_PROBLEM_REMINDER}); measured on
         * the engine clock's wall time.
         *
         * @throws IllegalArgumentException if {@code every} is not positive
         */
        public Builder problemReminder(java.time.Duration every) {
            Objects.requireNonNull(every, "problem reminder");
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("problem reminder must be positive, got " + every);
            }
            problemReminder = every;
            return this;
        }

        public NexusEngine build() {
            return new NexusEngine(this);
        }
    }
}
