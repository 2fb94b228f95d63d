package dev.helix.nexus.heal.journal;

import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.CgroupVersion;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.cgroup.FreezeState;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link CgroupDriver} that records, in a {@link RecordJournal} forced to disk <em>before</em> the kernel is
 * touched, which groups this NEXUS instance creates, which pids it moves into them, and which groups it removes. After
 * a crash (even {@code kill -9} in the middle of a quarantine) the journal names exactly the groups this instance
 * owned, so start-up reconciliation can clean them up without touching groups of anyone else under the shared
 * {@code nexus/} parent. Limits and freezing live in the group itself and vanish with it, so they need no record.
 *
 * <p>Thread-safe if the delegate is.
 */
public final class JournaledCgroupDriver implements CgroupDriver {

    private final CgroupDriver d;
    private final RecordJournal journal;

    public JournaledCgroupDriver(CgroupDriver delegate, RecordJournal journal) {
        this.d = delegate;
        this.journal = journal;
    }

    /** Groups a journal says were created and not removed, with the pids moved into each (oldest first). */
    public static Map<String, Set<Long>> owned(List<byte[]> records) {
        Map<String, Set<Long>> out = new LinkedHashMap<>();
        for (byte[] r : records) {
            String[] f = new String(r, StandardCharsets.UTF_8).split("\t");
            switch (f[0]) {
                case "C" -> out.computeIfAbsent(f[1], k -> new LinkedHashSet<>());
                case "P" -> out.computeIfAbsent(f[1], k -> new LinkedHashSet<>()).add(Long.parseLong(f[2]));
                case "R" -> out.remove(f[1]);
                default -> { }
            }
        }
        return out;
    }

    /** Rewrites the journal to hold only {@code stillOwned} (after reconciliation). */
    public static void compact(RecordJournal journal, Map<String, Set<Long>> stillOwned) throws IOException {
        List<byte[]> recs = new ArrayList<>();
        stillOwned.forEach((g, pids) -> {
            recs.add(rec("C", g));
            pids.forEach(p -> recs.add(rec("P", g, Long.toString(p))));
        });
        journal.rewrite(recs);
    }

    private static byte[] rec(String... fields) {
        return String.join("\t", fields).getBytes(StandardCharsets.UTF_8);
    }

    private void log(String... fields) throws IOException {
        journal.append(rec(fields));
    }

    public RecordJournal journal() {
        return journal;
    }

    @Override public CgroupVersion version() { return d.version(); }
    @Override public Path root() { return d.root(); }
    @Override public Set<String> controllers() { return d.controllers(); }
    @Override public boolean isWritable() { return d.isWritable(); }

    @Override
    public void create(String name) throws IOException {
        CgroupDriver.checkName(name);
        log("C", name);
        d.create(name);
    }

    @Override public boolean exists(String name) { return d.exists(name); }

    @Override
    public void remove(String name) throws IOException {
        d.remove(name);
        log("R", name);
    }

    @Override public void removeParentIfEmpty() throws IOException { d.removeParentIfEmpty(); }
    @Override public List<String> list() throws IOException { return d.list(); }

    @Override
    public void movePid(String name, long pid) throws IOException {
        log("P", name, Long.toString(pid));
        d.movePid(name, pid);
    }

    @Override public void moveToRoot(long pid) throws IOException { d.moveToRoot(pid); }
    @Override public List<Long> pids(String name) throws IOException { return d.pids(name); }
    @Override public void setCpuMax(String name, CpuMax max) throws IOException { d.setCpuMax(name, max); }
    @Override public CpuMax cpuMax(String name) throws IOException { return d.cpuMax(name); }
    @Override public void setMemoryMax(String name, long bytes) throws IOException { d.setMemoryMax(name, bytes); }
    @Override public long memoryMax(String name) throws IOException { return d.memoryMax(name); }
    @Override public void setMemoryHigh(String name, long bytes) throws IOException { d.setMemoryHigh(name, bytes); }
    @Override public long memoryHigh(String name) throws IOException { return d.memoryHigh(name); }
    @Override public long memoryCurrent(String name) throws IOException { return d.memoryCurrent(name); }
    @Override public long oomKills(String name) throws IOException { return d.oomKills(name); }
    @Override public void setPidsMax(String name, long max) throws IOException { d.setPidsMax(name, max); }
    @Override public long pidsMax(String name) throws IOException { return d.pidsMax(name); }
    @Override public long pidsCurrent(String name) throws IOException { return d.pidsCurrent(name); }
    @Override public void setFrozen(String name, boolean frozen) throws IOException { d.setFrozen(name, frozen); }
    @Override public FreezeState freezeState(String name) throws IOException { return d.freezeState(name); }
}
