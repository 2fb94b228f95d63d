package dev.helix.nexus.core;

import static dev.helix.nexus.core.NexusLevel.Capability.ACT_WITHOUT_CONFIRMATION;
import static dev.helix.nexus.core.NexusLevel.Capability.CHANGE_SYSTEM;
import static dev.helix.nexus.core.NexusLevel.Capability.DETECT;
import static dev.helix.nexus.core.NexusLevel.Capability.HEAL;
import static dev.helix.nexus.core.NexusLevel.Capability.OBSERVE;
import static dev.helix.nexus.core.NexusLevel.Capability.PREDICT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.NexusLevel.Capability;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NexusLevelTest {

    /** What each level grants, written out by hand from the level definitions. */
    private static final Map<NexusLevel, Set<Capability>> GRANTS = Map.of(
            NexusLevel.DISABLED, EnumSet.noneOf(Capability.class),
            NexusLevel.MONITORING, EnumSet.of(OBSERVE),
            NexusLevel.DETECTION, EnumSet.of(OBSERVE, DETECT),
            NexusLevel.PREDICTION, EnumSet.of(OBSERVE, DETECT, PREDICT),
            NexusLevel.CORRECTION, EnumSet.of(OBSERVE, DETECT, PREDICT, CHANGE_SYSTEM),
            NexusLevel.HEALING, EnumSet.of(OBSERVE, DETECT, PREDICT, CHANGE_SYSTEM, HEAL),
            NexusLevel.AUTONOMOUS, EnumSet.allOf(Capability.class));

    static Stream<Arguments> everyCapabilityAtEveryLevel() {
        List<Arguments> out = new ArrayList<>();
        for (NexusLevel l : NexusLevel.values()) {
            for (Capability c : Capability.values()) {
                out.add(Arguments.of(l, c, GRANTS.get(l).contains(c)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} allows {1}: {2}")
    @MethodSource("everyCapabilityAtEveryLevel")
    void levelAllowsExactlyItsCapabilities(NexusLevel level, Capability capability, boolean allowed) {
        assertThat(level.allows(capability)).isEqualTo(allowed);
    }

    @Test
    void capabilitiesNameTheirMinimumLevel() {
        assertThat(OBSERVE.minimum()).isEqualTo(NexusLevel.MONITORING);
        assertThat(DETECT.minimum()).isEqualTo(NexusLevel.DETECTION);
        assertThat(PREDICT.minimum()).isEqualTo(NexusLevel.PREDICTION);
        assertThat(CHANGE_SYSTEM.minimum()).isEqualTo(NexusLevel.CORRECTION);
        assertThat(HEAL.minimum()).isEqualTo(NexusLevel.HEALING);
        assertThat(ACT_WITHOUT_CONFIRMATION.minimum()).isEqualTo(NexusLevel.AUTONOMOUS);
    }

    @ParameterizedTest
    @EnumSource(NexusLevel.class)
    void onlyAutonomousActsWithoutConfirmation(NexusLevel l) {
        assertThat(l.needsConfirmation()).isEqualTo(l != NexusLevel.AUTONOMOUS);
    }

    @ParameterizedTest
    @CsvSource({"0,DISABLED", "1,MONITORING", "2,DETECTION", "3,PREDICTION", "4,CORRECTION", "5,HEALING", "6,AUTONOMOUS"})
    void parsesNumberAndNameInAnyCase(int number, NexusLevel expected) {
        assertThat(NexusLevel.parse(Integer.toString(number))).isEqualTo(expected);
        assertThat(NexusLevel.parse(expected.name())).isEqualTo(expected);
        assertThat(NexusLevel.parse(expected.name().toLowerCase())).isEqualTo(expected);
        assertThat(NexusLevel.parse("  " + expected.name().charAt(0) + expected.name().substring(1).toLowerCase() + " "))
                .isEqualTo(expected);
        assertThat(expected.number()).isEqualTo(number);
    }

    @Test
    void leadingZerosAreStillANumber() {
        assertThat(NexusLevel.parse("0000000004")).isEqualTo(NexusLevel.CORRECTION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "-1", "", "  ", "heal", "autonomous!", "4.0", "99999999999999999999", "007"})
    void refusesAnUnknownLevelNamingItAndTheAllowedValues(String text) {
        assertThatThrownBy(() -> NexusLevel.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a level")
                .hasMessageContaining("0-6")
                .hasMessageContaining("disabled, monitoring, detection, prediction, correction, healing, autonomous");
    }
}
