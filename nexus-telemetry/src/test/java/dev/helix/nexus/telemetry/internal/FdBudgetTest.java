package dev.helix.nexus.telemetry.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FdBudgetTest {

    private static final String HEADER = "Limit                     Soft Limit           Hard Limit           Units     \n";

    @Test
    void readsTheSoftLimitFromARealLimitsFileLayout(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("limits"), HEADER
                + "Max processes             94401                94401                processes \n"
                + "Max open files            1024                 524288               files     \n");
        assertThat(FdBudget.softLimit(f)).isEqualTo(1024);
    }

    @Test
    void unlimitedMissingAndMalformedAreRecognised(@TempDir Path dir) throws IOException {
        assertThat(FdBudget.softLimit(Files.writeString(dir.resolve("u"), HEADER
                + "Max open files            unlimited            unlimited            files     \n")))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(FdBudget.softLimit(Files.writeString(dir.resolve("m"), HEADER
                + "Max open files            lots                 lots                 files     \n"))).isEqualTo(-1);
        assertThat(FdBudget.softLimit(Files.writeString(dir.resolve("n"), HEADER))).isEqualTo(-1);
        assertThat(FdBudget.softLimit(dir.resolve("absent"))).isEqualTo(-1);
    }

    @Test
    void aLowDescriptorLimitCapsWhatSensorsKeepOpen() {
        assertThat(FdBudget.cap(1024, 1024)).isEqualTo(128);
        assertThat(FdBudget.cap(1024, 1_048_576)).isEqualTo(1024);
        assertThat(FdBudget.cap(1024, Long.MAX_VALUE)).isEqualTo(1024);
        assertThat(FdBudget.cap(1024, -1)).isEqualTo(FdBudget.FALLBACK_CAP);
        assertThat(FdBudget.cap(0, 1024)).isZero();
    }

    @Test
    void thisProcessHasAReadableLimitOnLinux() {
        long soft = FdBudget.softLimit(Path.of("/proc/self/limits"));
        if (Files.isReadable(Path.of("/proc/self/limits"))) {
            assertThat(soft).isPositive();
            assertThat(FdBudget.capped(Integer.MAX_VALUE)).isEqualTo((int) Math.min(Integer.MAX_VALUE, soft / 8));
        }
    }
}
