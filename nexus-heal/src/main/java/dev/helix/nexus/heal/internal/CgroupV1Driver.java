package dev.helix.nexus.heal.internal;

import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.CgroupException;
import dev.helix.nexus.heal.cgroup.CgroupVersion;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.cgroup.FreezeState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * cgroup v1: one hierarchy per controller ({@code cpu}, {@code memory}, {@code pids}, {@code freezer}); a NEXUS group
 * is a directory {@code nexus/<name>} in each of them. Stateless besides the mount map; thread-safe.
 */
public final class CgroupV1Driver implements CgroupDriver {

    private final Path root;
    private final Map<String, Path> mounts;

    /**
     * @param root   a directory for {@link #root()} (usually {@code /sys/fs/cgroup})
     * @param mounts controller name to the mount point of its hierarchy
     */
    public CgroupV1Driver(Path root, Map<String, Path> mounts) {
        this.root = root;
        this.mounts = Map.copyOf(new LinkedHashMap<>(mounts));
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V1;
    }

    @Override
    public Path root() {
        return root;
    }

    @Override
    public Set<String> controllers() {
        return new TreeSet<>(mounts.keySet());
    }

    private List<Path> hierarchies() {
        List<Path> out = new ArrayList<>();
        for (Path p : mounts.values()) {
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private Path dir(String controller, String name) throws CgroupException {
        Path m = mounts.get(controller);
        if (m == null) {
            throw new CgroupException("cgroup v1 controller '" + controller + "' is not mounted");
        }
        return m.resolve(NEXUS_PARENT).resolve(CgroupDriver.checkName(name));
    }

    @Override
    public boolean isWritable() {
        return CgroupFiles.probeWritable(this, hierarchies().get(0).resolve(NEXUS_PARENT));
    }

    @Override
    public void create(String name) throws IOException {
        CgroupDriver.checkName(name);
        for (Path h : hierarchies()) {
            CgroupFiles.mkdirs(h.resolve(NEXUS_PARENT).resolve(name));
        }
    }

    @Override
    public boolean exists(String name) {
        for (Path h : hierarchies()) {
            if (Files.isDirectory(h.resolve(NEXUS_PARENT).resolve(CgroupDriver.checkName(name)))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void remove(String name) throws IOException {
        CgroupDriver.checkName(name);
        CgroupException first = null;
        for (Path h : hierarchies()) {
            try {
                CgroupFiles.rmdir(h.resolve(NEXUS_PARENT).resolve(name));
            } catch (CgroupException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void removeParentIfEmpty() throws IOException {
        for (Path h : hierarchies()) {
            Path parent = h.resolve(NEXUS_PARENT);
            if (Files.isDirectory(parent) && CgroupFiles.childDirs(parent).isEmpty()) {
                CgroupFiles.rmdir(parent);
            }
        }
    }

    @Override
    public List<String> list() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path h : hierarchies()) {
            names.addAll(CgroupFiles.childDirs(h.resolve(NEXUS_PARENT)));
        }
        return List.copyOf(names);
    }

    @Override
    public void movePid(String name, long pid) throws IOException {
        CgroupDriver.checkName(name);
        for (Path h : hierarchies()) {
            CgroupFiles.write(h.resolve(NEXUS_PARENT).resolve(name).resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    @Override
    public void moveToRoot(long pid) throws IOException {
        for (Path h : hierarchies()) {
            CgroupFiles.write(h.resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    @Override
    public List<Long> pids(String name) throws IOException {
        Set<Long> all = new TreeSet<>();
        for (Path h : hierarchies()) {
            Path f = h.resolve(NEXUS_PARENT).resolve(CgroupDriver.checkName(name)).resolve("cgroup.procs");
            if (Files.exists(f)) {
                all.addAll(CgroupFiles.readPids(f));
            }
        }
        return List.copyOf(all);
    }

    @Override
    public void setCpuMax(String name, CpuMax max) throws IOException {
        Path d = dir("cpu", name);
        // quota first when lifting, period first when tightening, so the pair is always valid
        CgroupFiles.write(d.resolve("cpu.cfs_period_us"), Long.toString(max.periodMicros()));
        CgroupFiles.write(d.resolve("cpu.cfs_quota_us"), Long.toString(max.quotaMicros()));
    }

    @Override
    public CpuMax cpuMax(String name) throws IOException {
        Path d = dir("cpu", name);
        long quota = CgroupFiles.readLong(d.resolve("cpu.cfs_quota_us"));
        long period = CgroupFiles.readLong(d.resolve("cpu.cfs_period_us"));
        return new CpuMax(quota < 0 ? -1 : quota, period);
    }

    @Override
    public void setMemoryMax(String name, long bytes) throws IOException {
        CgroupFiles.write(dir("memory", name).resolve("memory.limit_in_bytes"), Long.toString(bytes < 0 ? -1 : bytes));
    }

    @Override
    public long memoryMax(String name) throws IOException {
        return CgroupFiles.readLimit(dir("memory", name).resolve("memory.limit_in_bytes"));
    }

    @Override
    public void setMemoryHigh(String name, long bytes) throws IOException {
        CgroupFiles.write(dir("memory", name).resolve("memory.soft_limit_in_bytes"),
                Long.toString(bytes < 0 ? -1 : bytes));
    }

    @Override
    public long memoryHigh(String name) throws IOException {
        return CgroupFiles.readLimit(dir("memory", name).resolve("memory.soft_limit_in_bytes"));
    }

    @Override
    public long memoryCurrent(String name) throws IOException {
        return CgroupFiles.readLong(dir("memory", name).resolve("memory.usage_in_bytes"));
    }

    @Override
    public long oomKills(String name) throws IOException {
        return CgroupFiles.readKeyed(dir("memory", name).resolve("memory.oom_control"), "oom_kill");
    }

    @Override
    public void setPidsMax(String name, long max) throws IOException {
        CgroupFiles.write(dir("pids", name).resolve("pids.max"), max < 0 ? "max" : Long.toString(max));
    }

    @Override
    public long pidsMax(String name) throws IOException {
        return CgroupFiles.readLimit(dir("pids", name).resolve("pids.max"));
    }

    @Override
    public long pidsCurrent(String name) throws IOException {
        return CgroupFiles.readLong(dir("pids", name).resolve("pids.current"));
    }

    @Override
    public void setFrozen(String name, boolean frozen) throws IOException {
        CgroupFiles.write(dir("freezer", name).resolve("freezer.state"), frozen ? "FROZEN" : "THAWED");
    }

    @Override
    public FreezeState freezeState(String name) throws IOException {
        return FreezeState.valueOf(CgroupFiles.read(dir("freezer", name).resolve("freezer.state")));
    }

    @Override
    public String toString() {
        return "cgroup v1 " + mounts;
    }
}
