package dev.helix.nexus.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TextsTest {

    @Test
    void parsesUnsigned64BitCounters() {
        assertThat(Texts.parseLong("18446744073709551615")).isEqualTo(-1L);
        assertThat(Texts.parseLong("18446744073709551616")).isEqualTo(Texts.NOT_A_NUMBER);
        assertThat(Texts.parseLong(" 42\n")).isEqualTo(42);
        assertThat(Texts.parseLong("-7")).isEqualTo(-7);
        assertThat(Texts.parseLong("4x")).isEqualTo(Texts.NOT_A_NUMBER);
        assertThat(Texts.parseLong("")).isEqualTo(Texts.NOT_A_NUMBER);
    }

    /** Regression: Files.readAllBytes returned only the first byte of /proc/sys files on JDK 25. */
    @Test
    void readsWholeProcSysFile() throws Exception {
        Path p = Path.of("/proc/sys/kernel/pid_max");
        if (p.toFile().exists()) {
            String t = Texts.readOrNull(p);
            assertThat(Texts.parseLong(t)).isGreaterThanOrEqualTo(301); // pid_max is at least 301 (PID_MAX_MIN)
        }
    }

    @Property(tries = 1000)
    void parseLongNeverThrows(@ForAll String s) {
        long v = Texts.parseLong(s);
        if (v != Texts.NOT_A_NUMBER && v >= 0 && !s.strip().startsWith("-")) {
            assertThat(Long.toUnsignedString(v)).isEqualTo(s.strip().replaceFirst("^0+(?=.)", ""));
        }
    }
}
