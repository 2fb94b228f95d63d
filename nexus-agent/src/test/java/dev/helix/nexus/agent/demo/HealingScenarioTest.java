package dev.helix.nexus.agent.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.heal.cgroup.CgroupDriver;
import dev.helix.nexus.heal.cgroup.Cgroups;
import dev.helix.nexus.heal.quarantine.QuarantineState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The demo's healing scenario on real processes and real cgroups, with short timings. */
class HealingScenarioTest {

    @TempDir
    java.nio.file.Path stateDir;

    private static final HealingScenario.Timings FAST = new HealingScenario.Timings(Duration.ofMillis(200),
            Duration.ofMillis(1000), Duration.ofMillis(1000), Duration.ofMillis(300), Duration.ofSeconds(25));

    private static void requireWritableCgroups() {
        Optional<CgroupDriver> w = Cgroups.detect().writable();
        assumeTrue(w.isPresent(), "no writable cgroup hierarchy here (needs root and a rw cgroupfs); the live "
                + "healing scenario cannot run, skipping");
        assumeTrue(w.get().controllers().containsAll(List.of("cpu", "memory", "pids", "freezer")),
                "writable cgroups lack one of cpu, memory, pids, freezer: " + w.get().controllers() + "; skipping");
    }

    @Test
    @Timeout(40)
    void leakAndHogAreNamedQuarantinedReplacedAndNothingIsLeftBehind() throws Exception {
        requireWritableCgroups();
        StringWriter text = new StringWriter();
        RecentEvents events = new RecentEvents(5000);
        HealingScenario.Report r = new HealingScenario(new PrintWriter(text, true), events, FAST, false, stateDir).run();
        String out = text.toString();
        System.out.println(out);

        assertThat(r.dryRun()).isFalse();
        HealingScenario.SubjectReport leak = r.subject("leaker").orElseThrow();
        HealingScenario.SubjectReport hog = r.subject("hog").orElseThrow();
        assertThat(leak.pattern()).isEqualTo(Pattern.RESOURCE_LEAK);
        assertThat(hog.pattern()).isEqualTo(Pattern.CPU_BOUND);
        assertThat(out).contains("DETECTED ResourceLeak", "DETECTED CpuBound", "Mann-Kendall");

        List<QuarantineState> ladder = List.of(QuarantineState.RESTRICT, QuarantineState.LIMIT,
                QuarantineState.MONITOR, QuarantineState.ISOLATE, QuarantineState.REPLACE);
        assertThat(leak.steps()).containsExactlyElementsOf(ladder);
        assertThat(hog.steps()).containsExactlyElementsOf(ladder);
        assertThat(leak.memoryCapReadBack()).as("leak capped: memory limit read back").isPositive()
                .isLessThan(512L << 20);
        assertThat(leak.frozenVerified()).as("leak frozen").isTrue();
        assertThat(leak.replaced()).as("leak replaced").isTrue();
        assertThat(leak.healed()).as("replacement healthy within limits").isTrue();
        assertThat(hog.frozenVerified()).isTrue();
        assertThat(hog.replaced()).isTrue();
        assertThat(hog.healed()).isTrue();
        assertThat(hog.cpuBefore()).as("hog burns CPU (a full core on an idle host)").isGreaterThan(0.3);
        assertThat(hog.cpuCapped()).as("hog CPU share dropped under the 0.2 cap").isLessThan(0.3)
                .isLessThan(hog.cpuBefore());
        assertThat(hog.replacementPid()).isNotEqualTo(hog.pid());

        List<NexusEvent> ev = events.snapshot();
        assertThat(ev).extracting(NexusEvent::type).contains("pattern.ResourceLeak", "pattern.CpuBound",
                "action.succeeded", "action.reverted", "demo.healed");
        assertThat(ev).extracting(NexusEvent::type).doesNotContain("action.failed", "action.refused");

        assertThat(r.leftoverCgroups()).isEmpty();
        assertThat(r.leftoverChildren()).isEmpty();
        assertThat(HealingScenario.leftoverCgroups()).as("no /sys/fs/cgroup/*/nexus/* left").isEmpty();
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList())
                .as("no child process left").isEmpty();
        for (long pid : List.of(leak.pid(), leak.replacementPid(), hog.pid(), hog.replacementPid())) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("pid " + pid).isEmpty();
        }
        assertThat(out).contains("left behind: nexus cgroups none; demo child processes none");
    }

    @Test
    @Timeout(30)
    void dryRunDetectsAndPrintsTheActionsWithoutChangingAnything() throws Exception {
        StringWriter text = new StringWriter();
        RecentEvents events = new RecentEvents(5000);
        HealingScenario.Report r = new HealingScenario(new PrintWriter(text, true), events, FAST, true, stateDir).run();
        String out = text.toString();
        System.out.println(out);

        assertThat(r.dryRun()).isTrue();
        assertThat(r.subject("leaker").orElseThrow().pattern()).isEqualTo(Pattern.RESOURCE_LEAK);
        assertThat(r.subject("hog").orElseThrow().pattern()).isEqualTo(Pattern.CPU_BOUND);
        assertThat(out).contains("dry-run", "would");
        assertThat(events.snapshot()).extracting(NexusEvent::type).doesNotContain("action.started",
                "action.succeeded");
        assertThat(r.clean()).isTrue();
        assertThat(r.leftoverChildren()).isEmpty();
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).isEmpty();
    }
}
