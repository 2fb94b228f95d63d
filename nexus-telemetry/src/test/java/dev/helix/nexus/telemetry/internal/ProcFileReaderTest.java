package dev.helix.nexus.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFileReaderTest {

    @Test
    void readsWholeFilesGrowingTheBufferAndCutsAtTheLimit(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("f"), "x".repeat(10_000));
        ProcFileReader r = new ProcFileReader(16, 64 * 1024);
        assertThat(r.read(f)).isEqualTo(10_000);
        assertThat(r.truncated()).isFalse();
        assertThat(r.text(10_000)).isEqualTo("x".repeat(10_000));
        ProcFileReader small = new ProcFileReader(16, 4096);
        assertThat(small.read(f)).isEqualTo(4096);
        assertThat(small.truncated()).isTrue();
        assertThat(r.read(tmp.resolve("missing"))).isEqualTo(-1);
    }

    @Test
    void keptProcFileIsReadFreshEveryTime() throws Exception {
        Path self = Path.of("/proc/self/stat");
        assumeThat(Files.isReadable(self)).as("needs Linux /proc").isTrue();
        ProcFileReader r = new ProcFileReader();
        r.keepOpen(4);
        StatLine st = new StatLine();
        assertThat(st.parse(r.buffer(), r.readKept(self))).isTrue();
        long before = st.utimeTicks + st.stimeTicks;
        assertThat(r.keptOpen()).isEqualTo(1);
        long spin = System.nanoTime() + 300_000_000L; // burn 0.3 s of CPU so the counters must move
        long x = 0;
        while (System.nanoTime() < spin) {
            x += x * 31 + 7;
        }
        assertThat(x).isNotZero();
        assertThat(st.parse(r.buffer(), r.readKept(self))).isTrue();
        assertThat(st.utimeTicks + st.stimeTicks).isGreaterThan(before);
        assertThat(r.keptOpen()).isEqualTo(1);
        r.closeKept();
        assertThat(r.keptOpen()).isZero();
    }

    @Test
    void keptFileOfAnExitedProcessFallsBackToMissing() throws Exception {
        assumeThat(Files.isReadable(Path.of("/proc/self/stat"))).as("needs Linux /proc").isTrue();
        Process p = new ProcessBuilder("sleep", "30").start();
        Path stat = Path.of("/proc/" + p.pid() + "/stat");
        ProcFileReader r = new ProcFileReader();
        r.keepOpen(4);
        assertThat(r.readKept(stat)).isPositive();
        p.destroy();
        p.waitFor();
        assertThat(r.readKept(stat)).isEqualTo(-1); // pread fails (ESRCH), the reopen finds no such file
        assertThat(r.keptOpen()).isZero();
    }

    @Test
    void budgetAndRememberedMissingFiles(@TempDir Path tmp) throws Exception {
        Path a = Files.writeString(tmp.resolve("a"), "1");
        Path b = Files.writeString(tmp.resolve("b"), "22");
        Path gone = tmp.resolve("gone");
        ProcFileReader r = new ProcFileReader();
        r.keepOpen(1, true);
        assertThat(r.readKept(a)).isEqualTo(1);
        assertThat(r.readKept(b)).as("over budget: read without keeping").isEqualTo(2);
        assertThat(r.keptOpen()).isEqualTo(1);
        assertThat(r.readKept(gone)).isEqualTo(-1);
        Files.writeString(gone, "333");
        assertThat(r.readKept(gone)).as("remembered as missing until closeKept").isEqualTo(-1);
        r.closeKept();
        assertThat(r.readKept(gone)).isEqualTo(3);
    }
}
