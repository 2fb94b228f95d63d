package dev.helix.nexus.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "250ms, PT0.25S",
        "1s, PT1S",
        "1.5s, PT1.5S",
        "2m, PT2M",
        "1h, PT1H",
        "1d, PT24H",
        "100us, PT0.0001S",
        "7ns, PT0.000000007S",
        "3 sec, PT3S",
        "2min, PT2M",
        "0, PT0S",
        "PT1S, PT1S",
        "pt2m, PT2M",
        "  10MS , PT0.01S",
        "-5s, PT-5S"})
    void parsesShortAndIsoForms(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"500", "1.5", "s", "ms", "5 parsecs", "1e3ms", "five seconds", "PTx", "1..2s", "--1s",
        "99999999999999999999d"})
    void refusesWhatIsNotADurationNamingItAndTheForms(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a duration")
                .hasMessageContaining("250ms");
    }

    @ParameterizedTest
    @CsvSource({"PT1S, 1s", "PT0.25S, 250ms", "PT90S, 90s", "PT0.0001S, 100us", "PT0.000000007S, 7ns", "PT0S, 0s",
        "PT-5S, -5s"})
    void formatsInTheShortestExactUnit(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    }

    @Test
    void formatsNullAsNull() {
        assertThat(Durations.format(null)).isEqualTo("null");
    }
}
