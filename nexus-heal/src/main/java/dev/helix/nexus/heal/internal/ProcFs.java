package dev.helix.nexus.heal.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads {@code /proc/<pid>/stat} and friends. Stateless, thread-safe. */
public final class ProcFs {

    /** {@code PF_KTHREAD} in {@code /proc/<pid>/stat} flags. */
    public static final long PF_KTHREAD = 0x00200000L;
    /** {@code PF_EXITING} in {@code /proc/<pid>/stat} flags: set when the task starts to exit (also on zombies). */
    public static final long PF_EXITING = 0x00000004L;

    private ProcFs() {
    }

    /** The parsed fields of {@code /proc/<pid>/stat} NEXUS needs. Ticks are in USER_HZ (100 per second on Linux). */
    public record Stat(long pid, String comm, char state, long ppid, long flags, long utimeTicks, long stimeTicks,
                       long startTicks) {
        public long cpuTicks() {
            return utimeTicks + stimeTicks;
        }

        public boolean kernelThread() {
            return (flags & PF_KTHREAD) != 0;
        }

        /** True once the task has begun to exit (PF_EXITING; zombies included). */
        public boolean exiting() {
            return (flags & PF_EXITING) != 0;
        }
    }

    /** Reads the stat of a pid, or empty when the process is gone. */
    public static Optional<Stat> stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int open = s.indexOf('(');
            int close = s.lastIndexOf(')');
            String comm = s.substring(open + 1, close);
            String[] f = s.substring(close + 2).trim().split(" ");
            return Optional.of(new Stat(pid, comm, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[6]),
                    Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[19])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** True when {@code /proc/<pid>/exe} resolves (kernel threads have none). */
    public static boolean hasExe(long pid) {
        try {
            Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** True when the pid is a kernel thread: PF_KTHREAD set, or a child of kthreadd (pid 2), or pid 2 itself. */
    public static boolean isKernelThread(long pid) {
        Optional<Stat> st = stat(pid);
        if (st.isEmpty()) {
            return false;
        }
        return st.get().kernelThread() || pid == 2 || st.get().ppid() == 2;
    }

    /** The v1 or v2 cgroup path of a pid for a controller ({@code ""} for v2) from {@code /proc/<pid>/cgroup}. */
    public static Optional<String> cgroupOf(long pid, String controller) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3) {
                    boolean match = controller.isEmpty() ? f[0].equals("0") && f[1].isEmpty()
                            : java.util.Arrays.asList(f[1].split(",")).contains(controller);
                    if (match) {
                        return Optional.of(f[2]);
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
