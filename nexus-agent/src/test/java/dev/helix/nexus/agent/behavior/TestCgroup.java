package dev.helix.nexus.agent.behavior;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A cgroup for a test workload: the same path in one cgroup v1 controller hierarchy (memory: a limit and the memory
 * counters; cpu: a weight) and, when mounted, in the v2 hierarchy (per-group PSI and cpu.stat), so both report one
 * subject.
 * {@link #close} kills what is left in it and removes both directories. Skips the test (assumption) when the
 * hierarchies are absent or not writable (not root, read-only /sys/fs/cgroup).
 */
final class TestCgroup implements AutoCloseable {

    static final Path V1_MEMORY = Path.of("/sys/fs/cgroup/memory");
    static final Path V1_CPU = Path.of("/sys/fs/cgroup/cpu");
    static final Path V2 = Path.of("/sys/fs/cgroup/unified");

    private final String name;
    private final List<Path> dirs = new ArrayList<>();

    /**
     * @param name     directory name of the group in each hierarchy
     * @param v1Root   the v1 controller hierarchy (memory or cpu)
     * @param file     the control file to set there, e.g. memory.limit_in_bytes or cpu.shares
     * @param value    its value
     */
    TestCgroup(String name, Path v1Root, String file, long value) {
        this.name = "/" + name;
        assumeTrue(Files.isDirectory(v1Root), "no cgroup v1 hierarchy at " + v1Root);
        try {
            Path g = Files.createDirectory(v1Root.resolve(name));
            dirs.add(g);
            Files.writeString(g.resolve(file), Long.toString(value));
            if (Files.isRegularFile(V2.resolve("cgroup.procs"))) {
                dirs.add(Files.createDirectory(V2.resolve(name)));
            }
        } catch (IOException | SecurityException e) {
            close();
            assumeTrue(false, "the kernel refused a test cgroup " + name + " (needs root and a writable "
                    + v1Root + "): " + e);
        }
    }

    /** A group whose memory is limited to {@code limitBytes}. */
    static TestCgroup memoryLimited(String name, long limitBytes) {
        return new TestCgroup(name, V1_MEMORY, "memory.limit_in_bytes", limitBytes);
    }

    /** A group with CPU weight {@code shares} (1024 is one ordinary task group's weight). */
    static TestCgroup cpuWeighted(String name, long shares) {
        return new TestCgroup(name, V1_CPU, "cpu.shares", shares);
    }

    /** The subject path, e.g. "/nexus-test-thrash-123". */
    String path() {
        return name;
    }

    /** {@code command} wrapped in a shell that first moves itself into this cgroup, then execs it. */
    List<String> wrap(List<String> command) {
        StringBuilder sh = new StringBuilder();
        for (Path d : dirs) {
            sh.append("echo $$ > '").append(d.resolve("cgroup.procs")).append("' && ");
        }
        sh.append("exec \"$@\"");
        List<String> out = new ArrayList<>(List.of("/bin/sh", "-c", sh.toString(), "sh"));
        out.addAll(command);
        return out;
    }

    @Override
    public void close() {
        for (Path d : dirs) {
            try {
                for (String pid : Files.readAllLines(d.resolve("cgroup.procs"))) {
                    ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
            } catch (IOException | RuntimeException ignored) {
                // already empty or gone
            }
        }
        for (Path d : dirs) {
            for (int i = 0; i < 100 && Files.exists(d); i++) {
                try {
                    Files.delete(d); // rmdir: succeeds once the killed tasks have left
                } catch (IOException e) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
