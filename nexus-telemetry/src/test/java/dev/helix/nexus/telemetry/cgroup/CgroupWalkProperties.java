package dev.helix.nexus.telemetry.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.ProcFileReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The hierarchy walk that trusts directory link counts (skips leaf directories and names known to be files) finds the
 * same groups in the same order as the plain walk that stats every entry: on random trees changed between walks
 * (directories added and removed, files replaced by directories of the same name and back), and on this machine's
 * real cgroup hierarchies.
 */
class CgroupWalkProperties {

    /** A sensor used only for its walk. */
    static final class Walker extends CgroupSensorBase {
        Walker(int maxDepth, int maxGroups) {
            super("walker", "test", "v2", maxDepth, maxGroups, 1);
        }

        @Override
        protected void doSample(MetricSink sink, long ts, String text) {
            // walk() is called directly
        }
    }

    /** The walk as it was before link counts: BFS, every entry stat'ed, children in directory order. */
    static List<Path> referenceWalk(Path root, int maxDepth, int maxGroups) {
        List<Path> out = new ArrayList<>();
        ArrayDeque<Path> queue = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        queue.add(root);
        depths.add(0);
        while (!queue.isEmpty() && out.size() < maxGroups) {
            Path dir = queue.poll();
            int depth = depths.poll();
            out.add(dir);
            if (depth >= maxDepth) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path child : ds) {
                    queue.add(child);
                    depths.add(depth + 1);
                }
            } catch (IOException | RuntimeException e) {
                // as the sensor: an unlistable directory has no children
            }
        }
        return out;
    }

    private static final String[] NAMES = {"a", "b", "c", "memory.stat", "cpu.max", "x.slice", "y.service", "tasks"};

    @Property(tries = 150)
    void linkCountWalkEqualsTheFullWalkAcrossChanges(@ForAll long seed,
                                                     @ForAll @IntRange(min = 0, max = 3) int maxDepth,
                                                     @ForAll @IntRange(min = 1, max = 30) int maxGroups)
            throws IOException {
        Path root = Files.createTempDirectory("cgwalk");
        try {
            assumeThat(unixConvention(root)).as("temp file system keeps nlink = 2 + subdirectories").isTrue();
            Random rnd = new Random(seed);
            grow(root, rnd, 0);
            Walker w = new Walker(maxDepth, maxGroups);
            w.useLinkCounts(true);
            for (int round = 0; round < 6; round++) {
                assertThat(w.walk(root)).as("round %d", round).isEqualTo(referenceWalk(root, maxDepth, maxGroups));
                for (int m = rnd.nextInt(4); m >= 0; m--) {
                    mutate(root, rnd);
                }
            }
        } finally {
            delete(root);
        }
    }

    @Test
    void realCgroupHierarchiesWalkTheSameWithLinkCounts() {
        CgroupMounts mounts = CgroupMounts.read(Path.of("/proc"));
        List<Path> roots = new ArrayList<>(mounts.v1().values());
        if (mounts.v2() != null) {
            roots.add(mounts.v2());
        }
        roots.removeIf(r -> !Files.isDirectory(r) || !ProcFileReader.isKernelFileSystem(r));
        assumeThat(roots).as("needs a mounted cgroup file system").isNotEmpty();
        int compared = 0;
        for (Path root : roots.stream().distinct().toList()) {
            Walker w = new Walker(2, 256);
            w.useLinkCounts(true);
            for (int attempt = 0; attempt < 10; attempt++) {
                List<Path> before = referenceWalk(root, 2, 256);
                List<Path> walked = w.walk(root);
                List<Path> after = referenceWalk(root, 2, 256);
                if (before.equals(after)) { // no group created or removed meanwhile
                    assertThat(walked).as(root.toString()).isEqualTo(before);
                    compared++;
                    break;
                }
            }
        }
        assertThat(compared).as("hierarchies compared without a concurrent change").isPositive();
    }

    /** nlink of an empty directory is 2 and of a directory with one subdirectory 3 (ext4, tmpfs; not btrfs). */
    static boolean unixConvention(Path tmp) throws IOException {
        Path d = Files.createDirectory(tmp.resolve(".probe"));
        int empty = (Integer) Files.getAttribute(d, "unix:nlink");
        Files.createDirectory(d.resolve("s"));
        int one = (Integer) Files.getAttribute(d, "unix:nlink");
        Files.delete(d.resolve("s"));
        Files.delete(d);
        return empty == 2 && one == 3;
    }

    private static void grow(Path dir, Random rnd, int depth) throws IOException {
        for (String name : NAMES) {
            int r = rnd.nextInt(10);
            if (r < 4) {
                Files.writeString(dir.resolve(name), "1\n");
            } else if (r < 6 && depth < 4) {
                grow(Files.createDirectory(dir.resolve(name)), rnd, depth + 1);
            }
        }
    }

    private static void mutate(Path root, Random rnd) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        Path dir = dirs.get(rnd.nextInt(dirs.size()));
        Path p = dir.resolve(NAMES[rnd.nextInt(NAMES.length)]);
        boolean isDir = Files.isDirectory(p);
        boolean isFile = Files.isRegularFile(p);
        switch (rnd.nextInt(3)) {
            case 0 -> { // create or remove a directory
                if (isDir) {
                    delete(p);
                } else if (!isFile) {
                    Files.createDirectory(p);
                }
            }
            case 1 -> { // create or remove a file
                if (isFile) {
                    Files.delete(p);
                } else if (!isDir) {
                    Files.writeString(p, "2\n");
                }
            }
            default -> { // replace a file by a directory of the same name, or a directory by a file
                if (isFile) {
                    Files.delete(p);
                    Files.createDirectory(p);
                } else if (isDir) {
                    delete(p);
                    Files.writeString(p, "3\n");
                }
            }
        }
    }

    static void delete(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
