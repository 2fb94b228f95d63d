package dev.helix.nexus.heal;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.heal.cgroup.Cgroups;
import dev.helix.nexus.heal.cgroup.CpuMax;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The NEXUS process of {@link KillNineReconcileTest}, run in its own JVM: confines a sacrificial {@code sleep} in
 * {@code nexus/<group>} with cpu/memory/pids limits, freezes it, writes {@code <victim pid>} to the ready file, then
 * waits to be killed with SIGKILL. Args: stateDir readyFile group.
 */
public final class KillNineChild {

    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        Path ready = Path.of(args[1]);
        String group = args[2];
        NexusHeal heal = NexusHeal.builder(EngineClock.system(), new RecentEvents(100))
                .level(() -> NexusLevel.AUTONOMOUS)
                .cgroups(Cgroups.detect().v1())
                .stateDir(stateDir)
                .build();
        NexusHeal.Confined c = heal.startConfined(group, new ProcessBuilder("sleep", "120")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD),
                new NexusHeal.Limits(CpuMax.ofCpus(0.2), 64L << 20, 8));
        if (!c.confined()) {
            System.err.println("not confined: " + c.results());
            System.exit(2);
        }
        ActionResult frozen = heal.gate().execute(heal.actions().orElseThrow().freeze(group));
        if (!frozen.succeeded()) {
            System.err.println("not frozen: " + frozen);
            c.process().destroyForcibly();
            heal.close();
            System.exit(3);
        }
        Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(c.process().pid()));
        Files.move(tmp, ready);
        System.out.println("ready: victim " + c.process().pid() + " frozen in nexus/" + group);
        System.out.flush();
        Thread.sleep(120_000); // killed long before
        System.exit(4);
    }
}
