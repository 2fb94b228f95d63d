package dev.helix.nexus.heal;

import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.internal.ProcFs;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The target rules: never PID 1, never the NEXUS process itself or any of its ancestors (captured at construction),
 * never kernel threads (PF_KTHREAD, children of kthreadd, or no {@code /proc/<pid>/exe}), nothing on the
 * {@link ProtectList}, only cgroups under {@code nexus/}, and no cgroup holding a protected process.
 *
 * <p>{@link #refuse(Action)} has the shape of the core engine's {@code ActionGate.Check}, so the engine can plug these
 * rules in with {@code actionGate.addCheck(rules::refuse)}. Immutable and thread-safe.
 */
public final class SafetyRules {

    private final ProtectList protect;
    private final CgroupDriver cgroups;
    private final long selfPid;
    private final Set<Long> protectedPids;

    /** @param cgroups lets the rules look inside cgroup targets; may be null */
    public SafetyRules(ProtectList protect, CgroupDriver cgroups) {
        this.protect = protect;
        this.cgroups = cgroups;
        this.selfPid = ProcessHandle.current().pid();
        Set<Long> p = new HashSet<>();
        p.add(1L);
        p.add(selfPid);
        Optional<ProcessHandle> h = ProcessHandle.current().parent();
        while (h.isPresent()) {
            p.add(h.get().pid());
            h = h.get().parent();
        }
        p.addAll(protect.pids());
        this.protectedPids = Set.copyOf(p);
    }

    /** Why {@code action} must not run, or empty. */
    public Optional<String> refuse(Action action) {
        return refusal(action.target());
    }

    /** Why the rules refuse to act on {@code target}, or empty when the target is allowed. */
    public Optional<String> refusal(ComponentId target) {
        switch (target.kind()) {
            case PROCESS, PROCESS_TREE -> {
                long pid;
                try {
                    pid = Long.parseLong(target.id().trim());
                } catch (NumberFormatException e) {
                    return Optional.of("not a pid: '" + target.id() + "'");
                }
                return refusePid(pid);
            }
            case CGROUP -> {
                String path = ProtectList.norm(target.id());
                if (!path.startsWith(CgroupDriver.NEXUS_PARENT + "/") || path.contains("..")) {
                    return Optional.of("cgroup " + path + " is not under " + CgroupDriver.NEXUS_PARENT
                            + "/: NEXUS only changes its own cgroups");
                }
                if (protect.protectsCgroup(path)) {
                    return Optional.of("cgroup " + path + " is on the protect-list");
                }
                if (cgroups != null) {
                    String name = path.substring(CgroupDriver.NEXUS_PARENT.length() + 1);
                    try {
                        if (!name.contains("/") && cgroups.exists(name)) {
                            for (long pid : cgroups.pids(name)) {
                                Optional<String> r = refusePid(pid);
                                // a member that has gone or is exiting meanwhile does not block the group
                                if (r.isPresent() && ProcFs.stat(pid).filter(m -> !m.exiting()).isPresent()) {
                                    return Optional.of("cgroup " + path + " holds a protected process: " + r.get());
                                }
                            }
                        }
                    } catch (Exception e) {
                        return Optional.of("cannot inspect cgroup " + path + ": " + e.getMessage());
                    }
                }
                return Optional.empty();
            }
            case JVM_COMPONENT -> {
                return protect.names().contains(target.id())
                        ? Optional.of("component " + target.id() + " is on the protect-list") : Optional.empty();
            }
            case HOST -> {
                return Optional.empty();
            }
            default -> {
                return Optional.of("unknown target kind " + target.kind());
            }
        }
    }

    /** Why a pid is protected, or empty. */
    public Optional<String> refusePid(long pid) {
        if (pid <= 1) {
            return Optional.of(pid == 1 ? "never PID 1 (init)" : "invalid pid " + pid);
        }
        if (pid == selfPid) {
            return Optional.of("never the NEXUS process itself (pid " + pid + ")");
        }
        if (protectedPids.contains(pid)) {
            return Optional.of("pid " + pid + " is protected (an ancestor of NEXUS or on the protect-list)");
        }
        Optional<ProcFs.Stat> st = ProcFs.stat(pid);
        if (st.isEmpty()) {
            return Optional.of("pid " + pid + " does not exist");
        }
        if (st.get().kernelThread() || pid == 2 || st.get().ppid() == 2) {
            return Optional.of("pid " + pid + " (" + st.get().comm() + ") is a kernel thread");
        }
        if (!ProcFs.hasExe(pid)) {
            // No exe link: a kernel thread, or a user process that is exiting (its memory map, and with it the exe
            // link, is released after PF_EXITING is set). Read the flags again after the failed readlink to tell.
            Optional<ProcFs.Stat> again = ProcFs.stat(pid);
            if (again.isEmpty()) {
                return Optional.of("pid " + pid + " does not exist");
            }
            return Optional.of(again.get().exiting()
                    ? "pid " + pid + " (" + st.get().comm() + ") is exiting"
                    : "pid " + pid + " (" + st.get().comm() + ") is a kernel thread");
        }
        if (protect.names().contains(st.get().comm())) {
            return Optional.of("pid " + pid + " (" + st.get().comm() + ") is on the protect-list by name");
        }
        return Optional.empty();
    }
}
