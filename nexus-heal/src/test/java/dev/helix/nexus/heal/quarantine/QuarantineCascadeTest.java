package dev.helix.nexus.heal.quarantine;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import dev.helix.nexus.heal.SafetyGate;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Cascading quarantine to declared dependents, on a manual clock with fake plans. */
class QuarantineCascadeTest {

    private final ManualClock clock = new ManualClock();
    private final RecentEvents log = new RecentEvents(1000);
    private final SafetyGate gate = SafetyGate.builder(clock, log).level(NexusLevel.AUTONOMOUS)
            .maxActionsPerMinute(1000).build();
    private final List<String> journal = new ArrayList<>();
    private final Map<ComponentId, FakePlan> plans = new HashMap<>();
    private final Function<ComponentId, QuarantinePlan> cascade = this::plan;

    private final ComponentId db = ComponentId.jvm("db");
    private final ComponentId orders = ComponentId.jvm("orders");
    private final ComponentId billing = ComponentId.jvm("billing");
    private final ComponentId reports = ComponentId.jvm("reports"); // depends on orders, not on db
    private final ComponentId unrelated = ComponentId.jvm("unrelated");

    /** A plan whose every rung is one recording action on its component; health is settable. */
    private final class FakePlan implements QuarantinePlan {
        final ComponentId id;
        boolean healthy;
        boolean refuse;

        FakePlan(ComponentId id) {
            this.id = id;
        }

        @Override
        public List<Action> actionsFor(QuarantineState step) {
            return List.of(new Action() {
                @Override public String name() { return "fake." + step; }
                @Override public ComponentId target() { return id; }
                @Override public NexusLevel requiredLevel() { return NexusLevel.CORRECTION; }
                @Override public String describe() { return step + " " + id; }

                @Override
                public ActionResult execute() {
                    journal.add("+" + step + "@" + id.id());
                    return refuse ? ActionResult.failed("cannot") : ActionResult.succeeded("ok", Map.of());
                }

                @Override
                public ActionResult revert() {
                    journal.add("-" + step + "@" + id.id());
                    return ActionResult.succeeded("undone", Map.of());
                }
            });
        }

        @Override
        public boolean healthy() {
            return healthy;
        }
    }

    private FakePlan plan(ComponentId id) {
        return plans.computeIfAbsent(id, FakePlan::new);
    }

    private QuarantineManager manager(Duration maxDuration) {
        QuarantineManager m = new QuarantineManager(gate, clock, log, maxDuration, Duration.ofSeconds(10),
                Duration.ofSeconds(30), RestartPolicy.DEFAULT);
        m.declareDependents(db, Set.of(orders, billing));
        m.dependsOn(reports, orders);
        return m;
    }

    private static List<ComponentId> quarantined(QuarantineManager m) {
        return m.list().stream().map(QuarantineRecord::component).toList();
    }

    @Test
    void declaredDependentsAreKept() {
        QuarantineManager m = manager(Duration.ofHours(1));
        assertThat(m.dependents(db)).containsExactlyInAnyOrder(orders, billing);
        assertThat(m.dependents(orders)).containsExactly(reports);
        assertThat(m.dependents(unrelated)).isEmpty();
        m.declareDependents(db, Set.of(db));
        assertThat(m.dependents(db)).as("a component is not its own dependent").isEmpty();
    }

    @Test
    void cascadeQuarantinesTheDeclaredDependentsAndOnlyThose() {
        QuarantineManager m = manager(Duration.ofHours(1));

        QuarantineRecord r = m.quarantine(db, "connection storm", plan(db), cascade);

        assertThat(r.state()).isEqualTo(QuarantineState.RESTRICT);
        assertThat(quarantined(m)).containsExactlyInAnyOrder(db, orders, billing);
        assertThat(m.isQuarantined(reports)).as("a dependent's dependent is not declared on db").isFalse();
        assertThat(m.isQuarantined(unrelated)).isFalse();
        assertThat(m.cascadedFrom(orders)).contains(db);
        assertThat(m.cascadedFrom(billing)).contains(db);
        assertThat(m.cascadedFrom(db)).isEmpty();
        assertThat(m.get(orders).orElseThrow().reason()).contains("cascaded from " + db).contains("connection storm");
        assertThat(journal).containsExactlyInAnyOrder("+RESTRICT@db", "+RESTRICT@orders", "+RESTRICT@billing");
        assertThat(plans).doesNotContainKeys(reports, unrelated);
    }

    @Test
    void withoutCascadeOnlyTheComponentIsQuarantined() {
        QuarantineManager m = manager(Duration.ofHours(1));
        m.quarantine(db, "slow", plan(db));
        assertThat(quarantined(m)).containsExactly(db);
        m.quarantine(db, "again", plan(db), cascade);
        assertThat(quarantined(m)).as("already quarantined: no late cascade").containsExactly(db);
    }

    @Test
    void releasingTheCauseReleasesItsCascadedDependents() {
        QuarantineManager m = manager(Duration.ofHours(1));
        m.quarantine(db, "storm", plan(db), cascade);
        journal.clear();

        assertThat(m.release(db)).isTrue();

        assertThat(m.list()).isEmpty();
        assertThat(journal).containsExactlyInAnyOrder("-RESTRICT@db", "-RESTRICT@orders", "-RESTRICT@billing");
        assertThat(journal.getFirst()).as("the cause is released first").isEqualTo("-RESTRICT@db");
        assertThat(gate.applied()).isEmpty();
    }

    @Test
    void aDependentAlreadyQuarantinedOnItsOwnIsNotTakenOverNorReleasedWithTheCause() {
        QuarantineManager m = manager(Duration.ofHours(1));
        m.quarantine(billing, "own trouble", plan(billing));

        m.quarantine(db, "storm", plan(db), cascade);
        assertThat(m.cascadedFrom(billing)).isEmpty();
        assertThat(m.get(billing).orElseThrow().reason()).isEqualTo("own trouble");
        m.release(db);

        assertThat(quarantined(m)).containsExactly(billing);
        assertThat(journal).containsOnlyOnce("+RESTRICT@billing").doesNotContain("-RESTRICT@billing");
    }

    @Test
    void aDependentReleasedByHandIsNotReleasedTwice() {
        QuarantineManager m = manager(Duration.ofHours(1));
        m.quarantine(db, "storm", plan(db), cascade);
        assertThat(m.release(orders)).isTrue();
        m.release(db);
        assertThat(journal).containsOnlyOnce("-RESTRICT@orders");
        assertThat(m.list()).isEmpty();
    }

    @Test
    void cascadedDependentsAreHeldWhileTheCauseIsQuarantinedAndReleasedWhenItHeals() {
        QuarantineManager m = manager(Duration.ofHours(1));
        m.quarantine(db, "storm", plan(db), cascade);
        plan(orders).healthy = true;  // would be released on its own after 30 s
        plan(billing).healthy = false; // would escalate on its own after 10 s

        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(10));
            m.tick();
        }
        assertThat(m.get(db).orElseThrow().state()).as("the cause escalates").isNotEqualTo(QuarantineState.RESTRICT);
        assertThat(m.get(orders).orElseThrow().state()).as("held, not released").isEqualTo(QuarantineState.RESTRICT);
        assertThat(m.get(billing).orElseThrow().state()).as("held, not escalated").isEqualTo(QuarantineState.RESTRICT);

        plan(db).healthy = true;
        clock.advance(Duration.ofSeconds(1));
        m.tick();
        clock.advance(Duration.ofSeconds(30));
        m.tick();

        assertThat(m.list()).isEmpty();
        assertThat(journal).contains("-RESTRICT@orders", "-RESTRICT@billing");
        assertThat(gate.applied()).isEmpty();
    }

    @Test
    void maxDurationOfTheCauseReleasesEverythingInOneTick() {
        QuarantineManager m = manager(Duration.ofMinutes(5));
        m.quarantine(db, "storm", plan(db), cascade);
        clock.advance(Duration.ofMinutes(5));
        m.tick();
        assertThat(m.list()).isEmpty();
        assertThat(gate.applied()).isEmpty();
    }

    @Test
    void releaseAllOnShutdownReleasesCausesAndDependentsOnce() {
        QuarantineManager m = manager(Duration.ofHours(1));
        m.quarantine(db, "storm", plan(db), cascade);
        m.quarantine(unrelated, "other", plan(unrelated));
        journal.clear();

        m.releaseAll();

        assertThat(m.list()).isEmpty();
        assertThat(journal).containsExactlyInAnyOrder("-RESTRICT@db", "-RESTRICT@orders", "-RESTRICT@billing",
                "-RESTRICT@unrelated");
    }

    @Test
    void noCascadeWhenTheCauseCannotBeRestrictedAndAFailingDependentIsSkipped() {
        QuarantineManager m = manager(Duration.ofHours(1));
        plan(db).refuse = true;
        assertThat(m.quarantine(db, "storm", plan(db), cascade).state()).isEqualTo(QuarantineState.RELEASED);
        assertThat(m.list()).isEmpty();
        assertThat(journal).containsExactly("+RESTRICT@db", "-RESTRICT@db");

        plan(db).refuse = false;
        plan(orders).refuse = true;
        m.quarantine(db, "storm", plan(db), cascade);
        assertThat(quarantined(m)).containsExactlyInAnyOrder(db, billing);
        m.release(db);
        assertThat(m.list()).isEmpty();
    }
}
