package dev.helix.nexus.heal;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.heal.action.ProcessSampler;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.CpuMax;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NexusHealTest {

    @Test
    void startConfinedRunsTheCommandInsideItsLimitedGroupAndCloseCleansUp() throws Exception {
        CgroupDriver driver = Children.requireWritableV1();
        RecentEvents log = new RecentEvents(200);
        String group = "t-facade-" + ProcessHandle.current().pid();
        // a leftover from a "crash" that start-up reconciliation must remove
        driver.create("t-crashed-" + ProcessHandle.current().pid());
        NexusHeal heal = NexusHeal.builder(EngineClock.system(), log).level(() -> NexusLevel.AUTONOMOUS)
                .cgroups(Optional.of(driver)).build();
        Process p = null;
        try {
            assertThat(heal.startupReconcile().removed()).contains("t-crashed-" + ProcessHandle.current().pid());
            NexusHeal.Confined c = heal.startConfined(group,
                    new ProcessBuilder("sh", "-c", "while kill -0 $PPID 2>/dev/null; do :; done")
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD),
                    new NexusHeal.Limits(CpuMax.ofCpus(0.1), 64L << 20, 8));
            p = c.process();
            assertThat(c.confined()).as(c.results().toString()).isTrue();
            assertThat(driver.pids(group)).containsExactly(p.pid());
            Thread.sleep(200);
            double share = ProcessSampler.cpuShare(p.pid(), Duration.ofMillis(1000), EngineClock.system())
                    .orElseThrow();
            System.out.printf("facade: confined hog share=%.3f (cpu.max 10000/100000)%n", share);
            assertThat(share).isLessThan(0.16);
            assertThat(heal.gate().applied()).hasSize(4);
        } finally {
            heal.close();
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        assertThat(driver.exists(group)).isFalse();
        assertThat(heal.gate().applied()).isEmpty();
        assertThat(driver.list()).doesNotContain(group);
        List.of(driver).forEach(d -> {
            try {
                d.removeParentIfEmpty();
            } catch (Exception e) {
                // best effort
            }
        });
    }
}
