package dev.helix.nexus.heal.action;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.cgroup.FreezeState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Factory of real, verified, reversible cgroup {@link Action}s. Each action reads its effect back from the kernel and
 * reports {@code FAILED} when the read-back differs. Run them through {@link dev.helix.nexus.heal.SafetyGate}.
 *
 * <p>Each action instance remembers the previous value for {@link Action#revert()}, so it is stateful and meant to be
 * executed once; instances are thread-safe (synchronized execute/revert).
 */
public final class CgroupActions {

    private final CgroupDriver driver;
    private final EngineClock clock;
    private final Duration freezeTimeout;

    /** @param freezeTimeout how long freezing and killing may take before the action reports FAILED */
    public CgroupActions(CgroupDriver driver, EngineClock clock, Duration freezeTimeout) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.freezeTimeout = Objects.requireNonNull(freezeTimeout, "freezeTimeout");
    }

    public CgroupActions(CgroupDriver driver, EngineClock clock) {
        this(driver, clock, Duration.ofSeconds(3));
    }

    public CgroupDriver driver() {
        return driver;
    }

    /** Base with common plumbing. */
    private abstract static class Base implements Action {
        private final String name;
        private final ComponentId target;
        private final NexusLevel level;

        Base(String name, ComponentId target, NexusLevel level) {
            this.name = name;
            this.target = target;
            this.level = level;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ComponentId target() {
            return target;
        }

        @Override
        public NexusLevel requiredLevel() {
            return level;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    private static Map<String, Object> ev(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * Creates {@code nexus/<group>} if needed and moves {@code pid} into it; verifies the pid is listed in the group.
     * Revert moves every task of the group back to the root and removes the group if this action created it.
     */
    public Action attach(String group, long pid) {
        CgroupDriver.checkName(group);
        return new Base("cgroup.attach", ComponentId.process(pid), NexusLevel.CORRECTION) {
            private boolean created;

            @Override
            public String describe() {
                return "move pid " + pid + " into cgroup " + CgroupDriver.path(group) + " (" + driver.version() + ")";
            }

            @Override
            public synchronized ActionResult execute() throws Exception {
                created = !driver.exists(group);
                driver.create(group);
                driver.movePid(group, pid);
                List<Long> pids = driver.pids(group);
                if (!pids.contains(pid)) {
                    return ActionResult.failed("pid " + pid + " not in " + CgroupDriver.path(group) + " after move: " + pids);
                }
                return ActionResult.succeeded("pid " + pid + " is in " + CgroupDriver.path(group),
                        ev("cgroup", CgroupDriver.path(group), "pids", pids, "created", created));
            }

            @Override
            public synchronized ActionResult revert() throws Exception {
                // every task of the group (the pid, its children, a replacement) goes back to the root
                if (driver.exists(group)) {
                    for (long p : driver.pids(group)) {
                        try {
                            driver.moveToRoot(p);
                        } catch (Exception e) {
                            // exited meanwhile
                        }
                    }
                }
                if (created && driver.exists(group)) {
                    List<Long> left = driver.pids(group);
                    if (!left.isEmpty()) {
                        return ActionResult.failed("moved " + pid + " out but " + CgroupDriver.path(group)
                                + " still holds " + left);
                    }
                    driver.remove(group);
                }
                return ActionResult.succeeded("pid " + pid + " back at the root"
                        + (created ? ", " + CgroupDriver.path(group) + " removed" : ""), ev("pid", pid));
            }
        };
    }

    /** Sets the CPU bandwidth limit of the group and reads it back. Revert restores the previous limit. */
    public Action limitCpu(String group, CpuMax max) {
        return new Base("cgroup.cpu.limit", ComponentId.cgroup(CgroupDriver.path(group)), NexusLevel.CORRECTION) {
            private CpuMax before;

            @Override
            public String describe() {
                return "set cpu limit of " + CgroupDriver.path(group) + " to " + max.quotaMicros() + "/"
                        + max.periodMicros() + " µs (" + max.cpus() + " CPUs)";
            }

            @Override
            public synchronized ActionResult execute() throws Exception {
                before = driver.cpuMax(group);
                driver.setCpuMax(group, max);
                CpuMax now = driver.cpuMax(group);
                if (!now.equals(max)) {
                    return ActionResult.failed("cpu limit read back as " + now + ", wanted " + max);
                }
                return ActionResult.succeeded("cpu limit " + now.toV2(), ev("before", before.toV2(), "after", now.toV2()));
            }

            @Override
            public synchronized ActionResult revert() throws Exception {
                if (before == null || !driver.exists(group)) {
                    return ActionResult.succeeded("nothing to restore", Map.of());
                }
                driver.setCpuMax(group, before);
                CpuMax now = driver.cpuMax(group);
                return now.equals(before) ? ActionResult.succeeded("cpu limit restored to " + now.toV2(), Map.of())
                        : ActionResult.failed("cpu limit read back as " + now + " after restoring " + before);
            }
        };
    }

    /** Sets the hard memory limit and reads it back (page-rounded values are accepted). Revert restores the previous. */
    public Action limitMemory(String group, long bytes) {
        return new Base("cgroup.memory.limit", ComponentId.cgroup(CgroupDriver.path(group)), NexusLevel.CORRECTION) {
            private long before = Long.MIN_VALUE;

            @Override
            public String describe() {
                return "set memory limit of " + CgroupDriver.path(group) + " to " + bytes + " bytes";
            }

            @Override
            public synchronized ActionResult execute() throws Exception {
                before = driver.memoryMax(group);
                driver.setMemoryMax(group, bytes);
                long now = driver.memoryMax(group);
                if (bytes < 0 ? now != -1 : (now < 0 || Math.abs(now - bytes) >= 4096)) {
                    return ActionResult.failed("memory limit read back as " + now + ", wanted " + bytes);
                }
                return ActionResult.succeeded("memory limit " + now + " bytes",
                        ev("before", before, "after", now, "usage", driver.memoryCurrent(group)));
            }

            @Override
            public synchronized ActionResult revert() throws Exception {
                if (before == Long.MIN_VALUE || !driver.exists(group)) {
                    return ActionResult.succeeded("nothing to restore", Map.of());
                }
                driver.setMemoryMax(group, before);
                long now = driver.memoryMax(group);
                return (before < 0 ? now == -1 : Math.abs(now - before) < 4096)
                        ? ActionResult.succeeded("memory limit restored to " + now, Map.of())
                        : ActionResult.failed("memory limit read back as " + now + " after restoring " + before);
            }
        };
    }

    /** Sets {@code pids.max} and reads it back. Revert restores the previous value. */
    public Action limitPids(String group, long max) {
        return new Base("cgroup.pids.limit", ComponentId.cgroup(CgroupDriver.path(group)), NexusLevel.CORRECTION) {
            private long before = Long.MIN_VALUE;

            @Override
            public String describe() {
                return "set pids.max of " + CgroupDriver.path(group) + " to " + (max < 0 ? "max" : max);
            }

            @Override
            public synchronized ActionResult execute() throws Exception {
                before = driver.pidsMax(group);
                driver.setPidsMax(group, max);
                long now = driver.pidsMax(group);
                if (now != (max < 0 ? -1 : max)) {
                    return ActionResult.failed("pids.max read back as " + now + ", wanted " + max);
                }
                return ActionResult.succeeded("pids.max " + now,
                        ev("before", before, "after", now, "current", driver.pidsCurrent(group)));
            }

            @Override
            public synchronized ActionResult revert() throws Exception {
                if (before == Long.MIN_VALUE || !driver.exists(group)) {
                    return ActionResult.succeeded("nothing to restore", Map.of());
                }
                driver.setPidsMax(group, before);
                return driver.pidsMax(group) == before ? ActionResult.succeeded("pids.max restored", Map.of())
                        : ActionResult.failed("pids.max read back as " + driver.pidsMax(group));
            }
        };
    }

    private boolean awaitFreeze(String group, FreezeState want) throws Exception {
        long deadline = clock.monotonicNanos() + freezeTimeout.toNanos();
        while (true) {
            if (driver.freezeState(group) == want) {
                return true;
            }
            if (clock.monotonicNanos() >= deadline) {
                return false;
            }
            clock.sleepNanos(20_000_000L);
        }
    }

    /**
     * Freezes the group and waits (up to the freeze timeout) until the kernel reports {@code FROZEN}; the evidence
     * holds the scheduler state of each task (frozen tasks show {@code D} on Linux 6.x). Reports FAILED, leaving the
     * freeze requested, when the kernel stays in {@code FREEZING}: observed on this kernel for a task stalled in a v1
     * memory cgroup OOM wait ({@code oom_kill_disable 1}), which the freezer cannot stop. Revert thaws and waits for
     * {@code THAWED}.
     */
    public Action freeze(String group) {
        return new Base("cgroup.freeze", ComponentId.cgroup(CgroupDriver.path(group)), NexusLevel.CORRECTION) {
            @Override
            public String describe() {
                return "freeze every task of " + CgroupDriver.path(group);
            }

            @Override
            public synchronized ActionResult execute() throws Exception {
                driver.setFrozen(group, true);
                if (!awaitFreeze(group, FreezeState.FROZEN)) {
                    return ActionResult.failed("freezer state still " + driver.freezeState(group) + " after "
                            + freezeTimeout);
                }
                Map<String, Object> states = new LinkedHashMap<>();
                for (long p : driver.pids(group)) {
                    states.put(Long.toString(p), String.valueOf(ProcessSampler.state(p)));
                }
                return ActionResult.succeeded(CgroupDriver.path(group) + " FROZEN",
                        ev("state", "FROZEN", "taskStates", states));
            }

            @Override
            public synchronized ActionResult revert() throws Exception {
                if (!driver.exists(group)) {
                    return ActionResult.succeeded("group gone, nothing to thaw", Map.of());
                }
                driver.setFrozen(group, false);
                return awaitFreeze(group, FreezeState.THAWED)
                        ? ActionResult.succeeded(CgroupDriver.path(group) + " THAWED", Map.of())
                        : ActionResult.failed("freezer state " + driver.freezeState(group) + " after thaw");
            }
        };
    }

    /**
     * Replace: SIGKILLs every task of the group (thawing it so the kill is delivered promptly), verifies they are gone,
     * then starts a replacement through {@code restarter} (returns the new pid, or a negative value for "no
     * replacement") and moves it into the group. Killing cannot be undone: revert only reports that.
     */
    public Action replace(String group, LongSupplier restarter) {
        return new Base("cgroup.replace", ComponentId.cgroup(CgroupDriver.path(group)), NexusLevel.HEALING) {
            @Override
            public String describe() {
                return "kill every task of " + CgroupDriver.path(group) + " and start a replacement in it";
            }

            @Override
            public synchronized ActionResult execute() throws Exception {
                List<Long> victims = driver.pids(group);
                for (long p : victims) {
                    ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
                }
                if (driver.freezeState(group) != FreezeState.THAWED) {
                    driver.setFrozen(group, false);
                }
                long deadline = clock.monotonicNanos() + freezeTimeout.toNanos();
                while (!driver.pids(group).isEmpty()) {
                    if (clock.monotonicNanos() >= deadline) {
                        return ActionResult.failed("tasks survived SIGKILL: " + driver.pids(group));
                    }
                    clock.sleepNanos(20_000_000L);
                }
                long fresh = restarter.getAsLong();
                if (fresh < 0) {
                    return ActionResult.succeeded("killed " + victims + ", no replacement", ev("killed", victims));
                }
                driver.movePid(group, fresh);
                if (!driver.pids(group).contains(fresh) || !ProcessSampler.alive(fresh)) {
                    return ActionResult.failed("replacement pid " + fresh + " not running in " + CgroupDriver.path(group));
                }
                return ActionResult.succeeded("replaced " + victims + " by " + fresh,
                        ev("killed", victims, "replacement", fresh));
            }

            @Override
            public ActionResult revert() {
                return ActionResult.skipped("killed processes cannot be revived; the replacement stays");
            }
        };
    }

    /** Pids of the group, tolerant of a missing group (for tests and reconciliation). */
    public List<Long> pidsQuietly(String group) {
        try {
            return driver.exists(group) ? driver.pids(group) : List.of();
        } catch (Exception e) {
            return new ArrayList<>();
        }
    }
}
