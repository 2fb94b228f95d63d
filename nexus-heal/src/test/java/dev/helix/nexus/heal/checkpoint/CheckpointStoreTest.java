package dev.helix.nexus.heal.checkpoint;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.heal.SafetyGate;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointStoreTest {

    /** A cache-like component: a map and a version counter. */
    static final class Cache implements Checkpointable<Cache.State> {
        record State(Map<String, Integer> entries, long version) {
            State {
                entries = Map.copyOf(entries);
            }
        }

        final Map<String, Integer> entries = new LinkedHashMap<>();
        long version;
        boolean lossyRestore;

        void put(String k, int v) {
            entries.put(k, v);
            version++;
        }

        @Override
        public State checkpoint() {
            return new State(entries, version);
        }

        @Override
        public void restore(State s) {
            entries.clear();
            entries.putAll(s.entries());
            if (lossyRestore) {
                entries.remove(entries.keySet().iterator().next());
            }
            version = s.version();
        }
    }

    private final ManualClock clock = new ManualClock();
    private final Cache cache = new Cache();
    private final CheckpointStore store = new CheckpointStore(clock, 10, Duration.ofMinutes(10));

    @Test
    void rollbackRestoresTheExactState() {
        store.register("cache", cache);
        cache.put("a", 1);
        cache.put("b", 2);
        Cache.State safe = store.<Cache.State>take("cache", true).state();
        clock.advance(Duration.ofSeconds(5));
        cache.put("c", 3);
        Cache.State latest = store.<Cache.State>take("cache", false).state();
        clock.advance(Duration.ofSeconds(5));
        cache.put("a", 999);
        cache.entries.remove("b");

        assertThat(store.rollback("cache", CheckpointStore.Target.LATEST).succeeded()).isTrue();
        assertThat(cache.checkpoint()).isEqualTo(latest);
        assertThat(cache.entries).isEqualTo(Map.of("a", 1, "b", 2, "c", 3));
        assertThat(store.rollback("cache", CheckpointStore.Target.LAST_KNOWN_SAFE).succeeded()).isTrue();
        assertThat(cache.checkpoint()).isEqualTo(safe);
        assertThat(cache.version).isEqualTo(2);
    }

    @Test
    void rollbackToATimeAndBoundsAndAge() {
        store.register("cache", cache);
        long[] times = new long[15];
        for (int i = 0; i < 15; i++) {
            cache.put("k", i);
            times[i] = clock.wallMillis();
            store.take("cache", i % 5 == 0);
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(store.checkpoints("cache")).hasSize(10);
        assertThat(store.rollbackTo("cache", times[3]).outcome()).as("pruned").isEqualTo(ActionResult.Outcome.FAILED);
        assertThat(store.rollbackTo("cache", times[7] + 5_000).succeeded()).isTrue();
        assertThat(cache.entries.get("k")).isEqualTo(7);
        clock.advance(Duration.ofMinutes(9));
        assertThat(store.checkpoints("cache").size()).as("older than 10 min dropped").isLessThan(10);
        clock.advance(Duration.ofMinutes(5));
        assertThat(store.checkpoints("cache")).isEmpty();
        assertThat(store.rollback("cache", CheckpointStore.Target.LATEST).outcome())
                .isEqualTo(ActionResult.Outcome.FAILED);
    }

    @Test
    void randomHistoriesRollBackExactly() {
        Random rnd = new Random(42);
        store.register("cache", cache);
        for (int round = 0; round < 200; round++) {
            int n = 1 + rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                cache.put("k" + rnd.nextInt(5), rnd.nextInt());
            }
            Cache.State want = store.<Cache.State>take("cache", false).state();
            for (int i = 0; i < 1 + rnd.nextInt(5); i++) {
                cache.put("k" + rnd.nextInt(7), rnd.nextInt());
            }
            clock.advance(Duration.ofMillis(1 + rnd.nextInt(1000)));
            assertThat(store.rollback("cache", CheckpointStore.Target.LATEST).succeeded()).isTrue();
            assertThat(cache.checkpoint()).isEqualTo(want);
        }
    }

    @Test
    void verificationCatchesAnInexactRestoreAndTheActionReverts() {
        store.register("cache", cache);
        cache.put("a", 1);
        cache.put("b", 2);
        store.take("cache", true);
        cache.put("c", 3);
        Cache.State current = cache.checkpoint();
        SafetyGate gate = SafetyGate.builder(clock, new RecentEvents(50)).level(NexusLevel.HEALING).build();
        Action rollback = store.rollbackAction("cache", CheckpointStore.Target.LAST_KNOWN_SAFE);
        ActionResult r = gate.execute(rollback);
        assertThat(r.succeeded()).isTrue();
        assertThat(cache.entries).containsOnlyKeys("a", "b");
        assertThat(rollback.revertOnStop()).as("a rollback is a repair, kept when NEXUS stops").isFalse();
        assertThat(gate.revert(rollback).succeeded()).isTrue();
        assertThat(cache.checkpoint()).isEqualTo(current);

        SafetyGate correctionOnly = SafetyGate.builder(clock, new RecentEvents(50)).level(NexusLevel.CORRECTION).build();
        assertThat(correctionOnly.execute(store.rollbackAction("cache", CheckpointStore.Target.LATEST)).outcome())
                .as("rollback is healing").isEqualTo(ActionResult.Outcome.SKIPPED);

        cache.lossyRestore = true;
        ActionResult bad = store.rollback("cache", CheckpointStore.Target.LATEST);
        assertThat(bad.outcome()).isEqualTo(ActionResult.Outcome.FAILED);
        assertThat(bad.detail()).contains("reads back different");
        assertThat(List.of(store.components())).hasSize(1);
    }
}
