package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.agent.Agent;
import dev.helix.nexus.telemetry.store.BackgroundStoreWriter;
import dev.helix.nexus.telemetry.store.SqliteTelemetryStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the agent: a child JVM runs the engine as {@code nexus run} wires it ({@link AgentStoreChildMain}:
 * real sensors, the SQLite store behind its {@link BackgroundStoreWriter}) and is SIGKILLed after a few ticks. The
 * file must pass {@code integrity_check}, and every tick recorded more than the writer's loss bound before the kill
 * must be in it whole.
 */
class AgentKillTest {

    static final long TICK_MILLIS = 500;
    static final int TICKS_BEFORE_KILL = 12;
    /**
     * The writer's stated bound (200 ms drain delay + commit interval) plus scheduling slack for a shared, loaded
     * 2-core test box (the commit itself takes a few ms; the slack covers the writer thread not being scheduled).
     */
    static final long BOUND_MILLIS = 200 + BackgroundStoreWriter.DEFAULT_COMMIT_INTERVAL_MILLIS + 2_000;

    @TempDir
    Path tmp;

    record Tick(long n, long wallMillis, Map<Long, Integer> seriesByTs) {
    }

    /** The child's report and when it was killed. */
    record Run(List<Tick> ticks, long killedAt, String err, int exit) {
    }

    /** Starts the child, reads its tick reports and SIGKILLs it after {@link #TICKS_BEFORE_KILL} of them. */
    private Run runAndKill(Path dir, String... extra) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + tmp, AgentStoreChildMain.class.getName(), dir.toString(),
                Long.toString(TICK_MILLIS)));
        cmd.addAll(List.of(extra));
        Path errFile = tmp.resolve(dir.getFileName() + ".err");
        Process child = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
        List<Tick> ticks = new ArrayList<>();
        long killedAt = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (!line.startsWith("tick ")) {
                    continue;
                }
                String[] f = line.split(" ");
                Map<Long, Integer> byTs = new LinkedHashMap<>();
                if (f.length > 3) {
                    for (String p : f[3].split(",")) {
                        int colon = p.indexOf(':');
                        byTs.merge(Long.parseLong(p.substring(0, colon)), Integer.parseInt(p.substring(colon + 1)),
                                Integer::sum);
                    }
                }
                ticks.add(new Tick(Long.parseLong(f[1]), Long.parseLong(f[2]), byTs));
                if (ticks.size() >= TICKS_BEFORE_KILL) {
                    killedAt = System.currentTimeMillis();
                    child.toHandle().destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no close(), no flush
                    break;
                }
            }
        } finally {
            child.toHandle().destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        return new Run(ticks, killedAt, Files.exists(errFile) ? Files.readString(errFile) : "", child.exitValue());
    }

    @Test
    void killMinus9OfTheAgentKeepsEveryTickOlderThanTheLossBoundAndAnIntactFile() throws Exception {
        Path dir = tmp.resolve("data");
        Run run = runAndKill(dir);
        List<Tick> ticks = run.ticks();
        long killedAt = run.killedAt();
        String err = run.err();
        assertThat(ticks).as("child stderr: %s", err).hasSize(TICKS_BEFORE_KILL);
        assertThat(run.exit()).isEqualTo(137); // 128 + SIGKILL
        assertThat(ticks.get(0).seriesByTs().values().stream().mapToInt(Integer::intValue).sum())
                .as("series the real sensors recorded in the first tick").isGreaterThan(0);

        Path db = dir.resolve(Agent.STORE);
        List<String> lost = new ArrayList<>();
        List<Long> partial = new ArrayList<>();
        long checked = 0;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             PreparedStatement atTs = c.prepareStatement("SELECT COUNT(*) FROM samples WHERE ts = ?")) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            long newestInFile = Long.MIN_VALUE;
            for (Tick t : ticks) {
                for (Map.Entry<Long, Integer> e : t.seriesByTs().entrySet()) {
                    atTs.setLong(1, e.getKey());
                    int inFile;
                    try (ResultSet rs = atTs.executeQuery()) {
                        rs.next();
                        inFile = rs.getInt(1);
                    }
                    if (inFile > 0) {
                        newestInFile = Math.max(newestInFile, e.getKey());
                    }
                    if (inFile != e.getValue()) {
                        lost.add("tick " + t.n() + " (" + (killedAt - t.wallMillis()) + " ms before the kill): "
                                + inFile + " of " + e.getValue() + " series at " + e.getKey());
                        if (inFile > 0) {
                            partial.add(e.getKey());
                        }
                        assertThat(killedAt - t.wallMillis())
                                .as("a tick older than the loss bound (%d ms) is missing: %s", BOUND_MILLIS, lost)
                                .isLessThanOrEqualTo(BOUND_MILLIS);
                    }
                    if (killedAt - t.wallMillis() > BOUND_MILLIS) {
                        checked++;
                    }
                }
            }
            // a commit may split a tick (the store also commits every 1000 samples): only the newest tick in the file
            // may be partial
            for (long ts : partial) {
                assertThat(ts).as("partial tick below the newest in the file: %s", lost).isEqualTo(newestInFile);
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM batches")) {
                rs.next();
                assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1)); // no holes
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM events WHERE type = 'engine.start'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the engine.start event, recorded before the first tick").isEqualTo(1);
            }
        }
        assertThat(checked).as("ticks old enough to be checked against the bound").isGreaterThanOrEqualTo(3);
        // the agent's store reopens the killed file (WAL recovery, open buckets rebuilt) and writes on
        try (SqliteTelemetryStore store = SqliteTelemetryStore.open(db)) {
            assertThat(store.integrityCheck()).isEqualTo("ok");
            long before = store.count("samples");
            store.record(dev.helix.nexus.core.spi.MetricKey.of("after_kill"), 1, System.currentTimeMillis());
            store.flush();
            assertThat(store.count("samples")).isEqualTo(before + 1);
        }
        System.out.println("AgentKillTest: " + ticks.size() + " ticks, killed " + (killedAt - ticks.getLast().wallMillis())
                + " ms after the last; not (wholly) in the file: " + lost);
    }

    @Test
    void anAgentThatRecordsNoSamplesStillHasItsEventsInTheFileAfterKillMinus9() throws Exception {
        // with Sense off nothing fills a 1000-sample batch: before the commit interval, the engine's events waited in
        // the store's buffer until a clean stop, and a kill -9 lost every one of them
        Path dir = tmp.resolve("quiet");
        Run run = runAndKill(dir, "nosense");
        assertThat(run.ticks()).as("child stderr: %s", run.err()).hasSize(TICKS_BEFORE_KILL);
        assertThat(run.exit()).isEqualTo(137);
        assertThat(run.ticks().getFirst().seriesByTs()).isEmpty();
        assertThat(run.killedAt() - run.ticks().getFirst().wallMillis())
                .as("engine.start was recorded before the first tick, longer than the bound before the kill")
                .isGreaterThan(BOUND_MILLIS);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Agent.STORE));
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM events WHERE type = 'engine.start'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM samples")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }
}
