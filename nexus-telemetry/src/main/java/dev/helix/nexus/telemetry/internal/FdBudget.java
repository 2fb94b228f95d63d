package dev.helix.nexus.telemetry.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many file descriptors the sensors may keep open between ticks. Keeping /proc and cgroup files open saves an
 * open and a close per read, but every kept file holds a descriptor of the NEXUS process; on a host with a low
 * {@code RLIMIT_NOFILE} (1024 in some containers) the sensors must not starve the store, sockets and the JVM.
 * A sensor's requested budget is therefore capped at {@value #SHARE_DENOMINATOR}-th of the soft limit read from
 * {@code /proc/self/limits} ("Max open files"); when that file is missing or unreadable (non-Linux, restricted
 * /proc) the cap is {@value #FALLBACK_CAP}. Read once per JVM; thread-safe.
 */
public final class FdBudget {

    /** Sensors together keep at most 1/8 of the soft descriptor limit open per requesting sensor. */
    static final int SHARE_DENOMINATOR = 8;
    /** The cap when the limit cannot be read. */
    static final int FALLBACK_CAP = 64;

    private static final class Holder {
        static final long SOFT_LIMIT = softLimit(Path.of("/proc/self/limits"));
    }

    private FdBudget() {
    }

    /** {@code requested} capped for this process: see the class comment. Never negative. */
    public static int capped(int requested) {
        return cap(requested, Holder.SOFT_LIMIT);
    }

    /** {@code requested} capped for a soft limit ({@code -1} = unknown, {@code Long.MAX_VALUE} = unlimited). */
    static int cap(int requested, long softLimit) {
        if (requested <= 0) {
            return 0;
        }
        long cap = softLimit < 0 ? FALLBACK_CAP : softLimit / SHARE_DENOMINATOR;
        return (int) Math.min(requested, cap);
    }

    /**
     * The soft "Max open files" limit in a {@code /proc/<pid>/limits} file; {@code Long.MAX_VALUE} for "unlimited",
     * {@code -1} when the file or the line is missing or malformed.
     */
    static long softLimit(Path limits) {
        String text;
        try {
            text = Files.readString(limits, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                if (f.length == 0 || f[0].isEmpty()) {
                    return -1;
                }
                if (f[0].equals("unlimited")) {
                    return Long.MAX_VALUE;
                }
                try {
                    long v = Long.parseLong(f[0]);
                    return v >= 0 ? v : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
