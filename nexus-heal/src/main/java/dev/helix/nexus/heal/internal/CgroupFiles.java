package dev.helix.nexus.heal.internal;

import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.CgroupException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small helpers to read and write cgroup control files with errors that name the file. Stateless, thread-safe. */
public final class CgroupFiles {

    /** Values at or above this (v1 prints page-aligned LONG_MAX) mean "unlimited". */
    static final long UNLIMITED_THRESHOLD = 1L << 62;

    private CgroupFiles() {
    }

    public static String read(Path file) throws CgroupException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new CgroupException("cannot read " + file + ": " + e, e);
        }
    }

    public static void write(Path file, String value) throws CgroupException {
        try {
            Files.writeString(file, value, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CgroupException("cannot write '" + value + "' to " + file + ": " + e, e);
        }
    }

    /** Reads a number where {@code max} or a huge value means unlimited ({@code -1}). */
    public static long readLimit(Path file) throws CgroupException {
        String s = read(file);
        if (s.equals("max") || s.equals("-1")) {
            return -1;
        }
        try {
            long v = Long.parseLong(s);
            return v >= UNLIMITED_THRESHOLD ? -1 : v;
        } catch (NumberFormatException e) {
            throw new CgroupException("not a number in " + file + ": '" + s + "'");
        }
    }

    public static long readLong(Path file) throws CgroupException {
        String s = read(file);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CgroupException("not a number in " + file + ": '" + s + "'");
        }
    }

    /** Reads {@code key value} lines (memory.events, cgroup.events, memory.oom_control) and returns the value. */
    public static long readKeyed(Path file, String key) throws CgroupException {
        for (String line : read(file).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals(key)) {
                return Long.parseLong(f[1]);
            }
        }
        return 0;
    }

    public static List<Long> readPids(Path file) throws CgroupException {
        List<Long> out = new ArrayList<>();
        for (String line : read(file).split("\n")) {
            if (!line.isBlank()) {
                out.add(Long.parseLong(line.trim()));
            }
        }
        return out;
    }

    public static void mkdirs(Path dir) throws CgroupException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CgroupException("cannot create " + dir + ": " + e, e);
        }
    }

    public static void rmdir(Path dir) throws CgroupException {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new CgroupException("cannot remove " + dir + " (still has tasks or children?): " + e, e);
        }
    }

    public static List<String> childDirs(Path dir) throws CgroupException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new CgroupException("cannot list " + dir + ": " + e, e);
        }
    }

    /**
     * Whether {@code driver} can create and remove groups: creates and removes a probe group named after this
     * process, and removes {@code nexusParent} (the directory of NEXUS's own groups) again if the probe created it.
     * Any failure means "not writable". Costs a few mkdir/rmdir calls.
     */
    static boolean probeWritable(CgroupDriver driver, Path nexusParent) {
        String probe = ".nexus-probe-" + ProcessHandle.current().pid();
        boolean hadParent = Files.isDirectory(nexusParent);
        try {
            driver.create(probe);
            driver.remove(probe);
            if (!hadParent) {
                driver.removeParentIfEmpty();
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
