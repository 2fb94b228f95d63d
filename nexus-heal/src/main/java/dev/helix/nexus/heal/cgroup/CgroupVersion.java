package dev.helix.nexus.heal.cgroup;

/** Which cgroup hierarchy a {@link CgroupDriver} drives. */
public enum CgroupVersion {
    /** Legacy per-controller hierarchies (cpu, memory, pids, freezer mounted separately). */
    V1,
    /** The unified hierarchy (cgroup2). */
    V2
}
