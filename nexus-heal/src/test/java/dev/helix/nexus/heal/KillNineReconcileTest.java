package dev.helix.nexus.heal;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.CpuMax;
import dev.helix.nexus.heal.cgroup.FreezeState;
import dev.helix.nexus.heal.journal.JournaledCgroupDriver;
import dev.helix.nexus.heal.journal.RecordJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of NEXUS in the middle of a quarantine, for real: a child JVM confines and freezes a sacrificial process,
 * is SIGKILLed, and the next NEXUS start (same state dir) finds the leftover from its crash journal, thaws it, moves
 * the victim back to the root of every hierarchy and removes the group. Only the journaled group is touched: other
 * groups under {@code nexus/} (other tests, demos) are left alone. The victim is thawed, not killed; the test then
 * kills it.
 */
class KillNineReconcileTest {

    @TempDir
    Path tmp;

    @Test
    void leftoversOfAKilledNexusAreReconciledFromItsJournal() throws Exception {
        CgroupDriver driver = Children.requireWritableV1();
        String group = "k9-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000;
        String bystander = group + "-bystander";
        Path stateDir = tmp.resolve("state");
        Path ready = tmp.resolve("ready");
        Path out = tmp.resolve("child.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = null;
        long victim = -1;
        NexusHeal heal = null;
        try {
            // a group NEXUS did not create: reconciliation from the journal must not touch it
            driver.create(bystander);
            child = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", cp,
                    KillNineChild.class.getName(), stateDir.toString(), ready.toString(), group)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready) && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.exists(ready)).as("child ready; its output: %s",
                    Files.exists(out) ? Files.readString(out) : "-").isTrue();
            victim = Long.parseLong(Files.readString(ready).trim());

            // NEXUS child dies mid-quarantine: SIGKILL, no shutdown hook, no close()
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(137);

            // the leftovers are real: frozen group with the limits, victim inside, journal names the group
            assertThat(driver.exists(group)).isTrue();
            assertThat(driver.freezeState(group)).isEqualTo(FreezeState.FROZEN);
            assertThat(driver.memoryMax(group)).isEqualTo(64L << 20);
            assertThat(driver.pidsMax(group)).isEqualTo(8);
            assertThat(driver.cpuMax(group)).isEqualTo(CpuMax.ofCpus(0.2));
            assertThat(driver.pids(group)).containsExactly(victim);
            assertThat(JournaledCgroupDriver.owned(RecordJournal.scan(stateDir.resolve(NexusHeal.CGROUP_JOURNAL))
                    .records())).containsOnlyKeys(group);
            System.out.printf("kill-9: child %d killed (137); nexus/%s FROZEN with victim %d, mem=%d pids=%d cpu=%s%n",
                    child.pid(), group, victim, driver.memoryMax(group), driver.pidsMax(group), driver.cpuMax(group));

            // restart NEXUS on the same state dir: start-up reconciliation from the journal
            RecentEvents log = new RecentEvents(100);
            heal = NexusHeal.builder(EngineClock.system(), log).level(() -> NexusLevel.AUTONOMOUS)
                    .cgroups(Optional.of(driver)).stateDir(stateDir).build();
            CgroupReconciler.Report r = heal.startupReconcile();
            System.out.println("kill-9: startup reconcile " + r);
            assertThat(r.removed()).containsExactly(group);
            assertThat(r.failed()).isEmpty();
            assertThat(driver.exists(group)).isFalse();
            assertThat(driver.exists(bystander)).as("groups NEXUS did not own stay").isTrue();
            assertThat(driver.list()).noneMatch(g -> g.startsWith(group) && !g.equals(bystander));
            assertThat(RecordJournal.scan(stateDir.resolve(NexusHeal.CGROUP_JOURNAL)).records()).isEmpty();

            // the victim was thawed (alive, runnable again) and is in the root of every hierarchy: no limit applies
            assertThat(ProcessHandle.of(victim)).isPresent();
            List<String> cg = Files.readAllLines(Path.of("/proc", Long.toString(victim), "cgroup"));
            List<String> notRoot = new ArrayList<>();
            for (String line : cg) {
                String[] f = line.split(":", 3);
                if (List.of(f[1].split(",")).stream().anyMatch(c -> List.of("cpu", "memory", "pids", "freezer")
                        .contains(c)) && !f[2].equals("/")) {
                    notRoot.add(line);
                }
            }
            assertThat(notRoot).as("victim cgroups %s", cg).isEmpty();
            char state = dev.helix.nexus.heal.action.ProcessSampler.state(victim);
            System.out.println("kill-9: victim " + victim + " state after reconcile: " + state + " cgroups " + cg);
            assertThat(state).isIn('S', 'R');
        } finally {
            if (heal != null) {
                heal.close();
            }
            if (child != null) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
            if (victim > 0) {
                ProcessHandle.of(victim).ifPresent(h -> {
                    h.destroyForcibly();
                });
            }
            for (String g : List.of(group, bystander)) {
                try {
                    if (driver.exists(g)) {
                        driver.setFrozen(g, false);
                        for (long p : driver.pids(g)) {
                            ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
                        }
                        Thread.sleep(100);
                        driver.remove(g);
                    }
                } catch (Exception e) {
                    // best effort
                }
            }
            try {
                driver.removeParentIfEmpty();
            } catch (Exception e) {
                // other users may have groups there
            }
        }
        assertThat(driver.exists(group)).isFalse();
        assertThat(driver.exists(bystander)).isFalse();
        if (victim > 0) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ProcessHandle.of(victim).isPresent() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(ProcessHandle.of(victim)).as("victim killed").isEmpty();
        }
    }
}
