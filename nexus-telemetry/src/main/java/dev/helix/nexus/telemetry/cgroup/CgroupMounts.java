package dev.helix.nexus.telemetry.cgroup;

import dev.helix.nexus.telemetry.internal.Texts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the cgroup hierarchies are mounted, from {@code /proc/self/mountinfo}: each cgroup v1 controller's mount
 * point and the cgroup v2 mount point, if any. Handles pure v1, pure v2 and hybrid hosts (v1 controllers plus a
 * v2 hierarchy at {@code /sys/fs/cgroup/unified}).
 *
 * <p>Immutable, thread-safe.
 *
 * @param v1 controller name (cpu, cpuacct, memory, pids, blkio, freezer, name=systemd, ...) to mount point
 * @param v2 the cgroup2 mount point, or null
 */
public record CgroupMounts(Map<String, Path> v1, Path v2) {

    public CgroupMounts {
        v1 = Collections.unmodifiableMap(new TreeMap<>(v1));
    }

    /** Reads {@code procRoot/self/mountinfo}; no mounts when unreadable. */
    public static CgroupMounts read(Path procRoot) {
        try {
            String t = Texts.readOrNull(procRoot.resolve("self/mountinfo"));
            return t == null ? new CgroupMounts(Map.of(), null) : parse(t);
        } catch (IOException e) {
            return new CgroupMounts(Map.of(), null);
        }
    }

    /** Parses mountinfo text; malformed lines are skipped. O(lines). */
    public static CgroupMounts parse(String mountinfo) {
        Map<String, Path> v1 = new TreeMap<>();
        Path v2 = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = Texts.fields(line);
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (dash < 0 || dash + 1 >= f.length || f.length < 5) {
                continue;
            }
            String fsType = f[dash + 1];
            Path mountPoint;
            try {
                mountPoint = Path.of(unescape(f[4]));
            } catch (RuntimeException e) {
                continue;
            }
            if (fsType.equals("cgroup2")) {
                if (v2 == null) {
                    v2 = mountPoint;
                }
            } else if (fsType.equals("cgroup") && dash + 3 < f.length) {
                for (String opt : f[dash + 3].split(",")) {
                    if (!opt.equals("rw") && !opt.equals("ro") && !opt.isEmpty()) {
                        v1.putIfAbsent(opt, mountPoint);
                    }
                }
            }
        }
        return new CgroupMounts(v1, v2);
    }

    /** Undoes mountinfo's octal escapes (\040 for space). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
