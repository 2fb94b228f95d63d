package dev.helix.nexus.heal.degrade;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.ActionGate;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DegradationManagerTest {

    private final ManualClock clock = new ManualClock();
    private final ActionGate gate = new ActionGate(NexusConfig.builder().level(NexusLevel.AUTONOMOUS)
            .confirmationWindow(Duration.ZERO).actionBudgetPerMinute(100).build(), clock, new RecentEvents(100), null);

    static final class Flag implements DegradationManager.Feature {
        boolean on = true;

        @Override public void disable() { on = false; }
        @Override public void enable() { on = true; }
        @Override public boolean enabled() { return on; }
    }

    private Optional<ActionResult> sample(DegradationManager m, double p) {
        Optional<Action> a = m.onPressure(p);
        clock.advance(Duration.ofSeconds(1));
        return a.map(gate::submit);
    }

    @Test
    void shedsLowestPriorityFirstUnderPressureAndRestoresAfterCalm() {
        DegradationManager m = new DegradationManager(clock, 0.9, 0.6, Duration.ofSeconds(10), Duration.ofSeconds(2));
        Flag recs = new Flag();
        Flag thumbs = new Flag();
        Flag search = new Flag();
        m.register("recommendations", 1, recs);
        m.register("thumbnails", 2, thumbs);
        m.register("search", 5, search);

        assertThat(sample(m, 0.95)).get().extracting(ActionResult::outcome).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(recs.on).isFalse();
        assertThat(sample(m, 0.95)).as("one step per 2 s").isEmpty();
        assertThat(sample(m, 0.97)).isPresent();
        assertThat(thumbs.on).isFalse();
        assertThat(m.level()).isEqualTo(2);
        assertThat(m.shed()).containsExactly("recommendations", "thumbnails");

        // between the thresholds: hold; calm must last 10 s before restoring
        for (int i = 0; i < 5; i++) {
            assertThat(sample(m, 0.75)).isEmpty();
        }
        for (int i = 0; i < 10; i++) {
            assertThat(sample(m, 0.3)).isEmpty();
        }
        assertThat(sample(m, 0.3)).get().extracting(ActionResult::outcome).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(thumbs.on).as("highest priority comes back first").isTrue();
        assertThat(recs.on).isFalse();
        sample(m, 0.3);
        assertThat(sample(m, 0.3)).isPresent();
        assertThat(m.level()).isZero();
        assertThat(search.on).isTrue();
    }

    @Test
    void engineStopRevertsShedding() {
        DegradationManager m = new DegradationManager(clock, 0.8, 0.5, Duration.ofSeconds(5), Duration.ZERO);
        Flag a = new Flag();
        m.register("a", 1, a);
        assertThat(sample(m, 0.99)).get().extracting(ActionResult::outcome).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(sample(m, 0.99)).as("nothing left to shed").isEmpty();
        gate.revertAll();
        assertThat(a.on).isTrue();
    }

    @Test
    void aFeatureThatIgnoresTheToggleIsReportedFailed() {
        DegradationManager m = new DegradationManager(clock, 0.8, 0.5, Duration.ofSeconds(5), Duration.ZERO);
        m.register("stubborn", 1, new DegradationManager.Feature() {
            @Override public void disable() { }
            @Override public void enable() { }
            @Override public boolean enabled() { return true; }
        });
        assertThat(sample(m, 0.9)).get().extracting(ActionResult::outcome).isEqualTo(ActionResult.Outcome.FAILED);
    }
}
