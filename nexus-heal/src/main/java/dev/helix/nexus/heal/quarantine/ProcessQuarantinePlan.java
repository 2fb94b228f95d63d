package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.heal.action.CgroupActions;
import dev.helix.nexus.heal.cgroup.CpuMax;

import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The ladder for a Linux process in cgroup {@code nexus/<group>}:
 * RESTRICT = move into the group + CPU cap; LIMIT = memory cap + pids cap; MONITOR = no change (watch closer);
 * ISOLATE = freeze; REPLACE = kill every task and start a replacement through {@code restarter}.
 *
 * <p>Immutable and thread-safe; creates fresh actions on each call.
 */
public final class ProcessQuarantinePlan implements QuarantinePlan {

    private final CgroupActions actions;
    private final String group;
    private final long pid;
    private final CpuMax cpu;
    private final long memoryBytes;
    private final long pidsMax;
    private final LongSupplier restarter;
    private final BooleanSupplier healthy;

    /**
     * @param restarter starts a replacement and returns its pid, or -1 for none
     * @param healthy   the health signal, e.g. a detector's verdict for this process
     */
    public ProcessQuarantinePlan(CgroupActions actions, String group, long pid, CpuMax cpu, long memoryBytes,
                                 long pidsMax, LongSupplier restarter, BooleanSupplier healthy) {
        this.actions = Objects.requireNonNull(actions);
        this.group = group;
        this.pid = pid;
        this.cpu = cpu;
        this.memoryBytes = memoryBytes;
        this.pidsMax = pidsMax;
        this.restarter = restarter;
        this.healthy = healthy;
    }

    @Override
    public List<Action> actionsFor(QuarantineState step) {
        return switch (step) {
            case RESTRICT -> List.of(actions.attach(group, pid), actions.limitCpu(group, cpu));
            case LIMIT -> List.of(actions.limitMemory(group, memoryBytes), actions.limitPids(group, pidsMax));
            case MONITOR -> List.of();
            case ISOLATE -> List.of(actions.freeze(group));
            case REPLACE -> List.of(actions.replace(group, restarter));
            default -> throw new IllegalArgumentException("no actions for " + step);
        };
    }

    @Override
    public boolean healthy() {
        return healthy.getAsBoolean();
    }
}
