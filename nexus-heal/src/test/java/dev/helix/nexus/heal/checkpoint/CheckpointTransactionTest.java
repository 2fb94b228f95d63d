package dev.helix.nexus.heal.checkpoint;

import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.heal.checkpoint.CheckpointStoreTest.Cache;
import dev.helix.nexus.heal.checkpoint.DurableCheckpointTest.Ledger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTransactionTest {

    private final ManualClock clock = new ManualClock();
    private final Cache cache = new Cache();
    private final CheckpointStore store = new CheckpointStore(clock, 10, Duration.ofMinutes(10));

    private Cache.State seed() {
        store.register("cache", cache);
        cache.put("a", 1);
        cache.put("b", 2);
        return cache.checkpoint();
    }

    @Test
    void aBodyThatThrowsIsRolledBackExactlyAndTheSameExceptionIsRethrown() {
        Cache.State before = seed();
        IllegalStateException boom = new IllegalStateException("half-way");

        assertThatThrownBy(() -> store.transaction("cache", () -> {
            cache.put("c", 3);
            cache.put("a", 999);
            cache.entries.remove("b");
            throw boom;
        })).isSameAs(boom).satisfies(t -> assertThat(t.getSuppressed()).isEmpty());

        assertThat(cache.checkpoint()).isEqualTo(before);
        assertThat(cache.entries).isEqualTo(Map.of("a", 1, "b", 2));
        assertThat(cache.version).as("even the version counter").isEqualTo(2);
        assertThat(store.checkpoints("cache")).as("a failed transaction records nothing").isEmpty();
    }

    @Test
    void aBodyThatReturnsIsCommittedAsTheLatestCheckpoint() {
        seed();
        clock.advance(Duration.ofSeconds(1));

        int size = store.transaction("cache", () -> {
            cache.put("c", 3);
            return cache.entries.size();
        });

        assertThat(size).isEqualTo(3);
        assertThat(cache.entries).containsOnlyKeys("a", "b", "c");
        assertThat(store.checkpoints("cache")).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo(cache.checkpoint());
            assertThat(c.knownSafe()).isFalse();
            assertThat(c.takenMillis()).isEqualTo(clock.wallMillis());
        });
        assertThat(store.<Cache.State>find("cache", CheckpointStore.Target.LATEST).orElseThrow().state())
                .isEqualTo(cache.checkpoint());
    }

    @Test
    void checkedExceptionsAndErrorsRollBackToo() {
        Cache.State before = seed();

        assertThatThrownBy(() -> store.<Void, IOException>transaction("cache", () -> {
            cache.put("x", 1);
            throw new IOException("disk gone");
        })).isInstanceOf(IOException.class).hasMessage("disk gone");
        assertThat(cache.checkpoint()).isEqualTo(before);

        assertThatThrownBy(() -> store.transaction("cache", () -> {
            cache.put("y", 2);
            throw new AssertionError("invariant broken");
        })).isInstanceOf(AssertionError.class);
        assertThat(cache.checkpoint()).isEqualTo(before);
    }

    @Test
    void aFailedTransactionRestoresTheStateBeforeItNotTheLatestCheckpoint() {
        seed();
        store.take("cache", true); // {a, b}
        cache.put("c", 3);         // uncheckpointed but legitimate change
        Cache.State before = cache.checkpoint();

        assertThatThrownBy(() -> store.transaction("cache", () -> {
            cache.entries.clear();
            throw new IllegalStateException("nope");
        })).hasMessage("nope");

        assertThat(cache.checkpoint()).isEqualTo(before);
        assertThat(cache.entries).containsOnlyKeys("a", "b", "c");
        assertThat(store.checkpoints("cache")).hasSize(1);
    }

    @Test
    void aNestedFailureRollsBackOnlyTheInnerTransaction() {
        seed();
        store.transaction("cache", () -> {
            cache.put("outer", 1);
            Cache.State mid = cache.checkpoint();
            assertThatThrownBy(() -> store.transaction("cache", () -> {
                cache.put("inner", 2);
                throw new IllegalStateException("inner");
            })).hasMessage("inner");
            assertThat(cache.checkpoint()).isEqualTo(mid);
            return null;
        });
        assertThat(cache.entries).containsOnlyKeys("a", "b", "outer");
        assertThat(store.checkpoints("cache")).hasSize(1);
    }

    @Test
    void aRollbackThatDoesNotReadBackExactlyIsReportedAsSuppressed() {
        seed();
        cache.lossyRestore = true;
        IllegalStateException boom = new IllegalStateException("boom");

        assertThatThrownBy(() -> store.transaction("cache", () -> {
            cache.put("c", 3);
            throw boom;
        })).isSameAs(boom);

        assertThat(boom.getSuppressed()).singleElement().satisfies(s ->
                assertThat(s).hasMessageContaining("transaction rollback of cache failed")
                        .hasMessageContaining("reads back different"));
    }

    @Test
    void anUnknownComponentFailsBeforeTheBodyRuns() {
        boolean[] ran = {false};
        assertThatThrownBy(() -> store.transaction("nope", () -> {
            ran[0] = true;
            return null;
        })).isInstanceOf(IllegalArgumentException.class);
        assertThat(ran[0]).isFalse();
    }

    @Test
    void inAPersistentStoreACommitIsJournaledAndAFailureLeavesTheJournalMatching(@TempDir Path dir) {
        CheckpointStore s = CheckpointStore.persistent(clock, 10, Duration.ofHours(1), dir);
        Ledger l = new Ledger();
        s.register("ledger", l, DurableCheckpointTest.CODEC);
        l.balances.put("alice", 10L);
        s.take("ledger", true);

        s.transaction("ledger", () -> {
            l.balances.merge("alice", -4L, Long::sum);
            l.balances.merge("bob", 4L, Long::sum);
            return null;
        });
        assertThat(s.verify("ledger")).as("commit journaled the new state").isEmpty();
        Map<String, Long> committed = l.checkpoint();

        assertThatThrownBy(() -> s.transaction("ledger", () -> {
            l.balances.merge("alice", -100L, Long::sum);
            throw new IllegalStateException("insufficient funds");
        })).hasMessage("insufficient funds");

        assertThat(l.checkpoint()).isEqualTo(committed).containsEntry("alice", 6L).containsEntry("bob", 4L);
        assertThat(s.verify("ledger")).as("no false corruption after a rolled-back transaction").isEmpty();
        assertThat(s.checkpoints("ledger")).hasSize(2);
        s.close();
    }
}
