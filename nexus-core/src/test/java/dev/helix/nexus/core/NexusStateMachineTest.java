package dev.helix.nexus.core;

import static dev.helix.nexus.core.NexusState.DEGRADED;
import static dev.helix.nexus.core.NexusState.HEALING;
import static dev.helix.nexus.core.NexusState.INITIALIZING;
import static dev.helix.nexus.core.NexusState.PAUSED;
import static dev.helix.nexus.core.NexusState.RUNNING;
import static dev.helix.nexus.core.NexusState.SHUTTING_DOWN;
import static dev.helix.nexus.core.NexusState.STOPPED;
import static dev.helix.nexus.core.NexusState.UNINITIALIZED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.clock.ManualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class NexusStateMachineTest {

    /**
     * The legal transitions, written out by hand from the documented lifecycle (not derived from the code):
     * UNINITIALIZED → INITIALIZING → RUNNING ⇄ PAUSED; RUNNING ⇄ DEGRADED ⇄ HEALING ⇄ RUNNING; DEGRADED → PAUSED;
     * INITIALIZING may fail straight to STOPPED; every live state may shut down; SHUTTING_DOWN → STOPPED; STOPPED is
     * final.
     */
    private static final Map<NexusState, Set<NexusState>> LEGAL = new EnumMap<>(Map.of(
            UNINITIALIZED, EnumSet.of(INITIALIZING),
            INITIALIZING, EnumSet.of(RUNNING, SHUTTING_DOWN, STOPPED),
            RUNNING, EnumSet.of(PAUSED, DEGRADED, HEALING, SHUTTING_DOWN),
            PAUSED, EnumSet.of(RUNNING, SHUTTING_DOWN),
            DEGRADED, EnumSet.of(RUNNING, PAUSED, HEALING, SHUTTING_DOWN),
            HEALING, EnumSet.of(RUNNING, DEGRADED, SHUTTING_DOWN),
            SHUTTING_DOWN, EnumSet.of(STOPPED),
            STOPPED, EnumSet.noneOf(NexusState.class)));

    static Stream<Arguments> allPairs() {
        List<Arguments> out = new ArrayList<>();
        for (NexusState from : NexusState.values()) {
            for (NexusState to : NexusState.values()) {
                out.add(Arguments.of(from, to, LEGAL.get(from).contains(to)));
            }
        }
        return out.stream();
    }

    /** A shortest legal path from UNINITIALIZED to {@code target}, found over the hand-written table. */
    private static List<NexusState> pathTo(NexusState target) {
        Map<NexusState, NexusState> parent = new EnumMap<>(NexusState.class);
        Deque<NexusState> queue = new ArrayDeque<>(List.of(UNINITIALIZED));
        parent.put(UNINITIALIZED, UNINITIALIZED);
        while (!queue.isEmpty()) {
            NexusState s = queue.poll();
            for (NexusState n : LEGAL.get(s)) {
                if (parent.putIfAbsent(n, s) == null) {
                    queue.add(n);
                }
            }
        }
        List<NexusState> path = new ArrayList<>();
        for (NexusState s = target; s != UNINITIALIZED; s = parent.get(s)) {
            path.add(0, s);
        }
        return path;
    }

    private static NexusStateMachine machineIn(NexusState state, ManualClock clock) {
        NexusStateMachine m = new NexusStateMachine(clock);
        for (NexusState s : pathTo(state)) {
            m.transition(s, "setup");
        }
        assertThat(m.state()).isEqualTo(state);
        return m;
    }

    @Test
    void expectedTableHasEighteenLegalTransitions() {
        assertThat(LEGAL.values().stream().mapToInt(Set::size).sum()).isEqualTo(18);
        assertThat(LEGAL).containsOnlyKeys(NexusState.values());
    }

    @ParameterizedTest(name = "{0} -> {1} legal={2}")
    @MethodSource("allPairs")
    void everyTransitionIsLegalExactlyWhenTheTableSaysSo(NexusState from, NexusState to, boolean legal) {
        ManualClock clock = new ManualClock(1_000L);
        NexusStateMachine m = machineIn(from, clock);
        List<StateTransition> published = new ArrayList<>();
        m.addListener(published::add);
        clock.advance(Duration.ofMillis(5));

        assertThat(from.canMoveTo(to)).isEqualTo(legal);
        assertThat(from.legalNext()).isEqualTo(LEGAL.get(from));

        if (legal) {
            StateTransition t = m.transition(to, "because test");
            assertThat(t).isEqualTo(new StateTransition(from, to, "because test", 1_005L));
            assertThat(published).containsExactly(t);
            assertThat(m.state()).isEqualTo(to);
        } else {
            assertThatThrownBy(() -> m.transition(to, "because test"))
                    .isInstanceOf(IllegalStateTransitionException.class)
                    .hasMessageContaining("illegal NEXUS state transition " + from + " -> " + to)
                    .hasMessageContaining("legal next states are " + LEGAL.get(from))
                    .satisfies(e -> {
                        IllegalStateTransitionException ex = (IllegalStateTransitionException) e;
                        assertThat(ex.from()).isEqualTo(from);
                        assertThat(ex.to()).isEqualTo(to);
                    });
            assertThat(published).isEmpty();
            assertThat(m.state()).isEqualTo(from);
        }
    }

    @Test
    void newMachineStartsUninitialized() {
        assertThat(new NexusStateMachine(new ManualClock()).state()).isEqualTo(UNINITIALIZED);
    }

    @Test
    void stoppedIsFinal() {
        assertThat(STOPPED.legalNext()).isEmpty();
    }

    @Test
    void legalNextCannotBeModified() {
        assertThatThrownBy(() -> RUNNING.legalNext().add(STOPPED)).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @EnumSource(NexusState.class)
    void onlyRunningDegradedAndHealingAreActive(NexusState s) {
        assertThat(s.isActive()).isEqualTo(s == RUNNING || s == DEGRADED || s == HEALING);
    }

    @Test
    void everyListenerReceivesEveryTransitionInOrder() {
        NexusStateMachine m = new NexusStateMachine(new ManualClock());
        List<StateTransition> a = new ArrayList<>();
        List<StateTransition> b = new ArrayList<>();
        m.addListener(a::add);
        m.addListener(b::add);
        m.transition(INITIALIZING, "x");
        m.transition(RUNNING, "y");
        assertThat(a).extracting(StateTransition::to).containsExactly(INITIALIZING, RUNNING);
        assertThat(b).isEqualTo(a);
        assertThat(a.get(1).from()).isEqualTo(INITIALIZING);
        assertThat(a.get(1).reason()).isEqualTo("y");
    }

    @Test
    void throwingListenerDoesNotStopOthersOrTheTransition() {
        NexusStateMachine m = new NexusStateMachine(new ManualClock());
        List<StateTransition> seen = new ArrayList<>();
        m.addListener(t -> {
            throw new IllegalStateException("broken listener");
        });
        m.addListener(seen::add);
        m.transition(INITIALIZING, "x");
        assertThat(m.state()).isEqualTo(INITIALIZING);
        assertThat(seen).hasSize(1);
    }

    @Test
    void transitionIfMovesOnlyFromTheExpectedState() {
        NexusStateMachine m = machineIn(RUNNING, new ManualClock());
        List<StateTransition> seen = new ArrayList<>();
        m.addListener(seen::add);
        assertThat(m.transitionIf(DEGRADED, RUNNING, "not degraded")).isFalse();
        assertThat(seen).isEmpty();
        assertThat(m.transitionIf(RUNNING, DEGRADED, "overruns")).isTrue();
        assertThat(m.state()).isEqualTo(DEGRADED);
        assertThat(seen).extracting(StateTransition::reason).containsExactly("overruns");
    }

    @Test
    void transitionIfStillRefusesAnIllegalMove() {
        NexusStateMachine m = machineIn(RUNNING, new ManualClock());
        assertThatThrownBy(() -> m.transitionIf(RUNNING, UNINITIALIZED, "back"))
                .isInstanceOf(IllegalStateTransitionException.class);
        assertThat(m.state()).isEqualTo(RUNNING);
    }

    @Test
    void nullReasonBecomesEmpty() {
        assertThat(new StateTransition(RUNNING, PAUSED, null, 0).reason()).isEmpty();
    }
}
