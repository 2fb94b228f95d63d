package dev.helix.nexus.heal;

import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.FreezeState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Removes leftover NEXUS cgroups (a crash, a killed test): for each group under {@code nexus/} it thaws, moves every
 * task back to the root, and removes the directory. Run it when NEXUS starts and when it stops.
 *
 * <p>Thread-safe if the driver is; two reconcilers racing on one hierarchy just see {@code ENOENT}s.
 */
public final class CgroupReconciler {

    private final CgroupDriver driver;
    private final EventLog log;
    private final EngineClock clock;
    private final java.util.function.Predicate<String> scope;

    /** Reconciles every group under {@code nexus/}. */
    public CgroupReconciler(CgroupDriver driver, EventLog log, EngineClock clock) {
        this(driver, log, clock, name -> true);
    }

    /**
     * Reconciles only the groups {@code scope} accepts (e.g. those a crash journal says this instance owned), so
     * groups of other users of the shared {@code nexus/} parent are left alone.
     */
    public CgroupReconciler(CgroupDriver driver, EventLog log, EngineClock clock,
                            java.util.function.Predicate<String> scope) {
        this.driver = driver;
        this.log = log;
        this.clock = clock;
        this.scope = java.util.Objects.requireNonNull(scope);
    }

    /** The outcome: groups removed, and groups that could not be removed with the reason. */
    public record Report(List<String> removed, Map<String, String> failed) {
        public Report {
            removed = List.copyOf(removed);
            failed = Map.copyOf(failed);
        }
    }

    /** Reconciles every group under {@code nexus/}; never throws. */
    public Report reconcile() {
        List<String> removed = new ArrayList<>();
        Map<String, String> failed = new java.util.LinkedHashMap<>();
        List<String> names;
        try {
            names = driver.list();
        } catch (Exception e) {
            failed.put("*", e.getMessage());
            return new Report(removed, failed);
        }
        for (String name : names) {
            if (!scope.test(name)) {
                continue;
            }
            try {
                if (driver.controllers().contains("freezer") && driver.freezeState(name) != FreezeState.THAWED) {
                    driver.setFrozen(name, false);
                }
                List<Long> pids = driver.pids(name);
                for (long pid : pids) {
                    try {
                        driver.moveToRoot(pid);
                    } catch (Exception e) {
                        // the task may have exited meanwhile
                    }
                }
                driver.remove(name);
                removed.add(name);
                log.append(new NexusEvent(clock.wallMillis(), EventCategory.ACTION, "cgroup.reconciled",
                        "cgroup:" + CgroupDriver.path(name), "removed leftover NEXUS cgroup",
                        Map.of("movedToRoot", pids)));
            } catch (Exception e) {
                failed.put(name, String.valueOf(e.getMessage()));
                log.append(new NexusEvent(clock.wallMillis(), EventCategory.ACTION, "cgroup.reconcile_failed",
                        "cgroup:" + CgroupDriver.path(name), "could not remove leftover NEXUS cgroup: " + e.getMessage(),
                        Map.of()));
            }
        }
        if (failed.isEmpty()) {
            try {
                driver.removeParentIfEmpty();
            } catch (Exception e) {
                failed.put(CgroupDriver.NEXUS_PARENT, String.valueOf(e.getMessage()));
            }
        }
        return new Report(removed, failed);
    }
}
