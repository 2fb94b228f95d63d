package dev.helix.nexus.detect.behavior;

import java.util.Objects;

/**
 * What a behaviour verdict is about: the host, one process (by pid) or one cgroup (by path relative to its hierarchy
 * root; the v1 and v2 groups of the same path are one subject). Thread-safe (immutable).
 *
 * @param kind host, process or cgroup
 * @param id   "host", the pid, or the cgroup path ("/nexus/leaker")
 */
public record BehaviorSubject(Kind kind, String id) {

    /** The three kinds of subject. */
    public enum Kind { HOST, PROCESS, CGROUP }

    /** The host. */
    public static final BehaviorSubject HOST = new BehaviorSubject(Kind.HOST, "host");

    public BehaviorSubject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
    }

    /** The process with this pid. */
    public static BehaviorSubject process(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
        return new BehaviorSubject(Kind.PROCESS, Long.toString(pid));
    }

    /** The cgroup with this path ("/" for the root). */
    public static BehaviorSubject cgroup(String path) {
        return new BehaviorSubject(Kind.CGROUP, path);
    }

    @Override
    public String toString() {
        return kind == Kind.HOST ? "host" : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + id;
    }
}
