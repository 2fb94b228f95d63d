package dev.helix.nexus.heal;

import java.util.Collection;
import java.util.Set;

/**
 * What NEXUS must never touch, besides the built-in rules (PID 1, itself and its ancestors, kernel threads).
 *
 * @param names       process names ({@code comm}) or in-JVM component names
 * @param pids        process ids
 * @param cgroupPaths cgroup paths relative to the hierarchy root (a path protects its whole subtree)
 */
public record ProtectList(Set<String> names, Set<Long> pids, Set<String> cgroupPaths) {

    public static final ProtectList EMPTY = new ProtectList(Set.of(), Set.of(), Set.of());

    public ProtectList {
        names = Set.copyOf(names);
        pids = Set.copyOf(pids);
        cgroupPaths = Set.copyOf(cgroupPaths.stream().map(ProtectList::norm).toList());
    }

    public static ProtectList of(Collection<String> names, Collection<Long> pids, Collection<String> cgroupPaths) {
        return new ProtectList(Set.copyOf(names), Set.copyOf(pids), Set.copyOf(cgroupPaths));
    }

    static String norm(String path) {
        String p = path.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** True when {@code path} equals or lies below a protected cgroup path. */
    public boolean protectsCgroup(String path) {
        String p = norm(path);
        for (String c : cgroupPaths) {
            if (c.isEmpty() || p.equals(c) || p.startsWith(c + "/")) {
                return true;
            }
        }
        return false;
    }
}
