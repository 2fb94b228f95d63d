package dev.helix.nexus.heal.checkpoint;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.ActionGate;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.heal.journal.RecordJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The checkpoint journal across a simulated NEXUS crash, and reconstruction of a corrupted component from it. */
class DurableCheckpointTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();

    /** A registered data structure: balances by account. */
    static final class Ledger implements Checkpointable<Map<String, Long>> {
        final TreeMap<String, Long> balances = new TreeMap<>();

        @Override
        public Map<String, Long> checkpoint() {
            return Map.copyOf(balances);
        }

        @Override
        public void restore(Map<String, Long> state) {
            balances.clear();
            balances.putAll(state);
        }
    }

    /** Deterministic text codec: sorted {@code k=v} lines. */
    static final StateCodec<Map<String, Long>> CODEC = new StateCodec<>() {
        @Override
        public byte[] encode(Map<String, Long> s) {
            return new TreeMap<>(s).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Map<String, Long> decode(byte[] b) {
            Map<String, Long> m = new TreeMap<>();
            String text = new String(b, StandardCharsets.UTF_8);
            if (!text.isEmpty()) {
                for (String line : text.split("\n")) {
                    String[] kv = line.split("=", 2);
                    m.put(kv[0], Long.parseLong(kv[1]));
                }
            }
            return m;
        }
    };

    private CheckpointStore store() {
        return CheckpointStore.persistent(clock, 10, Duration.ofHours(1), dir);
    }

    @Test
    void checkpointsSurviveACrashAndATornLastRecordIsIgnored() throws Exception {
        CheckpointStore before = store();
        Ledger l = new Ledger();
        before.register("ledger", l, CODEC);
        l.balances.put("alice", 10L);
        before.take("ledger", true);
        clock.advance(Duration.ofSeconds(1));
        l.balances.put("bob", 20L);
        before.take("ledger", false);
        clock.advance(Duration.ofSeconds(1));
        l.balances.put("carol", 30L);
        before.take("ledger", false);
        // crash: no close(); the last append was torn half-way
        Path file = CheckpointStore.journalFile(dir, "ledger");
        long size = Files.size(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size - 7);
        }

        CheckpointStore after = store();
        Ledger fresh = new Ledger();
        after.register("ledger", fresh, CODEC);
        assertThat(after.droppedBytes("ledger")).isGreaterThan(0);
        assertThat(after.checkpoints("ledger")).extracting(Checkpoint::sequence).containsExactly(1L, 2L);
        assertThat(after.find("ledger", CheckpointStore.Target.LAST_KNOWN_SAFE).orElseThrow().sequence()).isEqualTo(1);
        assertThat(after.rollback("ledger", CheckpointStore.Target.LATEST).succeeded()).isTrue();
        assertThat(fresh.balances).containsExactly(Map.entry("alice", 10L), Map.entry("bob", 20L));
        // the torn tail was truncated, so new records append cleanly after the last good one
        fresh.balances.put("dave", 40L);
        assertThat(after.take("ledger", false).sequence()).isEqualTo(3);
        after.close();

        CheckpointStore third = store();
        third.register("ledger", new Ledger(), CODEC);
        assertThat(third.droppedBytes("ledger")).isZero();
        assertThat(third.checkpoints("ledger")).extracting(Checkpoint::sequence).containsExactly(1L, 2L, 3L);
        assertThat(third.<Map<String, Long>>checkpoints("ledger").get(2).state()).containsEntry("dave", 40L);
        third.close();
    }

    @Test
    void aCorruptRecordEndsTheJournalAndOldCheckpointsAgeOutAfterRestart() throws Exception {
        CheckpointStore s = store();
        Ledger l = new Ledger();
        s.register("ledger", l, CODEC);
        for (int i = 1; i <= 3; i++) {
            l.balances.put("k" + i, (long) i);
            s.take("ledger", false);
        }
        s.close();
        Path file = CheckpointStore.journalFile(dir, "ledger");
        RecordJournal.Scan scan = RecordJournal.scan(file);
        assertThat(scan.records()).hasSize(3);
        // flip one payload byte of the second record: its CRC no longer matches
        int second = 8 + scan.records().get(0).length + 8 + 3;
        byte[] bytes = Files.readAllBytes(file);
        bytes[second] ^= 0x5a;
        Files.write(file, bytes);
        CheckpointStore again = store();
        again.register("ledger", new Ledger(), CODEC);
        assertThat(again.checkpoints("ledger")).extracting(Checkpoint::sequence).containsExactly(1L);
        again.close();

        clock.advance(Duration.ofHours(2));
        CheckpointStore later = store();
        later.register("ledger", new Ledger(), CODEC);
        assertThat(later.checkpoints("ledger")).as("older than max age").isEmpty();
        later.close();
    }

    @Test
    void theJournalIsCompacted() throws Exception {
        CheckpointStore s = store();
        Ledger l = new Ledger();
        s.register("ledger", l, CODEC);
        for (int i = 1; i <= 95; i++) {
            l.balances.put("n", (long) i);
            s.take("ledger", false);
        }
        s.close();
        assertThat(RecordJournal.scan(CheckpointStore.journalFile(dir, "ledger")).records().size()).isLessThanOrEqualTo(41);
        CheckpointStore r = store();
        r.register("ledger", new Ledger(), CODEC);
        assertThat(r.checkpoints("ledger")).hasSize(10).last().extracting(Checkpoint::sequence).isEqualTo(95L);
        r.close();
    }

    private final RecentEvents gateEvents = new RecentEvents(100);

    private ActionGate gate() {
        return new ActionGate(NexusConfig.builder().level(NexusLevel.AUTONOMOUS).confirmationWindow(Duration.ZERO)
                .build(), clock, gateEvents, null);
    }

    @Test
    void corruptionIsDetectedByChecksumAndRebuiltFromTheJournal() throws Exception {
        CheckpointStore s = store();
        Ledger l = new Ledger();
        s.register("ledger", l, CODEC);
        l.balances.put("alice", 10L);
        s.take("ledger", true);
        l.balances.put("bob", 20L);
        s.take("ledger", false);
        assertThat(s.verify("ledger")).isEmpty();
        ActionGate gate = gate();
        assertThat(gate.submit(s.reconstructAction("ledger")).outcome()).as("intact: nothing to do")
                .isEqualTo(ActionResult.Outcome.SKIPPED);

        // corruption: a write that bypassed the structure's commit path (a bit flip, a stray thread)
        l.balances.put("bob", 2_000_000L);
        l.balances.remove("alice");
        assertThat(s.verify("ledger")).get().asString().contains("checksum of ledger");

        Action repair = s.reconstructAction("ledger");
        ActionResult r = gate.submit(repair);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(r.evidence()).containsEntry("sequence", 2L).containsEntry("recordsTried", 1);
        assertThat(l.balances).containsExactly(Map.entry("alice", 10L), Map.entry("bob", 20L));
        assertThat(s.verify("ledger")).isEmpty();

        // a reconstruction is a repair: NEXUS stopping keeps it
        assertThat(gate.revertAll()).isEmpty();
        assertThat(l.balances).containsExactly(Map.entry("alice", 10L), Map.entry("bob", 20L));
        assertThat(gateEvents.snapshot()).extracting(NexusEvent::type).contains("action.kept");

        // an explicit revert puts back exactly what it replaced
        assertThat(repair.revert().succeeded()).isTrue();
        assertThat(l.balances).containsExactly(Map.entry("bob", 2_000_000L));
        s.close();
    }

    @Test
    void reconstructionSkipsBadRecordsAndReportsFailedWhenNothingRestores() throws Exception {
        CheckpointStore s = store();
        Ledger l = new Ledger();
        s.register("ledger", l, CODEC);
        l.balances.put("alice", 10L);
        s.take("ledger", false);
        l.balances.put("bob", 20L);
        s.take("ledger", false);
        // the newest record is CRC-valid but no longer decodes (e.g. written by a buggy codec)
        s.register("other", new Ledger(), CODEC);
        Path file = CheckpointStore.journalFile(dir, "ledger");
        RecordJournal j = RecordJournal.open(file);
        byte[] bad = new byte[17 + 3];
        System.arraycopy("zzz".getBytes(StandardCharsets.UTF_8), 0, bad, 17, 3);
        j.append(bad);
        j.close();
        l.balances.clear();
        ActionResult ok = s.reconstruct("ledger");
        assertThat(ok.outcome()).as(ok.detail()).isEqualTo(ActionResult.Outcome.SUCCEEDED);
        assertThat(ok.evidence()).containsEntry("recordsTried", 2);
        assertThat(l.balances).containsOnlyKeys("alice", "bob");

        // journal lost: cannot rebuild, FAILED, and the (corrupt) state is left as it was
        l.balances.put("mallory", 1L);
        Files.write(file, new byte[0]);
        ActionResult failed = gate().submit(s.reconstructAction("ledger"));
        assertThat(failed.outcome()).isEqualTo(ActionResult.Outcome.FAILED);
        assertThat(failed.detail()).contains("cannot reconstruct ledger");
        assertThat(l.balances).containsKey("mallory");
        s.close();
    }
}
