package dev.helix.nexus.heal;

import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.Cgroups;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Test support: small {@code sh -c} children that wait for "go" on stdin (so they can be moved into a cgroup before
 * they start working), unique group names, and cleanup that kills every child and every test group.
 */
final class Children implements AutoCloseable {

    /** Burns one CPU; exits by itself when the JVM that started it is gone ({@code kill -0 $PPID} is a builtin). */
    static final String HOG = "while kill -0 $PPID 2>/dev/null; do :; done";
    /** Doubles a string until memory runs out. */
    static final String LEAKER = "x=0123456789abcdef0123456789abcdef; while kill -0 $PPID 2>/dev/null; do x=\"$x$x\"; done";
    /** Leaks about 512 KiB every 50 ms (gradual growth). */
    static final String SLOW_LEAKER = "c=0123456789abcdef; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do c=\"$c$c\"; done; "
            + "x=; while kill -0 $PPID 2>/dev/null; do x=\"$x$c\"; sleep 0.05; done";
    /** Forks 40 sleepers (a fork bomb, lite). */
    static final String FORKER = "i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done; wait";

    private static final AtomicInteger SEQ = new AtomicInteger();

    private final List<Process> started = new ArrayList<>();
    private final List<String> groups = new ArrayList<>();
    private final CgroupDriver driver;

    Children(CgroupDriver driver) {
        this.driver = driver;
    }

    /** The writable cgroup v1 driver, or the test is skipped with the reason. */
    static CgroupDriver requireWritableV1() {
        Cgroups cg = Cgroups.detect();
        assumeTrue(cg.v1().isPresent(), "cgroup v1 is not mounted here (see /proc/self/mountinfo); skipping real test");
        CgroupDriver d = cg.v1().get();
        assumeTrue(d.controllers().containsAll(List.of("cpu", "memory", "pids", "freezer")),
                "cgroup v1 lacks one of cpu, memory, pids, freezer: " + d.controllers());
        assumeTrue(d.isWritable(), "cgroup v1 at " + d.root() + " is not writable (need root and rw mount); skipping");
        removeStaleTestGroups(d);
        return d;
    }

    /** Removes {@code t-*} groups left by a test JVM that died (its pid is the first numeric part of the name). */
    static void removeStaleTestGroups(CgroupDriver d) {
        try {
            for (String g : d.list()) {
                if (!g.startsWith("t-")) {
                    continue;
                }
                long owner = -1;
                for (String part : g.split("-")) {
                    if (!part.isEmpty() && part.chars().allMatch(Character::isDigit)) {
                        owner = Long.parseLong(part);
                        break;
                    }
                }
                if (owner > 0 && ProcessHandle.of(owner).isEmpty()) {
                    d.setFrozen(g, false);
                    for (long pid : d.pids(g)) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    Thread.sleep(100);
                    d.remove(g);
                }
            }
        } catch (Exception e) {
            // best effort
        }
    }

    /** A fresh group name, remembered for cleanup. */
    String group(String what) {
        String g = "t-" + what + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        groups.add(g);
        return g;
    }

    /** Starts {@code sh -c "read go; <script>"}. */
    Process waiting(String script) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "read go; " + script);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Starts {@code sh -c "<script>"} right away. */
    Process running(String script) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    static void go(Process p) throws IOException {
        OutputStream o = p.getOutputStream();
        o.write("go\n".getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    /** Kills every child and everything in the test groups, then removes the groups. Never throws. */
    @Override
    public void close() {
        for (String g : groups) {
            try {
                if (driver != null && driver.exists(g)) {
                    driver.setFrozen(g, false);
                    for (long pid : driver.pids(g)) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            } catch (Exception e) {
                // keep cleaning
            }
        }
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String g : groups) {
            for (int i = 0; i < 50; i++) {
                try {
                    if (driver == null || !driver.exists(g)) {
                        break;
                    }
                    for (long pid : driver.pids(g)) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    driver.remove(g);
                    break;
                } catch (Exception e) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        try {
            if (driver != null) {
                driver.removeParentIfEmpty();
            }
        } catch (Exception e) {
            // another test or NEXUS itself still has groups there
        }
    }
}
