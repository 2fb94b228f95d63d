package dev.helix.nexus.agent.demo;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.CgroupReconciler;
import dev.helix.nexus.heal.NexusHeal;
import dev.helix.nexus.heal.ProtectList;
import dev.helix.nexus.heal.action.CgroupActions;
import dev.helix.nexus.heal.action.ProcessSampler;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.Cgroups;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.cgroup.FreezeState;
import dev.helix.nexus.heal.quarantine.ProcessQuarantinePlan;
import dev.helix.nexus.heal.quarantine.QuarantineEvent;
import dev.helix.nexus.heal.quarantine.QuarantinePlan;
import dev.helix.nexus.heal.quarantine.QuarantineState;
import dev.helix.nexus.heal.quarantine.RestartPolicy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end healing scenario of {@code nexus demo}: at Healing level, scoped to its own children, NEXUS starts a
 * memory leaker and a CPU hog (each in its own cgroup under {@code nexus/}), watches RSS and CPU share every tick,
 * names the behaviour pattern with its evidence, walks the quarantine ladder RESTRICT → LIMIT → MONITOR → ISOLATE →
 * REPLACE through the safety gate (verifying each step: limits read back, freezer state, measured CPU share), checks
 * that the replacement runs healthy within its limits, and leaves nothing behind. Without writable cgroups (or when
 * asked) it runs in dry-run: the same detection, and the exact actions it would take, refused by the gate as dry-run.
 *
 * <p>One use per instance; {@link #run()} is not thread-safe. Cleanup runs in {@code finally} and from a shutdown hook
 * (Ctrl-C).
 */
public final class HealingScenario {

    /** Timing knobs (the test uses shorter ones). */
    public record Timings(Duration tick, Duration escalateAfter, Duration healWindow, Duration hogDelay,
                          Duration deadline) {
        /** About 15 s in total on a normal host. */
        public static final Timings DEMO = new Timings(Duration.ofMillis(250), Duration.ofMillis(1500),
                Duration.ofMillis(1500), Duration.ofMillis(750), Duration.ofSeconds(30));
    }

    /** What happened to one subject. */
    public record SubjectReport(String name, long pid, long replacementPid, Pattern pattern, String evidence,
                                double detectSeconds, List<QuarantineState> steps, double cpuBefore,
                                double cpuCapped, long memoryCapReadBack, boolean frozenVerified, boolean replaced,
                                boolean healed, String outcome) { }

    /** The scenario's result. */
    public record Report(boolean dryRun, String mode, List<SubjectReport> subjects, List<String> leftoverCgroups,
                         List<Long> leftoverChildren) {
        public Optional<SubjectReport> subject(String name) {
            return subjects.stream().filter(s -> s.name().equals(name)).findFirst();
        }

        public boolean clean() {
            return leftoverCgroups.isEmpty() && leftoverChildren.isEmpty();
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final long MIB = 1L << 20;

    private final PrintWriter out;
    private final EventLog log;
    private final EngineClock clock = EngineClock.system();
    private final Timings t;
    private final boolean forceDryRun;
    private final long self = ProcessHandle.current().pid();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<QuarantineEvent> qevents = new ConcurrentLinkedQueue<>();
    private final String python;
    private long t0;
    private NexusHeal heal;
    private boolean cleaned;
    private final Path stateDir;

    /**
     * @param stateDir where the Act module keeps its cgroup crash journal: start-up and clean-up then touch only the
     *                 groups the demo created (also those a killed earlier run left), never other NEXUS instances'
     */
    public HealingScenario(PrintWriter out, EventLog log, Timings timings, boolean forceDryRun, Path stateDir) {
        this.stateDir = stateDir;
        this.out = out;
        this.log = log;
        this.t = timings;
        this.forceDryRun = forceDryRun;
        this.python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** One sacrificial child. */
    private final class Subject {
        final String name;
        final String group;
        final PatternJudge judge = PatternJudge.standard();
        final List<QuarantineState> steps = new ArrayList<>();
        final List<Double> cappedCpu = new ArrayList<>();
        volatile Process current;
        long originalPid;
        long replacementPid = -1;
        long startedNanos;
        long lastTicks = -1;
        long lastSched = -1;
        long lastNanos;
        PatternJudge.Finding finding;
        double detectSeconds = Double.NaN;
        ComponentId id;
        CpuMax cpuCap;
        long memCap;
        double cpuBefore = Double.NaN;
        long memCapReadBack = -1;
        boolean frozenVerified;
        boolean replaced;
        volatile boolean healthy;
        long healthySince = -1;
        boolean healed;
        boolean done;
        String outcome = "not detected";
        QuarantineState state;

        Subject(String name, String group) {
            this.name = name;
            this.group = group;
        }

        long pid() {
            return current.pid();
        }
    }

    /** Runs the scenario; never leaves a child or a {@code nexus} cgroup behind (see the report). */
    public Report run() throws InterruptedException {
        t0 = clock.monotonicNanos();
        Thread hook = new Thread(this::cleanup, "nexus-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        List<Subject> subjects = new ArrayList<>();
        boolean dry = forceDryRun;
        String mode;
        try {
            heal = NexusHeal.builder(clock, log).level(() -> NexusLevel.HEALING).protect(ProtectList.EMPTY)
                    .maxActionsPerMinute(60).dryRun(forceDryRun).stateDir(stateDir)
                    .quarantine(Duration.ofMinutes(5), t.escalateAfter(), Duration.ofMinutes(10),
                            new RestartPolicy(1, Duration.ofMinutes(5), Duration.ZERO, Duration.ZERO))
                    .build();
            if (heal.cgroups().isEmpty()) {
                dry = true;
                heal.gate().setDryRun(true);
                mode = "dry-run: " + whyNoCgroups() + "; NEXUS detects and prints the exact actions it would take";
            } else if (forceDryRun) {
                mode = "dry-run (requested): cgroups " + heal.cgroups().get().version() + " at "
                        + heal.cgroups().get().root() + " are writable but nothing will be changed";
            } else {
                CgroupDriver d = heal.cgroups().get();
                mode = "live: cgroup " + d.version() + " at " + d.root() + " " + d.controllers() + ", writable";
            }
            say("scenario", "level HEALING, scope: NEXUS's own children only; " + mode);
            emit(EventCategory.DECISION, "demo.scenario", "nexus-demo", mode, Map.of("dryRun", dry));
            heal.quarantine().onEvent(qevents::add);

            Subject leak = new Subject("leaker", "demo-leak-" + self);
            Subject hog = new Subject("hog", "demo-hog-" + self);
            subjects.add(leak);
            start(leak, leakCommand(2), new NexusHeal.Limits(null, 512 * MIB, 32), dry);
            long hogAt = clock.monotonicNanos() + t.hogDelay().toNanos();
            long deadline = t0 + t.deadline().toNanos();
            long next = clock.monotonicNanos();
            while (clock.monotonicNanos() < deadline) {
                if (!subjects.contains(hog) && clock.monotonicNanos() >= hogAt) {
                    subjects.add(hog);
                    start(hog, List.of("sh", "-c", "while kill -0 $PPID 2>/dev/null; do :; done"),
                            new NexusHeal.Limits(null, 256 * MIB, 32), dry);
                }
                for (Subject s : subjects) {
                    if (!s.done) {
                        observe(s, dry);
                    }
                }
                if (!dry) {
                    heal.quarantine().tick();
                    QuarantineEvent ev;
                    while ((ev = qevents.poll()) != null) {
                        for (Subject s : subjects) {
                            if (ev.component().equals(s.id)) {
                                onQuarantineEvent(s, ev);
                            }
                        }
                    }
                }
                if (isCleaned() || subjects.size() == 2 && subjects.stream().allMatch(s -> s.done)) {
                    break;
                }
                next += t.tick().toNanos();
                long wait = next - clock.monotonicNanos();
                if (wait > 0) {
                    clock.sleepNanos(wait);
                }
            }
            for (Subject s : subjects) {
                if (!s.done) {
                    s.outcome = s.finding == null ? "not detected before the deadline"
                            : "unfinished at the deadline in " + s.state;
                }
            }
        } catch (IOException e) {
            say("scenario", "could not start a child: " + e.getMessage());
        } finally {
            cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        List<String> cgroupsLeft = leftoverCgroups();
        // every process the scenario started (originals, replacements) and anything they spawned; other children of
        // this JVM (e.g. the launcher's stderr filter) are not the scenario's
        List<Long> childrenLeft = processes.stream()
                .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p.toHandle()), p.descendants()))
                .filter(ProcessHandle::isAlive).map(ProcessHandle::pid).distinct().toList();
        List<SubjectReport> reports = subjects.stream().map(this::report).toList();
        Report r = new Report(dry, dry ? "dry-run" : "live", reports, cgroupsLeft, childrenLeft);
        printSummary(r);
        return r;
    }

    private String whyNoCgroups() {
        Cgroups cg = Cgroups.detect();
        if (cg.preferred().isEmpty()) {
            return "no cgroup hierarchy is mounted";
        }
        CgroupDriver d = cg.preferred().get();
        return "cgroups " + d.version() + " at " + d.root() + " are not writable"
                + (ProcessHandle.current().info().user().map(u -> " by " + u).orElse("")) + " (need root and a rw mount)";
    }

    // ---- children ---------------------------------------------------------------------------------------------

    /** Python: allocate {@code mibPer100ms} MiB of touched memory every 100 ms; exits when its parent is gone. */
    private List<String> leakCommand(int mibPer100ms) {
        return List.of(python, "-c", "import os,time\np=os.getppid()\nb=[]\nwhile os.getppid()==p:\n"
                + "    b.append(b'x'*(" + mibPer100ms + "<<20))\n    time.sleep(0.1)\n");
    }

    /** The fixed leaker: a fixed 8 MiB working set, idle; exits when its parent is gone. */
    private List<String> fixedLeakCommand() {
        return List.of(python, "-c", "import os,time\np=os.getppid()\nb=b'x'*(8<<20)\nwhile os.getppid()==p:\n"
                + "    time.sleep(0.1)\n");
    }

    /** The fixed hog: wakes up five times a second; exits when its parent is gone. */
    private static List<String> fixedHogCommand() {
        return List.of("sh", "-c", "while kill -0 $PPID 2>/dev/null; do sleep 0.2; done");
    }

    /** Synchronized with {@link #cleanup()}: no child is started once cleanup began (Ctrl-C). */
    private synchronized void start(Subject s, List<String> command, NexusHeal.Limits limits, boolean dry)
            throws IOException {
        if (cleaned) {
            throw new IOException("interrupted: cleanup already ran");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p;
        if (dry) {
            p = pb.start();
            processes.add(p);
            say(s.name, "started pid " + p.pid() + " (not confined: dry-run) " + brief(command));
        } else {
            NexusHeal.Confined c = heal.startConfined(s.group, pb, limits);
            p = c.process();
            processes.add(p);
            if (!c.confined()) {
                throw new IOException("could not confine " + s.name + " in " + CgroupDriver.path(s.group) + ": "
                        + c.results());
            }
            CgroupDriver d = heal.cgroups().orElseThrow();
            say(s.name, "started pid " + p.pid() + " in " + CgroupDriver.path(s.group) + " (memory limit "
                    + PatternJudge.mib(readQuietly(() -> d.memoryMax(s.group))) + ", pids limit "
                    + readQuietly(() -> d.pidsMax(s.group)) + ") " + brief(command));
        }
        s.current = p;
        s.originalPid = p.pid();
        s.startedNanos = clock.monotonicNanos();
    }

    private static String brief(List<String> command) {
        String c = String.join(" ", command).replace("\n", "; ");
        return c.length() > 90 ? c.substring(0, 87) + "..." : c;
    }

    // ---- watching ---------------------------------------------------------------------------------------------

    private void observe(Subject s, boolean dry) {
        long pid = s.pid();
        long ticks = ProcessSampler.cpuTicks(pid);
        long now = clock.monotonicNanos();
        if (ticks < 0) {
            return;
        }
        double cpu = s.lastTicks < 0 ? 0 : (double) (ticks - s.lastTicks) / ProcessSampler.TICKS_PER_SECOND
                / Math.max(1e-9, (now - s.lastNanos) / 1e9);
        long sched = schedNanos(pid);
        double demand = s.lastSched < 0 || sched < 0 ? Double.NaN
                : (sched - s.lastSched) / Math.max(1.0, (double) (now - s.lastNanos));
        boolean first = s.lastTicks < 0;
        s.lastTicks = ticks;
        s.lastSched = sched;
        s.lastNanos = now;
        if (first) {
            return;
        }
        PatternJudge.Sample sample = new PatternJudge.Sample(now, rss(pid), cpu, demand, ProcessSampler.state(pid));
        s.judge.add(sample);
        if (s.finding == null) {
            Optional<PatternJudge.Finding> f = s.judge.leak().or(() -> s.judge.cpuBound(1.0));
            if (f.isPresent()) {
                detected(s, f.get(), dry);
            }
            return;
        }
        if (s.state == QuarantineState.RESTRICT || s.state == QuarantineState.LIMIT
                || s.state == QuarantineState.MONITOR) {
            s.cappedCpu.add(cpu);
        }
        if (s.replaced && !s.healed) {
            judgeReplacement(s, sample);
        } else if (!s.replaced) {
            // still the misbehaving original: unhealthy while the pattern holds or it is frozen (isolated is not healed)
            s.healthy = false;
        }
    }

    private void detected(Subject s, PatternJudge.Finding f, boolean dry) {
        s.finding = f;
        s.detectSeconds = (clock.monotonicNanos() - s.startedNanos) / 1e9;
        s.cpuBefore = s.judge.meanCpu(4);
        s.id = ComponentId.process(s.pid());
        say(s.name, String.format("DETECTED %s in pid %d after %.2f s: %s", f.pattern().label(), s.pid(),
                s.detectSeconds, f.evidence()));
        emit(EventCategory.DETECTION, "pattern." + f.pattern().label(), s.id.toString(), f.evidence(),
                Map.of("pattern", f.pattern().label(), "pid", s.pid(), "detectSeconds", s.detectSeconds));
        boolean leak = f.pattern() == Pattern.RESOURCE_LEAK;
        s.cpuCap = leak ? CpuMax.ofCpus(0.5) : CpuMax.ofCpus(0.2);
        long current = rss(s.pid());
        if (!dry) {
            CgroupDriver d = heal.cgroups().orElseThrow();
            current = Math.max(current, readQuietly(() -> d.memoryCurrent(s.group)));
        }
        s.memCap = leak ? (current / MIB + 128) * MIB : 64 * MIB;
        NexusHeal.Limits limits = new NexusHeal.Limits(s.cpuCap, s.memCap, 16);
        String reason = f.pattern().label() + ": " + f.evidence();
        if (dry) {
            dryRunLadder(s, limits);
            return;
        }
        ProcessQuarantinePlan base = heal.processPlan(s.group, s.pid(), limits, () -> restart(s), () -> s.healthy);
        say(s.name, String.format("quarantine pid %d: ladder RESTRICT(cpu %.2f) -> LIMIT(memory %s, pids 16) -> "
                + "MONITOR -> ISOLATE(freeze) -> REPLACE, escalating every %.1f s while unhealthy", s.pid(),
                s.cpuCap.cpus(), PatternJudge.mib(s.memCap), t.escalateAfter().toMillis() / 1000.0));
        var rec = heal.quarantine().quarantine(s.id, reason, scoped(s, base));
        if (rec.state() == QuarantineState.RELEASED) {
            s.outcome = "could not quarantine (see the event log)";
            s.done = true;
        }
    }

    /** Refuses any step whose targets are not direct children of this JVM: the demo's scope. */
    private QuarantinePlan scoped(Subject s, QuarantinePlan base) {
        return new QuarantinePlan() {
            @Override
            public List<Action> actionsFor(QuarantineState step) {
                List<Long> targets = new ArrayList<>(heal.actions().orElseThrow().pidsQuietly(s.group));
                if (step == QuarantineState.RESTRICT) {
                    targets.add(s.originalPid);
                }
                for (long p : targets) {
                    if (!ownChild(p)) {
                        throw new IllegalStateException("pid " + p + " is not a child of NEXUS (pid " + self
                                + "): outside the demo's scope");
                    }
                }
                return base.actionsFor(step);
            }

            @Override
            public boolean healthy() {
                return base.healthy();
            }
        };
    }

    private boolean ownChild(long pid) {
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L) == self;
    }

    private void dryRunLadder(Subject s, NexusHeal.Limits limits) {
        Optional<CgroupActions> actions = heal.actions()
                .or(() -> Cgroups.detect().preferred().map(d -> new CgroupActions(d, clock)));
        List<QuarantineState> ladder = List.of(QuarantineState.RESTRICT, QuarantineState.LIMIT,
                QuarantineState.MONITOR, QuarantineState.ISOLATE, QuarantineState.REPLACE);
        for (QuarantineState step : ladder) {
            if (actions.isPresent()) {
                ProcessQuarantinePlan plan = new ProcessQuarantinePlan(actions.get(), s.group, s.pid(),
                        limits.cpu(), limits.memoryBytes(), limits.pidsMax(), () -> -1, () -> false);
                List<Action> list = plan.actionsFor(step);
                if (list.isEmpty()) {
                    say(s.name, "  " + step + ": would watch closer (no change)");
                }
                for (Action a : list) {
                    ActionResult r = heal.gate().execute(a);
                    say(s.name, "  " + step + ": " + r.outcome() + " " + r.detail());
                }
            } else {
                say(s.name, "  " + step + ": would " + switch (step) {
                    case RESTRICT -> "move pid " + s.pid() + " into cgroup nexus/" + s.group + " and cap CPU at "
                            + limits.cpu().cpus();
                    case LIMIT -> "cap memory at " + PatternJudge.mib(limits.memoryBytes()) + " and tasks at "
                            + limits.pidsMax();
                    case MONITOR -> "watch closer (no change)";
                    case ISOLATE -> "freeze every task of nexus/" + s.group;
                    case REPLACE -> "kill every task of nexus/" + s.group + " and start a replacement in it";
                    default -> step.name();
                });
            }
            s.steps.add(step);
        }
        s.outcome = "dry-run: ladder printed, nothing changed";
        s.done = true;
        s.current.destroyForcibly();
        say(s.name, "stopped pid " + s.pid() + " (the demo's own child; dry-run cannot contain it)");
    }

    // ---- the ladder -------------------------------------------------------------------------------------------

    private long restart(Subject s) {
        try {
            List<String> cmd = s.finding.pattern() == Pattern.RESOURCE_LEAK ? fixedLeakCommand() : fixedHogCommand();
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            processes.add(p);
            s.current = p;
            s.replacementPid = p.pid();
            s.lastTicks = -1;
            s.lastSched = -1;
            s.judge.clear();
            return p.pid();
        } catch (IOException e) {
            return -1;
        }
    }

    private void onQuarantineEvent(Subject s, QuarantineEvent ev) {
        if (ev instanceof QuarantineEvent.StepFailed f) {
            say(s.name, "step " + f.attempted() + " FAILED (rolled back, retried next round): " + f.detail());
            return;
        }
        if (ev instanceof QuarantineEvent.Ended e) {
            say(s.name, "quarantine ended " + e.state() + ": " + e.reason());
            return;
        }
        if (!(ev instanceof QuarantineEvent.Transitioned tr) || tr.to() == QuarantineState.RELEASED) {
            return;
        }
        s.state = tr.to();
        s.steps.add(tr.to());
        CgroupDriver d = heal.cgroups().orElseThrow();
        String g = CgroupDriver.path(s.group);
        switch (tr.to()) {
            case RESTRICT -> say(s.name, String.format("RESTRICT verified: pid %d in %s = %s, cpu cap read back %s", s.originalPid, g, readList(() -> d.pids(s.group)),
                    cpu(readQuietlyObj(() -> d.cpuMax(s.group)))));
            case LIMIT -> {
                s.memCapReadBack = readQuietly(() -> d.memoryMax(s.group));
                say(s.name, String.format("LIMIT verified: memory cap read back %s (usage %s), pids cap %d; CPU share "
                        + "since the cpu cap %.2f (was %.2f)", PatternJudge.mib(s.memCapReadBack),
                        PatternJudge.mib(readQuietly(() -> d.memoryCurrent(s.group))),
                        readQuietly(() -> d.pidsMax(s.group)), mean(s.cappedCpu), s.cpuBefore));
            }
            case MONITOR -> say(s.name, String.format("MONITOR: %s (RSS %s, CPU %.2f, memory usage %s of %s)",
                    s.judge.leak().map(f -> "still ResourceLeak under the caps").orElse(
                            s.judge.meanCpu(4) >= 0.8 * s.cpuCap.cpus() ? "still CpuBound: throttled at its cap"
                                    : "still unhealthy"), PatternJudge.mib(rss(s.pid())), s.judge.meanCpu(2),
                    PatternJudge.mib(readQuietly(() -> d.memoryCurrent(s.group))), PatternJudge.mib(s.memCap)));
            case ISOLATE -> {
                FreezeState fs = readQuietlyObj(() -> d.freezeState(s.group));
                char st = ProcessSampler.state(s.pid());
                long r1 = rss(s.pid());
                long c1 = ProcessSampler.cpuTicks(s.pid());
                sleepQuietly(300);
                long r2 = rss(s.pid());
                long c2 = ProcessSampler.cpuTicks(s.pid());
                s.frozenVerified = fs == FreezeState.FROZEN && r1 == r2 && c1 == c2;
                say(s.name, String.format("ISOLATE verified: %s %s, task state %c, over 300 ms RSS %s -> %s, CPU ticks "
                        + "%d -> %d%s", g, fs, st, PatternJudge.mib(r1), PatternJudge.mib(r2), c1, c2,
                        s.frozenVerified ? "" : " (NOT fully frozen)"));
            }
            case REPLACE -> {
                Process old = processes.stream().filter(p -> p.pid() == s.originalPid).findFirst().orElse(null);
                boolean gone = false;
                try {
                    gone = old == null || old.waitFor(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                List<Long> pids = readList(() -> d.pids(s.group));
                s.replaced = gone && pids.equals(List.of(s.replacementPid)) && ProcessSampler.alive(s.replacementPid);
                say(s.name, String.format("REPLACE verified: pid %d %s, %s = %s (replacement %d, alive %s), caps still "
                        + "in effect: cpu %s, memory %s", s.originalPid, gone ? "killed" : "STILL ALIVE", g, pids,
                        s.replacementPid, ProcessSampler.alive(s.replacementPid), cpu(readQuietlyObj(() -> d.cpuMax(s.group))),
                        PatternJudge.mib(readQuietly(() -> d.memoryMax(s.group)))));
            }
            default -> { }
        }
        emit(EventCategory.OBSERVATION, "demo.step_verified", s.id.toString(), tr.to() + " verified",
                Map.of("step", tr.to().name(), "pid", s.pid()));
    }

    private void judgeReplacement(Subject s, PatternJudge.Sample sample) {
        CgroupDriver d = heal.cgroups().orElseThrow();
        long usage = readQuietly(() -> d.memoryCurrent(s.group));
        boolean within = usage >= 0 && usage <= s.memCap && sample.cpu() <= s.cpuCap.cpus() + 0.05;
        boolean pattern = s.judge.leak().isPresent() || s.judge.cpuBound(1.0).isPresent();
        boolean ok = ProcessSampler.alive(s.pid()) && within && !pattern && s.judge.size() >= 3;
        s.healthy = ok;
        long now = clock.monotonicNanos();
        if (!ok) {
            s.healthySince = -1;
            return;
        }
        if (s.healthySince < 0) {
            s.healthySince = now;
        }
        if (now - s.healthySince >= t.healWindow().toNanos()) {
            s.healed = true;
            s.done = true;
            s.outcome = String.format("healed: pid %d replaced by %d, RSS %s, CPU %.2f, within caps", s.originalPid,
                    s.replacementPid, PatternJudge.mib(sample.rssBytes()), s.judge.meanCpu(s.judge.size()));
            say(s.name, String.format("HEALED: replacement pid %d healthy for %.1f s within its limits (RSS %s, memory "
                    + "usage %s <= %s, CPU %.2f <= %.2f), no pattern", s.replacementPid, t.healWindow().toMillis() / 1e3,
                    PatternJudge.mib(sample.rssBytes()), PatternJudge.mib(usage), PatternJudge.mib(s.memCap),
                    s.judge.meanCpu(s.judge.size()), s.cpuCap.cpus()));
            emit(EventCategory.OBSERVATION, "demo.healed", s.id.toString(), s.outcome,
                    Map.of("replacement", s.replacementPid));
        }
    }

    // ---- cleanup and checks -----------------------------------------------------------------------------------

    private synchronized boolean isCleaned() {
        return cleaned;
    }

    /** Releases quarantines, reverts every action, kills every child, reconciles cgroups. Idempotent. */
    public synchronized void cleanup() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        if (heal != null) {
            try {
                heal.close();
            } catch (RuntimeException e) {
                say("cleanup", "heal close failed: " + e);
            }
        }
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (heal != null && heal.cgroups().isPresent() && !leftoverCgroups().isEmpty()) {
            CgroupReconciler.Report r = new CgroupReconciler(heal.cgroups().get(), log, clock,
                    g -> g.contains("demo-")).reconcile(); // only the demo's own groups
            say("cleanup", "reconciled leftover cgroups: removed " + r.removed() + ", failed " + r.failed());
        }
        log.flush();
    }

    /** Every {@code nexus} cgroup directory (and group inside) still present under /sys/fs/cgroup. */
    public static List<String> leftoverCgroups() {
        List<String> left = new ArrayList<>();
        Path root = Path.of("/sys/fs/cgroup");
        List<Path> parents = new ArrayList<>(List.of(root.resolve(CgroupDriver.NEXUS_PARENT)));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                parents.add(p.resolve(CgroupDriver.NEXUS_PARENT));
            }
        } catch (IOException e) {
            return left;
        }
        for (Path n : parents) {
            if (!Files.isDirectory(n)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(n, Files::isDirectory)) {
                for (Path g : ds) {
                    left.add(g.toString());
                }
            } catch (IOException e) {
                // vanished meanwhile
            }
        }
        return left;
    }

    private void printSummary(Report r) {
        out.println();
        out.println("== healing scenario summary (" + r.mode() + ")");
        out.printf("  %-7s %-14s %-9s %-40s %s%n", "subject", "pattern", "detected", "steps", "outcome");
        for (SubjectReport s : r.subjects()) {
            out.printf("  %-7s %-14s %-9s %-40s %s%n", s.name(), s.pattern() == null ? "-" : s.pattern().label(),
                    Double.isNaN(s.detectSeconds()) ? "-" : String.format("%.2f s", s.detectSeconds()),
                    s.steps().isEmpty() ? "-" : String.join(">", s.steps().stream().map(Enum::name).toList()),
                    s.outcome());
        }
        r.subject("hog").filter(s -> !Double.isNaN(s.cpuCapped()))
                .ifPresent(s -> out.printf("  hog CPU share: %.2f before, %.2f under the cap%n", s.cpuBefore(),
                        s.cpuCapped()));
        out.printf("  left behind: nexus cgroups %s; demo child processes %s%n",
                r.leftoverCgroups().isEmpty() ? "none" : r.leftoverCgroups(),
                r.leftoverChildren().isEmpty() ? "none" : r.leftoverChildren());
        out.flush();
    }

    private SubjectReport report(Subject s) {
        return new SubjectReport(s.name, s.originalPid, s.replacementPid, s.finding == null ? null : s.finding.pattern(),
                s.finding == null ? "" : s.finding.evidence(), s.detectSeconds, List.copyOf(s.steps), s.cpuBefore,
                s.cappedCpu.isEmpty() ? Double.NaN : mean(s.cappedCpu), s.memCapReadBack, s.frozenVerified,
                s.replaced, s.healed, s.outcome);
    }

    private static String cpu(CpuMax c) {
        return c == null ? "unreadable" : c.unlimited() ? "unlimited"
                : String.format("%d/%d us (%.2f CPU)", c.quotaMicros(), c.periodMicros(), c.cpus());
    }

    private static double mean(List<Double> xs) {
        // skip the first sample after the cap: it straddles the change
        List<Double> use = xs.size() > 1 ? xs.subList(1, xs.size()) : xs;
        return use.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Run time plus run-queue wait time in ns from /proc/pid/schedstat, or -1. */
    static long schedNanos(long pid) {
        try {
            String[] f = Files.readString(Path.of("/proc", Long.toString(pid), "schedstat")).trim().split("\\s+");
            return Long.parseLong(f[0]) + Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size from /proc/pid/status (0 when gone). */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    private interface IoLong {
        long get() throws IOException;
    }

    private interface IoObj<T> {
        T get() throws IOException;
    }

    private static long readQuietly(IoLong f) {
        try {
            return f.get();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static <T> T readQuietlyObj(IoObj<T> f) {
        try {
            return f.get();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<Long> readList(IoObj<List<Long>> f) {
        List<Long> l = readQuietlyObj(f);
        return l == null ? List.of() : l;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void emit(EventCategory c, String type, String component, String reason, Map<String, Object> evidence) {
        log.append(new NexusEvent(clock.wallMillis(), c, type, component, reason, new LinkedHashMap<>(evidence)));
    }

    private void say(String who, String text) {
        long now = clock.monotonicNanos();
        out.printf("%s +%5.2fs  %-8s %s%n", TIME.format(Instant.ofEpochMilli(clock.wallMillis())),
                (now - t0) / 1e9, who, text);
        out.flush();
    }
}
