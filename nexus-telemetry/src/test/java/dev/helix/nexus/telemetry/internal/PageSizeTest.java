package dev.helix.nexus.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageSizeTest {

    /** Encodes (type, value) pairs as an auxiliary vector of {@code wordBytes}-byte words in {@code order}. */
    private static byte[] auxv(ByteOrder order, int wordBytes, long... typeValue) {
        ByteBuffer b = ByteBuffer.allocate(typeValue.length * wordBytes).order(order);
        for (long w : typeValue) {
            if (wordBytes == 8) {
                b.putLong(w);
            } else {
                b.putInt((int) w);
            }
        }
        return b.array();
    }

    @Test
    void readsAtPageszFromA64BitLittleEndianVector() {
        byte[] b = auxv(ByteOrder.LITTLE_ENDIAN, 8, 33, 0x7fff0000L, 16, 0xbfebfbffL, 6, 16384, 17, 100, 0, 0);
        assertThat(PageSize.fromAuxv(b, b.length, ByteOrder.LITTLE_ENDIAN, 8)).hasValue(16384);
    }

    @Test
    void readsBigEndianAnd32BitVectors() {
        byte[] be = auxv(ByteOrder.BIG_ENDIAN, 8, 6, 65536, 0, 0);
        assertThat(PageSize.fromAuxv(be, be.length, ByteOrder.BIG_ENDIAN, 8)).hasValue(65536);
        byte[] w32 = auxv(ByteOrder.LITTLE_ENDIAN, 4, 3, 0x8048034, 6, 4096, 0, 0);
        assertThat(PageSize.fromAuxv(w32, w32.length, ByteOrder.LITTLE_ENDIAN, 4)).hasValue(4096);
    }

    @Test
    void rejectsVectorsWithoutAUsablePageSizeEntry() {
        byte[] afterNull = auxv(ByteOrder.LITTLE_ENDIAN, 8, 0, 0, 6, 4096);
        assertThat(PageSize.fromAuxv(afterNull, afterNull.length, ByteOrder.LITTLE_ENDIAN, 8)).isEmpty();
        byte[] notPowerOfTwo = auxv(ByteOrder.LITTLE_ENDIAN, 8, 6, 5000, 0, 0);
        assertThat(PageSize.fromAuxv(notPowerOfTwo, notPowerOfTwo.length, ByteOrder.LITTLE_ENDIAN, 8)).isEmpty();
        byte[] ok = auxv(ByteOrder.LITTLE_ENDIAN, 8, 6, 4096, 0, 0);
        assertThat(PageSize.fromAuxv(ok, ok.length - 3, ByteOrder.LITTLE_ENDIAN, 8))
                .as("a truncated vector is not trusted").isEmpty();
        assertThat(PageSize.fromAuxv(new byte[0], 0, ByteOrder.LITTLE_ENDIAN, 8)).isEmpty();
    }

    @Property(tries = 500)
    void findsTheFirstPageSizeEntryBeforeTheEnd(@ForAll @Size(max = 12) List<@IntRange(min = 1, max = 60) Integer> types,
                                               @ForAll @IntRange(min = 9, max = 20) int log2Page,
                                               @ForAll @IntRange(min = 0, max = 12) int at,
                                               @ForAll boolean bigEndian, @ForAll boolean wide) {
        int word = wide ? 8 : 4;
        ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int insert = Math.min(at, types.size());
        long[] words = new long[2 * (types.size() + 2)];
        int w = 0;
        Long expected = null;
        for (int i = 0; i <= types.size(); i++) {
            if (i == insert) {
                words[w++] = 6;
                words[w++] = 1L << log2Page;
                if (expected == null) {
                    expected = 1L << log2Page;
                }
            }
            if (i < types.size()) {
                int t = types.get(i);
                words[w++] = t;
                words[w++] = t == 6 ? 1L << (log2Page + 1) : 12345;
                if (t == 6 && expected == null) {
                    expected = 1L << (log2Page + 1);
                }
            }
        }
        byte[] b = auxv(order, word, words); // ends with the AT_NULL pair (zeros)
        assertThat(PageSize.fromAuxv(b, b.length, order, word)).hasValue(expected);
    }

    @Property(tries = 1000)
    void damagedVectorsNeverThrowAndOnlyGivePowersOfTwo(@ForAll byte[] junk, @ForAll boolean wide) {
        OptionalLong v = PageSize.fromAuxv(junk, junk.length, ByteOrder.LITTLE_ENDIAN, wide ? 8 : 4);
        v.ifPresent(p -> assertThat(Long.bitCount(p)).isEqualTo(1));
    }

    @Test
    void derivesPageSizeFromRssKibibytesOverResidentPages() {
        String status = "Name:\tjava\nVmHWM:\t  999 kB\nVmRSS:\t  1600 kB\nThreads:\t3\n";
        assertThat(PageSize.fromStatmAndStatus("5000 100 20 1 0 300 0\n", status)).hasValue(16384);
        assertThat(PageSize.fromStatmAndStatus("5000 400 20 1 0 300 0\n", status)).hasValue(4096);
        assertThat(PageSize.fromStatmAndStatus("5000 399 20 1 0 300 0\n", status))
                .as("RSS moved between the reads: not a whole page size").isEmpty();
        assertThat(PageSize.fromStatmAndStatus("5000 0 20\n", status)).isEmpty();
        assertThat(PageSize.fromStatmAndStatus("garbage", status)).isEmpty();
        assertThat(PageSize.fromStatmAndStatus("5000 100\n", "Name:\tx\n")).isEmpty();
        assertThat(PageSize.fromStatmAndStatus("5000 100\n", "VmRSS:\t1600 MB\n")).isEmpty();
    }

    @Test
    void fallsBackToStatmAndStatusWithoutAuxvAndSaysSo(@TempDir Path self) throws Exception {
        Files.writeString(self.resolve("statm"), "5000 50 20 1 0 300 0\n");
        Files.writeString(self.resolve("status"), "VmRSS:\t  3200 kB\n");
        String[] source = new String[1];
        assertThat(PageSize.detect(self, source)).isEqualTo(65536);
        assertThat(source[0]).isEqualTo("statm/status");
        Files.delete(self.resolve("status"));
        assertThat(PageSize.detect(self, source)).isEqualTo(4096);
        assertThat(source[0]).isEqualTo("assumed 4096");
    }

    @Test
    void agreesWithGetconfOnThisHost() throws Exception {
        assumeThat(Files.isReadable(Path.of("/proc/self/auxv"))).as("needs Linux /proc/self/auxv").isTrue();
        Process p;
        try {
            p = new ProcessBuilder("getconf", "PAGESIZE").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeThat(false).as("getconf not installed").isTrue();
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assumeThat(p.waitFor()).as("getconf PAGESIZE failed: " + out).isZero();
        assertThat(PageSize.system()).isEqualTo(Long.parseLong(out));
        assertThat(PageSize.source()).isEqualTo("auxv");
    }
}
