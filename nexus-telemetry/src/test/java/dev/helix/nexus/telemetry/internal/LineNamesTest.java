package dev.helix.nexus.telemetry.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LineNamesTest {

    @Test
    void anUnchangedLineReturnsTheSameStringInstance() {
        LineNames names = new LineNames(1);
        String first = names.name(0, "MemTotal: 1 kB", 0, 8);
        String again = names.name(0, "MemTotal: 2 kB", 0, 8);
        assertThat(first).isEqualTo("MemTotal");
        assertThat(again).isSameAs(first);
    }

    @Test
    void aChangedLineOrALineBeyondTheCapacityGivesTheRightName() {
        LineNames names = new LineNames(1);
        assertThat(names.name(0, "pgfault 1", 0, 7)).isEqualTo("pgfault");
        assertThat(names.name(0, "pgmajfault 1", 0, 10)).isEqualTo("pgmajfault");
        assertThat(names.name(5, "nr_free_pages 3", 0, 13)).isEqualTo("nr_free_pages");
        assertThat(names.name(LineNames.MAX_LINES + 3, "x_y 3", 0, 3)).isEqualTo("x_y");
    }

    private static byte[] latin1(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void bytesOfAnUnchangedLineReturnTheSameInstanceAsTheTextOfThatLine() {
        LineNames names = new LineNames(1);
        String fromText = names.name(0, "MemTotal: 1 kB", 0, 8);
        assertThat(names.name(0, latin1("MemTotal: 7 kB"), 0, 8)).isSameAs(fromText);
        String changed = names.name(0, latin1("MemFreeé: 7 kB"), 0, 8);
        assertThat(changed).isEqualTo("MemFreeé");
        assertThat(names.name(0, latin1("MemFreeé: 9 kB"), 0, 8)).isSameAs(changed);
        assertThat(names.name(LineNames.MAX_LINES, latin1("zz 1"), 0, 2)).isEqualTo("zz");
    }
}
