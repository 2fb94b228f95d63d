package dev.helix.nexus.telemetry.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A writable fake proc root that keeps the kernel's bookkeeping the process sensor relies on: {@code self} names this
 * JVM (so the sensor trusts {@code loadavg}), {@code loadavg} carries the last pid handed out and the number of tasks,
 * {@code stat} carries {@code procs_blocked}. Creating a process moves the last pid to its pid and adds its threads to
 * the task count; an exit removes its directory and its threads. Not thread-safe.
 */
final class FakeProc {

    /** One fake process; {@link #write} puts its fields into {@code [pid]/stat}. */
    static final class Proc {
        final int pid;
        final long startTime;
        long utime;
        long rssPages;
        char state = 'S';
        int threads = 1;

        Proc(int pid, long startTime, long utime, long rssPages) {
            this.pid = pid;
            this.startTime = startTime;
            this.utime = utime;
            this.rssPages = rssPages;
        }
    }

    final Path root;
    final Map<Integer, Proc> procs = new TreeMap<>();
    long lastPid;
    long procsBlocked;
    /** Tasks outside the fake processes (a constant background in loadavg's task count). */
    long otherTasks = 7;
    private long nextStart = 1000;

    FakeProc(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("self"), Path.of(Long.toString(ProcessHandle.current().pid())));
        write(); // loadavg must exist when a sensor is built: it decides then whether to trust it
    }

    /** A new process with pid {@code pid}: the last pid moves to it (as a fork would). */
    Proc spawn(int pid, long utime, long rssPages) throws IOException {
        Proc p = new Proc(pid, nextStart++, utime, rssPages);
        procs.put(pid, p);
        lastPid = pid;
        Files.createDirectories(root.resolve(pid + "/fd"));
        return p;
    }

    /**
     * Process {@code pid} exits and, after the pid counter wrapped, a new process gets the same pid: the task count is
     * unchanged and the last pid moves back to {@code pid}. The stat file is rewritten in place, which is what a
     * kept-open procfs file shows once reopened (a deleted tmpfs file would go on showing the old content).
     */
    Proc reuse(int pid, long utime, long rssPages) {
        Proc p = new Proc(pid, nextStart++, utime, rssPages);
        procs.put(pid, p);
        lastPid = pid;
        return p;
    }

    /** The process exits and is reaped: its directory goes, its threads leave the task count. */
    void exit(int pid) throws IOException {
        procs.remove(pid);
        Path dir = root.resolve(Integer.toString(pid));
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) w.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    static String statLine(Proc p) {
        return p.pid + " (p" + p.pid + ") " + p.state + " 1 " + p.pid + " " + p.pid + " 0 -1 4194560 0 0 0 0 " + p.utime
                + " 0 0 0 20 0 " + p.threads + " 0 " + p.startTime + " 1000000 " + p.rssPages
                + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    }

    /** Writes every process's stat, loadavg and stat as they stand. */
    void write() throws IOException {
        long tasks = otherTasks;
        for (Proc p : procs.values()) {
            Files.writeString(root.resolve(p.pid + "/stat"), statLine(p));
            tasks += p.threads;
        }
        Files.writeString(root.resolve("loadavg"), "0.10 0.20 0.30 1/" + tasks + " " + lastPid + "\n");
        Files.writeString(root.resolve("stat"), "cpu  1 2 3 4\nprocs_running 1\nprocs_blocked " + procsBlocked
                + "\nsoftirq 0 0\n");
    }
}
