package dev.helix.nexus.core.bus;

import static dev.helix.nexus.core.Domain.ACT;
import static dev.helix.nexus.core.Domain.DECIDE;
import static dev.helix.nexus.core.Domain.MEMORY;
import static dev.helix.nexus.core.Domain.REASON;
import static dev.helix.nexus.core.Domain.REFLECT;
import static dev.helix.nexus.core.Domain.SENSE;
import static dev.helix.nexus.core.Domain.UNDERSTAND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.Domain;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageBusTest {

    /**
     * The routing rules, written out by hand: Sense → Understand → Reason → Decide → Act; Understand, Reason, Decide
     * and Act may also send to Memory; any domain may send to Reflect.
     */
    private static final Map<Domain, Set<Domain>> ROUTES = Map.of(
            SENSE, EnumSet.of(UNDERSTAND, REFLECT),
            UNDERSTAND, EnumSet.of(REASON, MEMORY, REFLECT),
            REASON, EnumSet.of(DECIDE, MEMORY, REFLECT),
            DECIDE, EnumSet.of(ACT, MEMORY, REFLECT),
            ACT, EnumSet.of(MEMORY, REFLECT),
            MEMORY, EnumSet.of(REFLECT),
            REFLECT, EnumSet.of(REFLECT));

    private long time;

    private Message msg(Priority p, String payload) {
        return new Message(SENSE, UNDERSTAND, p, ++time, payload);
    }

    private static List<Object> drainAll(MessageBus bus, Domain target) {
        List<Message> out = new ArrayList<>();
        bus.drain(target, out, Integer.MAX_VALUE);
        return out.stream().map(Message::payload).toList();
    }

    static Stream<Arguments> allRoutes() {
        List<Arguments> out = new ArrayList<>();
        for (Domain s : Domain.values()) {
            for (Domain t : Domain.values()) {
                out.add(Arguments.of(s, t, ROUTES.get(s).contains(t)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} -> {1} legal={2}")
    @MethodSource("allRoutes")
    void routesAreAllowedExactlyAsTheRulesSay(Domain source, Domain target, boolean legal) {
        MessageBus bus = new MessageBus(8);
        Message m = new Message(source, target, Priority.NORMAL, 1, "x");
        assertThat(source.maySendTo(target)).isEqualTo(legal);
        if (legal) {
            assertThat(bus.offer(m)).isTrue();
            assertThat(bus.pending(target)).isEqualTo(1);
            assertThat(bus.stats().rejected()).isZero();
        } else {
            assertThatThrownBy(() -> bus.offer(m))
                    .isInstanceOf(RoutingException.class)
                    .hasMessageContaining("domain " + source + " may not send to " + target);
            assertThat(bus.pending(target)).isZero();
            BusStats s = bus.stats();
            assertThat(s.rejected()).isEqualTo(1);
            assertThat(s.offered()).isEqualTo(1);
            assertThat(s.queued()).isZero();
        }
    }

    @Test
    void targetsListsTheRouteTableAndIsACopy() {
        for (Domain d : Domain.values()) {
            assertThat(d.targets()).isEqualTo(ROUTES.get(d));
        }
        SENSE.targets().add(ACT);
        assertThat(SENSE.maySendTo(ACT)).isFalse();
    }

    @Test
    void drainDeliversHighestPriorityFirstAndFifoWithinAPriority() {
        MessageBus bus = new MessageBus(100);
        bus.offer(msg(Priority.LOW, "low1"));
        bus.offer(msg(Priority.CRITICAL, "crit1"));
        bus.offer(msg(Priority.NORMAL, "norm1"));
        bus.offer(msg(Priority.HIGH, "high1"));
        bus.offer(msg(Priority.LOW, "low2"));
        bus.offer(msg(Priority.CRITICAL, "crit2"));
        bus.offer(msg(Priority.NORMAL, "norm2"));

        assertThat(drainAll(bus, UNDERSTAND))
                .containsExactly("crit1", "crit2", "high1", "norm1", "norm2", "low1", "low2");
        assertThat(bus.stats().delivered()).isEqualTo(7);
        assertThat(bus.stats().queued()).isZero();
    }

    @Test
    void drainTakesAtMostMaxAndOnlyForItsTarget() {
        MessageBus bus = new MessageBus(100);
        bus.offer(msg(Priority.LOW, "a"));
        bus.offer(msg(Priority.HIGH, "b"));
        bus.offer(msg(Priority.NORMAL, "c"));
        bus.offer(new Message(UNDERSTAND, REASON, Priority.CRITICAL, 9, "other"));

        List<Message> out = new ArrayList<>();
        assertThat(bus.drain(UNDERSTAND, out, 2)).isEqualTo(2);
        assertThat(out).extracting(Message::payload).containsExactly("b", "c");
        assertThat(bus.pending(UNDERSTAND)).isEqualTo(1);
        assertThat(bus.pending(REASON)).isEqualTo(1);
        assertThat(bus.drain(ACT, out, 10)).isZero();
        assertThat(bus.stats().delivered()).isEqualTo(2);
        assertThat(bus.stats().queued()).isEqualTo(2);
    }

    @Test
    void busDropsOldestLowestPriorityWhenFull() {
        List<Message> droppedSeen = new ArrayList<>();
        MessageBus bus = new MessageBus(4, droppedSeen::add);
        bus.offer(msg(Priority.NORMAL, "norm-old"));
        bus.offer(msg(Priority.LOW, "low-old"));
        bus.offer(new Message(UNDERSTAND, REASON, Priority.LOW, ++time, "low-other-target"));
        bus.offer(msg(Priority.HIGH, "high"));

        assertThat(bus.offer(msg(Priority.NORMAL, "norm-new"))).isTrue();
        assertThat(droppedSeen).extracting(Message::payload).containsExactly("low-old");
        assertThat(bus.offer(msg(Priority.NORMAL, "norm-newer"))).isTrue();
        assertThat(droppedSeen).extracting(Message::payload).containsExactly("low-old", "low-other-target");
        assertThat(bus.offer(msg(Priority.NORMAL, "norm-newest"))).isTrue();
        assertThat(droppedSeen).extracting(Message::payload).containsExactly("low-old", "low-other-target", "norm-old");

        BusStats s = bus.stats();
        assertThat(s.dropped()).isEqualTo(3);
        assertThat(s.dropped(Priority.LOW)).isEqualTo(2);
        assertThat(s.dropped(Priority.NORMAL)).isEqualTo(1);
        assertThat(s.dropped(Priority.HIGH)).isZero();
        assertThat(s.dropped(Priority.CRITICAL)).isZero();
        assertThat(s.queued()).isEqualTo(4);
        assertThat(s.highWatermark()).isEqualTo(4);
        assertThat(drainAll(bus, UNDERSTAND)).containsExactly("high", "norm-new", "norm-newer", "norm-newest");
        assertThat(drainAll(bus, REASON)).isEmpty();
    }

    @Test
    void aLowerPriorityNewMessageIsItselfDroppedWhenTheBusIsFullOfHigherOnes() {
        List<Message> droppedSeen = new ArrayList<>();
        MessageBus bus = new MessageBus(3, droppedSeen::add);
        bus.offer(msg(Priority.HIGH, "h1"));
        bus.offer(msg(Priority.CRITICAL, "c1"));
        bus.offer(msg(Priority.HIGH, "h2"));

        Message low = msg(Priority.NORMAL, "too-low");
        assertThat(bus.offer(low)).isFalse();

        assertThat(droppedSeen).containsExactly(low);
        BusStats s = bus.stats();
        assertThat(s.dropped()).isEqualTo(1);
        assertThat(s.dropped(Priority.NORMAL)).isEqualTo(1);
        assertThat(s.queued()).isEqualTo(3);
        assertThat(drainAll(bus, UNDERSTAND)).containsExactly("c1", "h1", "h2");
    }

    @Test
    void aNewMessageOfTheLowestQueuedPriorityEvictsTheOldestOfThatPriority() {
        MessageBus bus = new MessageBus(2);
        bus.offer(msg(Priority.LOW, "old"));
        bus.offer(msg(Priority.LOW, "mid"));
        assertThat(bus.offer(msg(Priority.LOW, "new"))).isTrue();
        assertThat(drainAll(bus, UNDERSTAND)).containsExactly("mid", "new");
        assertThat(bus.stats().dropped(Priority.LOW)).isEqualTo(1);
    }

    @Test
    void countersBalanceAfterDropsRejectionsAndDeliveries() {
        MessageBus bus = new MessageBus(2);
        bus.offer(msg(Priority.LOW, "a"));
        bus.offer(msg(Priority.LOW, "b"));
        bus.offer(msg(Priority.HIGH, "c"));
        assertThatThrownBy(() -> bus.offer(new Message(ACT, SENSE, Priority.HIGH, 1, "x")))
                .isInstanceOf(RoutingException.class);
        drainAll(bus, UNDERSTAND);
        bus.offer(msg(Priority.NORMAL, "d"));

        BusStats s = bus.stats();
        assertThat(s.offered()).isEqualTo(5);
        assertThat(s.offered()).isEqualTo(s.queued() + s.delivered() + s.dropped() + s.rejected());
        assertThat(s).extracting(BusStats::queued, BusStats::delivered, BusStats::dropped, BusStats::rejected,
                BusStats::capacity, BusStats::highWatermark).containsExactly(1, 2L, 1L, 1L, 2, 2);
    }

    @Test
    void statsSnapshotIsNotChangedByLaterTrafficOrByItsCaller() {
        MessageBus bus = new MessageBus(1);
        bus.offer(msg(Priority.LOW, "a"));
        bus.offer(msg(Priority.LOW, "b"));
        BusStats before = bus.stats();
        before.droppedByPriority()[0] = 99;
        bus.offer(msg(Priority.LOW, "c"));
        assertThat(before.dropped(Priority.LOW)).isEqualTo(1);
        assertThat(bus.stats().dropped(Priority.LOW)).isEqualTo(2);
    }

    @Test
    void statsWithEqualCountersAreEqual() {
        BusStats a = new BusStats(5, 2, 1, new long[] {1, 0, 0, 0}, 1, 1, 4, 3);
        BusStats b = new BusStats(5, 2, 1, new long[] {1, 0, 0, 0}, 1, 1, 4, 3);
        BusStats c = new BusStats(5, 2, 1, new long[] {0, 1, 0, 0}, 1, 1, 4, 3);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a.toString()).contains("droppedByPriority=[1, 0, 0, 0]");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void capacityMustBePositive(int capacity) {
        assertThatThrownBy(() -> new MessageBus(capacity))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1, got " + capacity);
    }

    @Test
    void messageRequiresItsFields() {
        assertThatThrownBy(() -> new Message(SENSE, UNDERSTAND, Priority.LOW, 0, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("payload");
    }
}
