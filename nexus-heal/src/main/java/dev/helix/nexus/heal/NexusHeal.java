package dev.helix.nexus.heal;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.heal.action.CgroupActions;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.Cgroups;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.checkpoint.CheckpointStore;
import dev.helix.nexus.heal.component.ComponentRegistry;
import dev.helix.nexus.heal.quarantine.ProcessQuarantinePlan;
import dev.helix.nexus.heal.quarantine.QuarantineManager;
import dev.helix.nexus.heal.quarantine.RestartPolicy;

import dev.helix.nexus.heal.journal.JournaledCgroupDriver;
import dev.helix.nexus.heal.journal.RecordJournal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Act module wired together: cgroup detection and start-up reconciliation, the {@link SafetyGate}, cgroup
 * actions, the {@link QuarantineManager}, the in-JVM {@link ComponentRegistry} and the {@link CheckpointStore}.
 * {@link #close()} releases every quarantine, reverts every action still in effect (except repairs such as rollbacks,
 * restarts and reconstructions, which are kept: {@code Action#revertOnStop()}) and reconciles again, so NEXUS leaves no
 * cgroup behind.
 *
 * <p>Thread-safe (each part is); build once per engine.
 */
public final class NexusHeal implements AutoCloseable {

    private final EngineClock clock;
    private final EventLog log;
    private final Optional<CgroupDriver> cgroups;
    private final Optional<CgroupActions> actions;
    private final SafetyGate gate;
    private final QuarantineManager quarantine;
    private final ComponentRegistry components;
    private final CheckpointStore checkpoints;
    private final CgroupReconciler.Report startupReconcile;
    private final Path stateDir;
    private final RecordJournal cgroupJournal;

    /** File name of the cgroup crash journal inside the state directory. */
    public static final String CGROUP_JOURNAL = "cgroups.journal";

    private NexusHeal(Builder b) {
        this.clock = b.clock;
        this.log = b.log;
        Optional<CgroupDriver> raw = b.cgroups != null ? b.cgroups : Cgroups.detect().writable();
        this.stateDir = b.stateDir;
        if (stateDir != null && raw.isPresent()) {
            // crash journal: reconcile exactly the groups a previous (possibly killed) instance owned, then journal ours
            CgroupDriver d = raw.get();
            try {
                this.cgroupJournal = RecordJournal.open(stateDir.resolve(CGROUP_JOURNAL));
                Map<String, Set<Long>> owned = JournaledCgroupDriver.owned(cgroupJournal.loaded());
                this.startupReconcile = new CgroupReconciler(d, log, clock, owned::containsKey).reconcile();
                Map<String, Set<Long>> still = new LinkedHashMap<>(owned);
                still.keySet().removeIf(g -> !d.exists(g));
                JournaledCgroupDriver.compact(cgroupJournal, still);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot open the cgroup journal in " + stateDir, e);
            }
            this.cgroups = Optional.of(new JournaledCgroupDriver(d, cgroupJournal));
        } else {
            this.cgroupJournal = null;
            this.cgroups = raw;
            this.startupReconcile = cgroups.map(d -> new CgroupReconciler(d, log, clock).reconcile())
                    .orElse(new CgroupReconciler.Report(List.of(), java.util.Map.of()));
        }
        this.actions = cgroups.map(d -> new CgroupActions(d, clock));
        this.gate = SafetyGate.builder(clock, log).level(b.level).protect(b.protect).cgroups(cgroups.orElse(null))
                .maxActionsPerMinute(b.maxActionsPerMinute).dryRun(b.dryRun).build();
        this.quarantine = new QuarantineManager(gate, clock, log, b.maxQuarantine, b.escalateAfter,
                b.releaseAfterHealthy, b.restartPolicy);
        this.components = new ComponentRegistry(clock, log);
        this.checkpoints = new CheckpointStore(clock, b.checkpointsPerComponent, b.checkpointMaxAge);
    }

    /** Defaults: level CORRECTION, 30 actions/min, quarantine max 30 min, escalate after 30 s, release after 2 min
     * healthy, {@link RestartPolicy#DEFAULT}, 10 checkpoints of at most 1 h, cgroups auto-detected (writable only). */
    public static Builder builder(EngineClock clock, EventLog log) {
        return new Builder(clock, log);
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private final EngineClock clock;
        private final EventLog log;
        private Supplier<NexusLevel> level = () -> NexusLevel.CORRECTION;
        private ProtectList protect = ProtectList.EMPTY;
        private int maxActionsPerMinute = 30;
        private boolean dryRun;
        private Optional<CgroupDriver> cgroups;
        private Duration maxQuarantine = Duration.ofMinutes(30);
        private Duration escalateAfter = Duration.ofSeconds(30);
        private Duration releaseAfterHealthy = Duration.ofMinutes(2);
        private RestartPolicy restartPolicy = RestartPolicy.DEFAULT;
        private int checkpointsPerComponent = 10;
        private Duration checkpointMaxAge = Duration.ofHours(1);
        private Path stateDir;

        private Builder(EngineClock clock, EventLog log) {
            this.clock = Objects.requireNonNull(clock);
            this.log = Objects.requireNonNull(log);
        }

        public Builder level(Supplier<NexusLevel> level) {
            this.level = level;
            return this;
        }

        public Builder protect(ProtectList protect) {
            this.protect = protect;
            return this;
        }

        public Builder maxActionsPerMinute(int n) {
            this.maxActionsPerMinute = n;
            return this;
        }

        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** Use this driver (or none: {@code Optional.empty()}) instead of auto-detection. */
        public Builder cgroups(Optional<CgroupDriver> driver) {
            this.cgroups = driver;
            return this;
        }

        public Builder quarantine(Duration maxDuration, Duration escalateAfter, Duration releaseAfterHealthy,
                                  RestartPolicy policy) {
            this.maxQuarantine = maxDuration;
            this.escalateAfter = escalateAfter;
            this.releaseAfterHealthy = releaseAfterHealthy;
            this.restartPolicy = policy;
            return this;
        }

        public Builder checkpoints(int perComponent, Duration maxAge) {
            this.checkpointsPerComponent = perComponent;
            this.checkpointMaxAge = maxAge;
            return this;
        }

        /**
         * Keeps a crash journal of the cgroups this instance creates in {@code dir} (fsync'd before each change).
         * Start-up and shutdown reconciliation then touch only the groups the journal names (left by a previous
         * instance killed with {@code kill -9}, or by this one) and leave other groups under {@code nexus/} alone.
         * Without a state directory, reconciliation removes every group under {@code nexus/}.
         */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** Detects cgroups (unless given), reconciles leftovers, and builds. */
        public NexusHeal build() {
            return new NexusHeal(this);
        }
    }

    public SafetyGate gate() {
        return gate;
    }

    /** The writable cgroup driver, if this host has one. */
    public Optional<CgroupDriver> cgroups() {
        return cgroups;
    }

    /** Cgroup action factory, when cgroups are usable. */
    public Optional<CgroupActions> actions() {
        return actions;
    }

    public QuarantineManager quarantine() {
        return quarantine;
    }

    public ComponentRegistry components() {
        return components;
    }

    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    /**
     * A {@link dev.helix.nexus.heal.healing.HealingEngine} builder wired to this module's gate, clock, event log,
     * checkpoint store and quarantine manager (add a degradation manager, chain and policy as needed).
     */
    public dev.helix.nexus.heal.healing.HealingEngine.Builder healing() {
        return dev.helix.nexus.heal.healing.HealingEngine.builder(gate, clock, log).checkpoints(checkpoints)
                .quarantine(quarantine);
    }

    /** What the start-up reconciliation removed. */
    public CgroupReconciler.Report startupReconcile() {
        return startupReconcile;
    }

    /**
     * Limits for {@link #startConfined}; {@code null}/{@code -1} leaves a control unlimited.
     *
     * @param cpu         CPU bandwidth, or null
     * @param memoryBytes hard memory limit, or -1
     * @param pidsMax     task limit, or -1
     */
    public record Limits(CpuMax cpu, long memoryBytes, long pidsMax) { }

    /** A process started inside its cgroup, with the result of every action that put it there. */
    public record Confined(Process process, String group, List<ActionResult> results) {
        public boolean confined() {
            return results.stream().allMatch(ActionResult::succeeded);
        }
    }

    /**
     * Starts {@code command} so that it runs inside {@code nexus/<group>} from its first instruction: a
     * {@code sh -c 'read; exec "$@"'} wrapper waits on stdin, is moved into the group and limited through the gate,
     * then is released and execs the command (same pid). If any action is not SUCCEEDED the process is killed, the
     * applied actions are reverted and the results say why. Stdout/stderr follow {@code template}'s redirects; stdin
     * becomes a pipe.
     */
    public Confined startConfined(String group, ProcessBuilder template, Limits limits) throws IOException {
        CgroupActions a = actions.orElseThrow(() -> new IllegalStateException("no writable cgroups on this host"));
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "read _nexus_go; exec \"$@\"", "sh"));
        cmd.addAll(template.command());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(template.directory())
                .redirectOutput(template.redirectOutput()).redirectError(template.redirectError())
                .redirectErrorStream(template.redirectErrorStream())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().clear();
        pb.environment().putAll(template.environment());
        Process p = pb.start();
        List<Action> steps = new ArrayList<>();
        steps.add(a.attach(group, p.pid()));
        if (limits.cpu() != null) {
            steps.add(a.limitCpu(group, limits.cpu()));
        }
        if (limits.memoryBytes() >= 0) {
            steps.add(a.limitMemory(group, limits.memoryBytes()));
        }
        if (limits.pidsMax() >= 0) {
            steps.add(a.limitPids(group, limits.pidsMax()));
        }
        List<ActionResult> results = new ArrayList<>();
        List<Action> done = new ArrayList<>();
        for (Action s : steps) {
            ActionResult r = gate.execute(s);
            results.add(r);
            done.add(s);
            if (!r.succeeded()) {
                p.destroyForcibly();
                for (int i = done.size() - 1; i >= 0; i--) {
                    gate.revert(done.get(i));
                }
                return new Confined(p, group, results);
            }
        }
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        return new Confined(p, group, results);
    }

    /** A process quarantine plan on the detected cgroups (see {@link ProcessQuarantinePlan}). */
    public ProcessQuarantinePlan processPlan(String group, long pid, Limits limits, LongSupplier restarter,
                                             BooleanSupplier healthy) {
        CgroupActions a = actions.orElseThrow(() -> new IllegalStateException("no writable cgroups on this host"));
        return new ProcessQuarantinePlan(a, group, pid, limits.cpu() == null ? CpuMax.UNLIMITED : limits.cpu(),
                limits.memoryBytes(), limits.pidsMax(), restarter, healthy);
    }

    /**
     * Releases every quarantine, reverts every action in effect (newest first; repairs that ask to be kept are logged
     * as {@code action.kept} instead) and removes leftover groups.
     */
    @Override
    public void close() {
        quarantine.releaseAll();
        gate.revertAll();
        if (cgroupJournal != null) {
            cgroups.ifPresent(d -> {
                try {
                    Map<String, Set<Long>> owned = JournaledCgroupDriver.owned(
                            RecordJournal.scan(cgroupJournal.file()).records());
                    new CgroupReconciler(d, log, clock, owned::containsKey).reconcile();
                    owned.keySet().removeIf(g -> !d.exists(g));
                    JournaledCgroupDriver.compact(cgroupJournal, owned);
                    cgroupJournal.close();
                } catch (IOException e) {
                    // the journal stays; the next start reconciles from it
                }
            });
        } else {
            cgroups.ifPresent(d -> new CgroupReconciler(d, log, clock).reconcile());
        }
    }
}
