package dev.helix.nexus.heal.cgroup;

import dev.helix.nexus.heal.internal.CgroupV1Driver;
import dev.helix.nexus.heal.internal.CgroupV2Driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Detects the cgroup hierarchies from {@code /proc/self/mountinfo} and builds drivers.
 *
 * <p>{@link #preferred()} picks v2 when its root offers cpu, memory and pids; otherwise v1 when cpu, memory, pids and
 * freezer are mounted; otherwise whatever exists. Immutable, thread-safe.
 *
 * @param v1 the v1 driver over the mounted v1 controllers, if any
 * @param v2 the v2 driver at the cgroup2 mount, if any
 */
public record Cgroups(Optional<CgroupDriver> v1, Optional<CgroupDriver> v2) {

    private static final Set<String> V1_CONTROLLERS = Set.of("cpu", "memory", "pids", "freezer");

    /** Detects from this process's mount table. */
    public static Cgroups detect() {
        return fromMountInfo(Path.of("/proc/self/mountinfo"));
    }

    /** Detects from a mountinfo file (for tests). */
    public static Cgroups fromMountInfo(Path mountinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException e) {
            return new Cgroups(Optional.empty(), Optional.empty());
        }
        Map<String, Path> v1 = new LinkedHashMap<>();
        Path v2 = null;
        for (String line : lines) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] pre = line.substring(0, dash).split(" ");
            String[] post = line.substring(dash + 3).split(" ");
            if (pre.length < 5 || post.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(pre[4].replace("\\040", " "));
            if (post[0].equals("cgroup2") && v2 == null) {
                v2 = mountPoint;
            } else if (post[0].equals("cgroup")) {
                for (String opt : post[2].split(",")) {
                    if (V1_CONTROLLERS.contains(opt)) {
                        v1.putIfAbsent(opt, mountPoint);
                    }
                }
            }
        }
        Optional<CgroupDriver> d1 = v1.isEmpty() ? Optional.empty()
                : Optional.of(new CgroupV1Driver(commonParent(v1), v1));
        Optional<CgroupDriver> d2 = v2 == null ? Optional.empty() : Optional.of(new CgroupV2Driver(v2));
        return new Cgroups(d1, d2);
    }

    private static Path commonParent(Map<String, Path> mounts) {
        Path p = mounts.values().iterator().next().getParent();
        return p == null ? Path.of("/") : p;
    }

    /** The best driver for quarantine, per the class comment; empty when no cgroups are mounted. */
    public Optional<CgroupDriver> preferred() {
        if (v2.isPresent() && v2.get().controllers().containsAll(Set.of("cpu", "memory", "pids"))) {
            return v2;
        }
        if (v1.isPresent() && v1.get().controllers().containsAll(V1_CONTROLLERS)) {
            return v1;
        }
        return v2.isPresent() ? v2 : v1;
    }

    /** The preferred driver if it is writable here (root, not read-only); empty otherwise. */
    public Optional<CgroupDriver> writable() {
        return preferred().filter(CgroupDriver::isWritable);
    }
}
