package dev.helix.nexus.core.spi;

import java.util.Objects;

/**
 * Names something NEXUS can observe and act on.
 *
 * @param kind what sort of thing it is
 * @param id   the identity within its kind: a pid ({@code "4242"}), a cgroup path relative to the hierarchy
 *             root ({@code "nexus/demo-leaker"}), or the registered name of an in-JVM component
 */
public record ComponentId(Kind kind, String id) {

    /** The sorts of components. */
    public enum Kind {
        /** The whole host. */
        HOST,
        /** One Linux process. */
        PROCESS,
        /** A process and all its descendants. */
        PROCESS_TREE,
        /** A control group. */
        CGROUP,
        /** A component registered in a JVM through the library API. */
        JVM_COMPONENT
    }

    public ComponentId {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("component id of kind " + kind + " must not be blank");
        }
    }

    /** The host itself. */
    public static ComponentId host(String hostname) {
        return new ComponentId(Kind.HOST, hostname);
    }

    /** A process by pid. */
    public static ComponentId process(long pid) {
        return new ComponentId(Kind.PROCESS, Long.toString(pid));
    }

    /** A cgroup by path. */
    public static ComponentId cgroup(String path) {
        return new ComponentId(Kind.CGROUP, path);
    }

    /** An in-JVM component by registered name. */
    public static ComponentId jvm(String name) {
        return new ComponentId(Kind.JVM_COMPONENT, name);
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
    }
}
