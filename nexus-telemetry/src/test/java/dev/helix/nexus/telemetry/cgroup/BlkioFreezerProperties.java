package dev.helix.nexus.telemetry.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The in-place parsers of the cgroup v1 {@code blkio.throttle.*} and {@code freezer.state} files agree with the
 * String parsing they replaced (kept here verbatim as {@link #referenceBlkio} and {@link #referenceFreezer}): the
 * same Read/Write sums, the same first malformed line, the same state, on realistic, damaged and random Latin-1
 * input.
 */
class BlkioFreezerProperties {

    /** The old String parser: {read, write} sums, or the first bad line as a String. */
    static Object referenceBlkio(String t) {
        long read = 0;
        long write = 0;
        for (String line : t.split("\n")) {
            String[] p = Texts.fields(line);
            if (p.length == 0 || (p.length == 2 && p[0].equals("Total"))) {
                continue;
            }
            long v = p.length == 3 ? Texts.parseLong(p[2]) : Texts.NOT_A_NUMBER;
            if (v == Texts.NOT_A_NUMBER || p[0].indexOf(':') < 0) {
                return line;
            }
            if (p[1].equals("Read")) {
                read += v;
            } else if (p[1].equals("Write")) {
                write += v;
            }
        }
        return new long[] {read, write};
    }

    static double referenceFreezer(String t) {
        return switch (t.strip()) {
            case "THAWED" -> 0;
            case "FREEZING" -> 0.5;
            case "FROZEN" -> 1;
            default -> Double.NaN;
        };
    }

    @Property(tries = 2000)
    void blkioSumsAgreeWithTheStringParser(@ForAll("blkio") String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        long[] sums = {-7, -7};
        int bad = CgroupV1Sensor.blkioSums(b, b.length, sums, new int[3], new int[3]);
        Object expected = referenceBlkio(text);
        if (expected instanceof String line) {
            assertThat(bad).as("'%s'", text).isNotNegative();
            int end = text.indexOf('\n', bad);
            assertThat(text.substring(bad, end < 0 ? text.length() : end)).as("'%s'", text).isEqualTo(line);
        } else {
            assertThat(bad).as("'%s'", text).isEqualTo(-1);
            assertThat(sums).as("'%s'", text).containsExactly((long[]) expected);
        }
    }

    @Property(tries = 1000)
    void freezerStateAgreesWithTheStringParser(@ForAll("freezer") String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Double.doubleToRawLongBits(CgroupV1Sensor.freezerState(b, b.length))).as("'%s'", text)
                .isEqualTo(Double.doubleToRawLongBits(referenceFreezer(text)));
    }

    @Provide
    Arbitrary<String> blkio() {
        Arbitrary<String> line = Arbitraries.oneOf(
                Arbitraries.of("8:0 Read 4096", "8:0 Write 8192", "8:0 Sync 1", "8:0 Async 2", "8:0 Discard 0",
                        "8:0 Total 12288", "Total 12288", "Total", "253:1 Read 18446744073709551615", "8:0 Read -5",
                        "8:0 Read x", "80 Read 1", "8:0 Read", "8:0  Write\t7 ", "\u001c8:0 Read 3\u001f", "8:0 Read 1 2",
                        "", "  ", "Total 1 2", ":Write 9", "8:0 Read\u00a05"),
                Arbitraries.strings().withChars("0123456789: RWeadritTol\t\r-").ofMaxLength(24),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(16));
        return line.list().ofMaxSize(8).map(ls -> String.join("\n", ls));
    }

    @Provide
    Arbitrary<String> freezer() {
        Arbitrary<String> state = Arbitraries.of("THAWED", "FREEZING", "FROZEN", "thawed", "FROZE", "FROZENX", "");
        Arbitrary<String> pad = Arbitraries.strings().withChars(" \t\n\r\u000b\u000c\u001c\u001f\u0085\u00a0").ofMaxLength(3);
        Arbitrary<String> padded = net.jqwik.api.Combinators.combine(pad, state, pad).as((a, s, c) -> a + s + c);
        return Arbitraries.oneOf(padded, Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(12));
    }
}
