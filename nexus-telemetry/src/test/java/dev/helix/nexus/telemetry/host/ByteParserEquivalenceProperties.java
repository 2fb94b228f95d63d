package dev.helix.nexus.telemetry.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.PsiParser;
import dev.helix.nexus.telemetry.internal.TextFileSensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The byte-level parsers of {@code /proc/stat}, {@code /proc/interrupts}, {@code /proc/diskstats},
 * {@code /proc/net/dev}, {@code /proc/loadavg}, {@code /proc/meminfo}, {@code /proc/vmstat}, {@code /proc/zoneinfo}
 * and the PSI files give exactly what their String-splitting predecessors (kept in tests as
 * {@code Reference*Sensor} and {@link PsiParser#parse(String, double[])}) give: the same samples in the same order
 * with the same keys, values (bit for bit, NaN included) and timestamps, and the same health, over a sequence of ticks
 * of real, randomly damaged and random Latin-1 input (the only input a byte read can produce).
 */
class ByteParserEquivalenceProperties {

    record Case(String file, Function<Path, TextFileSensor> bytes, Function<Path, TextFileSensor> reference) {
        @Override
        public String toString() {
            return file;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("stat", ProcStatSensor::new, ReferenceProcStatSensor::new),
            new Case("interrupts", InterruptsSensor::new, ReferenceInterruptsSensor::new),
            new Case("diskstats", DiskStatsSensor::new, ReferenceDiskStatsSensor::new),
            new Case("net/dev", NetDevSensor::new, ReferenceNetDevSensor::new),
            new Case("loadavg", LoadAvgSensor::new, ReferenceLoadAvgSensor::new),
            new Case("meminfo", MemInfoSensor::new, ReferenceMemInfoSensor::new),
            new Case("vmstat", VmStatSensor::new, ReferenceVmStatSensor::new),
            new Case("zoneinfo", ZoneInfoSensor::new, ReferenceZoneInfoSensor::new));

    /** Every sample, in order, as text: key, value bits, timestamp. */
    static final class Log implements MetricSink {
        final List<String> samples = new ArrayList<>();

        @Override
        public void record(MetricKey key, double value, long ts) {
            samples.add(key + " " + Long.toHexString(Double.doubleToRawLongBits(value)) + " @" + ts);
        }
    }

    private static void assertSameOver(Case c, List<String> texts) {
        TextFileSensor bytes = c.bytes().apply(Path.of("/nonexistent"));
        TextFileSensor reference = c.reference().apply(Path.of("/nonexistent"));
        Log a = new Log();
        Log b = new Log();
        long ts = 1_000;
        for (String t : texts) {
            bytes.sampleText(t, a, ts);
            reference.sampleText(t, b, ts);
            assertThat(a.samples).as("samples after '%s'", t).isEqualTo(b.samples);
            assertThat(bytes.health()).as("health after '%s'", t).isEqualTo(reference.health());
            ts += 1_000;
        }
    }

    @Property(tries = 600)
    void damagedRealFilesGiveTheSameSamplesAndHealth(@ForAll("cases") Case c, @ForAll("damage") List<int[]> edits1,
                                                     @ForAll("damage") List<int[]> edits2) {
        String t0 = HostParserProperties.real("proc-t0", c.file());
        String t1 = HostParserProperties.real("proc-t1", c.file());
        assertSameOver(c, List.of(t0, HostParserProperties.damage(t1, edits1), t1,
                HostParserProperties.damage(t0, edits2), t1, t0));
    }

    @Property(tries = 600)
    void randomTextGivesTheSameSamplesAndHealth(@ForAll("cases") Case c, @ForAll("latin1Garbage") String g1,
                                                @ForAll("latin1Garbage") String g2) {
        String t0 = HostParserProperties.real("proc-t0", c.file());
        assertSameOver(c, List.of(g1, t0, g2, g1, HostParserProperties.real("proc-t1", c.file())));
    }

    @Property(tries = 1500)
    void psiBytesAgreeWithPsiText(@ForAll("psi") String text) {
        double[] a = new double[8];
        double[] b = new double[8];
        byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
        String pa = PsiParser.parse(raw, raw.length, a);
        String pb = PsiParser.parse(text, b);
        assertThat(pa).as("'%s'", text).isEqualTo(pb);
        assertThat(Arrays.stream(a).mapToLong(Double::doubleToRawLongBits).toArray()).as("'%s'", text)
                .isEqualTo(Arrays.stream(b).mapToLong(Double::doubleToRawLongBits).toArray());
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.of(CASES);
    }

    @Provide
    Arbitrary<List<int[]>> damage() {
        Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers(), Arbitraries.integers().between(0, 0xFF)).as((k, p, v) -> new int[] {k, p, v});
        return edit.list().ofMinSize(1).ofMaxSize(8).map(ArrayList::new);
    }

    @Provide
    Arbitrary<String> latin1Garbage() {
        Arbitrary<String> tokens = Arbitraries.strings()
                .withChars("0123456789 \t\n\r\u000b\u001c\u0085\u00a0:-+.()/=|abcdefxyzCPUcpuintrctxtsda").ofMaxLength(300);
        Arbitrary<String> any = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(200);
        Arbitrary<String> lines = Arbitraries.of("cpu  1 2 3 4 5 6 7 8 9 10", "cpu0 1 2 3 4", "cpu1 x 2 3 4", "cpu2 1 2 3", "cpu 1",
                "cputotal 1 2 3 4 5", "ctxt 5", "intr -5", "processes 18446744073709551615", "procs_running 3",
                "           CPU0       CPU1", "  0:         44          0   IO-APIC   2-edge      timer",
                "LOC:    1 2   Local timer interrupts", "ERR:          0", "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11",
                "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "lo:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
                "Inter-|   Receive", " : 1 2", ":1 2 3", "eth1 1 2", "0.19 0.05 0.01 1/86 4887", "1.5 x 2 /3 9",
                "0.1 0.2 0.3 12/ 5", "MemTotal:   1000 kB", "MemAvailable: 5 kB", "HugePages_Total:  0", " : 5 kB",
                "SwapFree: 7 MB", "SwapTotal: 9 kB x", "pgfault 10", "pgscan_kswapd 5", "pgsteal_direct 3", "oom_kill x",
                "pgscan_direct_throttle 2", "nr_free_pages 9 9", "Node 0, zone   Normal", "Node 1, zone DMA32",
                "Node x, zone DMA", "Node 0 zone Normal", "  pages free     5", "        min      1", "  low 2",
                "  high 3", "  managed 0", "  managed 4", "      high:  6", "")
                .list().ofMaxSize(12).map(l -> String.join("\n", l));
        return Arbitraries.oneOf(tokens, any, lines);
    }

    @Provide
    Arbitrary<String> psi() {
        Arbitrary<String> number = Arbitraries.oneOf(
                Arbitraries.doubles().between(0, 120).ofScale(2).map(d -> String.format(java.util.Locale.ROOT, "%.2f", d)),
                Arbitraries.of("0.00", "100.00", "100.01", "5", ".5", "5.", ".", "1e2", "-1", "+3", "NaN", "Infinity",
                        "0x10", "7d", "0000000000000001.5", "12345678901234567", "18446744073709551615", ""),
                Arbitraries.longs().map(v -> Long.toString(v)));
        Arbitrary<String> key = Arbitraries.of("avg10", "avg60", "avg300", "total", "avg", "", "x");
        Arbitrary<String> field = Combinators.combine(key, Arbitraries.of("=", "==", "", " = "), number)
                .as((k, e, v) -> k + e + v);
        Arbitrary<String> line = Combinators.combine(Arbitraries.of("some", "full", "none", "", "some\t"),
                field.list().ofMaxSize(6)).as((k, f) -> k + " " + String.join(" ", f));
        Arbitrary<String> structured = line.list().ofMaxSize(3).map(l -> String.join("\n", l));
        Arbitrary<String> any = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(120);
        return Arbitraries.oneOf(structured, structured, any);
    }
}
