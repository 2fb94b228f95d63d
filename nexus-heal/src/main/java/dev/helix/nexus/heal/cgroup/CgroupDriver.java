package dev.helix.nexus.heal.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Creates, limits, freezes and removes NEXUS's own cgroups. Every group lives under the dedicated
 * {@value #NEXUS_PARENT} parent, so that reconciliation can find and remove leftovers; {@code name} arguments are
 * single path segments relative to that parent ({@code "demo-leaker"} is {@code nexus/demo-leaker}).
 *
 * <p>Every setter writes the kernel file; callers verify by reading back through the matching getter (the actions in
 * {@code dev.helix.nexus.heal.action} do). Unlimited values are {@code -1}.
 *
 * <p>Implementations are thread-safe in the sense that they hold no mutable state besides the file system; concurrent
 * changes to the same group race at the kernel, as with any cgroup tool.
 */
public interface CgroupDriver {

    /** The parent directory of every NEXUS cgroup, relative to the hierarchy root. */
    String NEXUS_PARENT = "nexus";

    /** Which hierarchy this drives. */
    CgroupVersion version();

    /** The hierarchy root (v2 mount point; for v1 the directory containing the controller mounts). */
    Path root();

    /** Controllers this driver can use: a subset of {@code cpu, memory, pids, freezer}. */
    Set<String> controllers();

    /** True when NEXUS groups can be created here (probes by creating and removing a group). */
    boolean isWritable();

    /** The path of a group relative to the hierarchy root, e.g. {@code nexus/demo}. */
    static String path(String name) {
        return NEXUS_PARENT + "/" + name;
    }

    /** Checks a group name: one path segment, no dots-only, no slash. */
    static String checkName(String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.equals(".") || name.equals("..")
                || name.contains("\0")) {
            throw new IllegalArgumentException("bad cgroup name '" + name + "': one path segment expected");
        }
        return name;
    }

    /** Creates the group (and the {@code nexus} parent) if missing. */
    void create(String name) throws IOException;

    /** True when the group exists. */
    boolean exists(String name);

    /** Removes an empty group (rmdir in every hierarchy). */
    void remove(String name) throws IOException;

    /** Removes the {@code nexus} parent itself when it holds no group (on NEXUS stop; idempotent). */
    void removeParentIfEmpty() throws IOException;

    /** Names of the groups under the {@code nexus} parent. */
    List<String> list() throws IOException;

    /** Moves a whole process (all its threads) into the group. */
    void movePid(String name, long pid) throws IOException;

    /** Moves a process back to the hierarchy root. */
    void moveToRoot(long pid) throws IOException;

    /** Pids in the group ({@code cgroup.procs}). */
    List<Long> pids(String name) throws IOException;

    /** Sets the CPU bandwidth limit. */
    void setCpuMax(String name, CpuMax max) throws IOException;

    /** Reads the CPU bandwidth limit back. */
    CpuMax cpuMax(String name) throws IOException;

    /** Sets the hard memory limit in bytes ({@code -1} unlimited). */
    void setMemoryMax(String name, long bytes) throws IOException;

    /** Reads the hard memory limit back ({@code -1} unlimited). */
    long memoryMax(String name) throws IOException;

    /** Sets the soft memory limit (v2 {@code memory.high}; v1 {@code memory.soft_limit_in_bytes}, which only guides
     * reclaim and does not throttle). */
    void setMemoryHigh(String name, long bytes) throws IOException;

    /** Reads the soft memory limit back ({@code -1} unlimited). */
    long memoryHigh(String name) throws IOException;

    /** Current memory charged to the group, in bytes. */
    long memoryCurrent(String name) throws IOException;

    /** How many processes of the group the OOM killer has killed. */
    long oomKills(String name) throws IOException;

    /** Sets the maximum number of tasks ({@code -1} unlimited). */
    void setPidsMax(String name, long max) throws IOException;

    /** Reads the task limit back ({@code -1} unlimited). */
    long pidsMax(String name) throws IOException;

    /** Tasks currently in the group. */
    long pidsCurrent(String name) throws IOException;

    /** Requests freezing or thawing; completion is observed through {@link #freezeState(String)}. */
    void setFrozen(String name, boolean frozen) throws IOException;

    /** The freezer state as the kernel reports it. */
    FreezeState freezeState(String name) throws IOException;
}
