package dev.helix.nexus.heal.internal;

import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.CgroupException;
import dev.helix.nexus.heal.cgroup.CgroupVersion;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.cgroup.FreezeState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * cgroup v2 (unified): {@code cpu.max}, {@code memory.high}/{@code memory.max}, {@code pids.max},
 * {@code cgroup.freeze} with {@code cgroup.events}, {@code cgroup.procs}. On creation the controllers available at
 * the root are enabled in {@code cgroup.subtree_control} of the root and of {@code nexus}. Thread-safe (stateless).
 */
public final class CgroupV2Driver implements CgroupDriver {

    private static final List<String> WANTED = List.of("cpu", "memory", "pids");

    private final Path root;

    public CgroupV2Driver(Path root) {
        this.root = root;
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V2;
    }

    @Override
    public Path root() {
        return root;
    }

    /** Controllers available at the root, plus {@code freezer} (built into every non-root v2 group). */
    @Override
    public Set<String> controllers() {
        Set<String> out = new TreeSet<>();
        try {
            out.addAll(Arrays.asList(CgroupFiles.read(root.resolve("cgroup.controllers")).split("\\s+")));
        } catch (CgroupException e) {
            // none
        }
        out.retainAll(WANTED);
        out.add("freezer");
        return out;
    }

    private Path dir(String name) {
        return root.resolve(NEXUS_PARENT).resolve(CgroupDriver.checkName(name));
    }

    private Path file(String name, String controller, String file) throws CgroupException {
        if (!controllers().contains(controller)) {
            throw new CgroupException("cgroup v2 controller '" + controller + "' is not available at " + root
                    + " (cgroup.controllers lists " + controllers() + ")");
        }
        Path f = dir(name).resolve(file);
        if (!Files.exists(f)) {
            throw new CgroupException(f + " does not exist: controller '" + controller + "' not enabled for " + name);
        }
        return f;
    }

    @Override
    public boolean isWritable() {
        return CgroupFiles.probeWritable(this, root.resolve(NEXUS_PARENT));
    }

    @Override
    public void create(String name) throws IOException {
        Path parent = root.resolve(NEXUS_PARENT);
        CgroupFiles.mkdirs(parent);
        // idempotent: only writes controllers not yet listed
        enableControllers(root);
        enableControllers(parent);
        CgroupFiles.mkdirs(dir(name));
    }

    private void enableControllers(Path group) throws CgroupException {
        Set<String> wanted = controllers();
        wanted.remove("freezer");
        if (wanted.isEmpty()) {
            return;
        }
        Set<String> enabled = new TreeSet<>(Arrays.asList(
                CgroupFiles.read(group.resolve("cgroup.subtree_control")).replace("+", "").split("\\s+")));
        StringBuilder add = new StringBuilder();
        for (String c : controllers()) {
            if (!c.equals("freezer") && !enabled.contains(c)) {
                add.append(add.isEmpty() ? "" : " ").append('+').append(c);
            }
        }
        if (!add.isEmpty()) {
            CgroupFiles.write(group.resolve("cgroup.subtree_control"), add.toString());
        }
    }

    @Override
    public boolean exists(String name) {
        return Files.isDirectory(dir(name));
    }

    @Override
    public void remove(String name) throws IOException {
        CgroupFiles.rmdir(dir(name));
    }

    @Override
    public void removeParentIfEmpty() throws IOException {
        Path parent = root.resolve(NEXUS_PARENT);
        if (Files.isDirectory(parent) && CgroupFiles.childDirs(parent).isEmpty()) {
            CgroupFiles.rmdir(parent);
        }
    }

    @Override
    public List<String> list() throws IOException {
        return CgroupFiles.childDirs(root.resolve(NEXUS_PARENT));
    }

    @Override
    public void movePid(String name, long pid) throws IOException {
        CgroupFiles.write(dir(name).resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public void moveToRoot(long pid) throws IOException {
        CgroupFiles.write(root.resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public List<Long> pids(String name) throws IOException {
        Path f = dir(name).resolve("cgroup.procs");
        return Files.exists(f) ? CgroupFiles.readPids(f) : List.of();
    }

    @Override
    public void setCpuMax(String name, CpuMax max) throws IOException {
        CgroupFiles.write(file(name, "cpu", "cpu.max"), max.toV2());
    }

    @Override
    public CpuMax cpuMax(String name) throws IOException {
        return CpuMax.parseV2(CgroupFiles.read(file(name, "cpu", "cpu.max")));
    }

    @Override
    public void setMemoryMax(String name, long bytes) throws IOException {
        CgroupFiles.write(file(name, "memory", "memory.max"), bytes < 0 ? "max" : Long.toString(bytes));
    }

    @Override
    public long memoryMax(String name) throws IOException {
        return CgroupFiles.readLimit(file(name, "memory", "memory.max"));
    }

    @Override
    public void setMemoryHigh(String name, long bytes) throws IOException {
        CgroupFiles.write(file(name, "memory", "memory.high"), bytes < 0 ? "max" : Long.toString(bytes));
    }

    @Override
    public long memoryHigh(String name) throws IOException {
        return CgroupFiles.readLimit(file(name, "memory", "memory.high"));
    }

    @Override
    public long memoryCurrent(String name) throws IOException {
        return CgroupFiles.readLong(file(name, "memory", "memory.current"));
    }

    @Override
    public long oomKills(String name) throws IOException {
        return CgroupFiles.readKeyed(file(name, "memory", "memory.events"), "oom_kill");
    }

    @Override
    public void setPidsMax(String name, long max) throws IOException {
        CgroupFiles.write(file(name, "pids", "pids.max"), max < 0 ? "max" : Long.toString(max));
    }

    @Override
    public long pidsMax(String name) throws IOException {
        return CgroupFiles.readLimit(file(name, "pids", "pids.max"));
    }

    @Override
    public long pidsCurrent(String name) throws IOException {
        return CgroupFiles.readLong(file(name, "pids", "pids.current"));
    }

    @Override
    public void setFrozen(String name, boolean frozen) throws IOException {
        CgroupFiles.write(dir(name).resolve("cgroup.freeze"), frozen ? "1" : "0");
    }

    @Override
    public FreezeState freezeState(String name) throws IOException {
        boolean requested = CgroupFiles.read(dir(name).resolve("cgroup.freeze")).equals("1");
        boolean frozen = CgroupFiles.readKeyed(dir(name).resolve("cgroup.events"), "frozen") == 1;
        if (frozen) {
            return FreezeState.FROZEN;
        }
        return requested ? FreezeState.FREEZING : FreezeState.THAWED;
    }

    @Override
    public String toString() {
        return "cgroup v2 at " + root + " " + controllers();
    }
}
