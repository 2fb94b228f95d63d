package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.agent.Agent;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's action audit trail reaches the store's {@code actions} table, not only its events. */
class AgentActionAuditTest {

    static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path tmp;

    /** An action that changes nothing outside this test and reports what it did. */
    record Renice(long pid, NexusLevel requiredLevel) implements Action {
        @Override public String name() { return "process.renice"; }
        @Override public ComponentId target() { return ComponentId.process(pid); }
        @Override public String describe() { return "renice pid " + pid + " to 10"; }
        @Override public ActionResult execute() { return ActionResult.succeeded("niceness 0 -> 10", Map.of("nice", 10)); }
        @Override public ActionResult revert() { return ActionResult.succeeded("niceness 10 -> 0", Map.of("nice", 0)); }
    }

    @Test
    void everyAttemptOutcomeRefusalAndReversalOfTheEngineIsARowOfTheActionsTable() throws Exception {
        Path dir = tmp.resolve("data");
        NexusConfig config = NexusConfig.builder().dataDir(dir).level(NexusLevel.AUTONOMOUS).build();
        ManualClock clock = new ManualClock(T0);
        NexusEngine engine = Agent.create(config, clock, null, b -> { });
        try {
            engine.start();
            assertThat(engine.gate().submit(new Renice(4242, NexusLevel.CORRECTION)).succeeded()).isTrue();
            clock.advance(java.time.Duration.ofSeconds(1));
            engine.setLevel(NexusLevel.CORRECTION);
            assertThat(engine.gate().submit(new Renice(4343, NexusLevel.HEALING)).succeeded()).isFalse();
            clock.advance(java.time.Duration.ofSeconds(1));
        } finally {
            engine.close(); // reverts the renice of 4242, then closes the logs: the store commits
        }
        List<String> rows = new ArrayList<>();
        long actionEvents;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Agent.STORE));
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT ts, action, target, outcome, detail FROM actions ORDER BY id")) {
                while (rs.next()) {
                    rows.add((rs.getLong(1) - T0) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
                            + rs.getString(4) + "|" + rs.getString(5));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM events WHERE category = 'ACTION'")) {
                rs.next();
                actionEvents = rs.getLong(1);
            }
        }
        String pid4242 = ComponentId.process(4242).toString();
        String pid4343 = ComponentId.process(4343).toString();
        assertThat(rows).hasSize((int) actionEvents);
        assertThat(rows.get(0)).isEqualTo("0|process.renice|" + pid4242 + "|started|renice pid 4242 to 10");
        assertThat(rows.get(1)).isEqualTo("0|process.renice|" + pid4242 + "|completed|niceness 0 -> 10");
        assertThat(rows.get(2)).startsWith("1000|process.renice|" + pid4343 + "|refused|");
        assertThat(rows.get(3)).isEqualTo("2000|process.renice|" + pid4242 + "|reverted|niceness 10 -> 0");
        assertThat(rows).hasSize(4);
    }
}
