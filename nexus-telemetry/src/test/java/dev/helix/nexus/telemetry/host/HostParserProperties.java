package dev.helix.nexus.telemetry.host;

import static dev.helix.nexus.telemetry.TestSupport.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.TextFileSensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every /proc parser, fed garbage or a randomly damaged copy of this machine's real file, never throws, never takes
 * the internal-error path, reports trouble through health with a reason, and never records a negative or infinite
 * value; after garbage, real input is parsed healthily again.
 */
class HostParserProperties {

    record Case(String file, Function<Path, TextFileSensor> factory) {
    }

    static final List<Case> CASES = List.of(
            new Case("stat", ProcStatSensor::new), new Case("loadavg", LoadAvgSensor::new),
            new Case("meminfo", MemInfoSensor::new), new Case("vmstat", VmStatSensor::new),
            new Case("zoneinfo", ZoneInfoSensor::new), new Case("diskstats", DiskStatsSensor::new),
            new Case("interrupts", InterruptsSensor::new), new Case("net/dev", NetDevSensor::new));

    static String real(String tree, String file) {
        try {
            return Files.readString(fixture(tree).resolve(file));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks every recorded value. */
    static final class CheckingSink implements MetricSink {
        int count;

        @Override
        public void record(MetricKey key, double value, long ts) {
            count++;
            assertThat(Double.isInfinite(value)).as(key + " infinite").isFalse();
            if (!Double.isNaN(value)) {
                assertThat(value).as(key.toString()).isGreaterThanOrEqualTo(0);
            }
            if (key.name().equals("host_cpu_fraction") || key.name().equals("host_cpu_busy_fraction")
                    || key.name().equals("host_disk_utilisation_fraction")) {
                assertThat(Double.isNaN(value) || (value >= 0 && value <= 1)).as(key + "=" + value).isTrue();
            }
        }
    }

    static void assertSane(AbstractSensor s) {
        SensorHealth h = s.health();
        assertThat(h.reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
        if (!h.isHealthy()) {
            assertThat(h.reason()).isNotBlank();
            assertThat(h.source()).isNotBlank();
        }
    }

    @Property(tries = 400)
    void garbageNeverCrashesAnyParser(@ForAll("garbage") String text, @ForAll("cases") Case c) {
        TextFileSensor s = c.factory().apply(Path.of("/nonexistent"));
        CheckingSink sink = new CheckingSink();
        s.sampleText(real("proc-t0", c.file()), sink, 1_000);
        s.sampleText(text, sink, 2_000);
        assertSane(s);
        s.sampleText(text, sink, 3_000);
        assertSane(s);
        s.sampleText(real("proc-t1", c.file()), sink, 4_000);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
    }

    @Property(tries = 600)
    void damagedRealFilesDegradeNotCrash(@ForAll("cases") Case c, @ForAll("damage") List<int[]> edits) {
        String text = damage(real("proc-t1", c.file()), edits);
        TextFileSensor s = c.factory().apply(Path.of("/nonexistent"));
        CheckingSink sink = new CheckingSink();
        s.sampleText(real("proc-t0", c.file()), sink, 1_000);
        s.sampleText(text, sink, 2_000);
        assertSane(s);
    }

    /** Applies edits: [kind, position, value] with kind 0 replace char, 1 delete line, 2 truncate, 3 dup line. */
    static String damage(String text, List<int[]> edits) {
        StringBuilder sb = new StringBuilder(text);
        for (int[] e : edits) {
            if (sb.length() == 0) {
                break;
            }
            int pos = Math.floorMod(e[1], sb.length());
            switch (e[0]) {
                case 0 -> sb.setCharAt(pos, (char) e[2]);
                case 1 -> {
                    int start = pos == 0 ? 0 : sb.lastIndexOf("\n", pos - 1) + 1;
                    int end = sb.indexOf("\n", start);
                    sb.delete(start, end < 0 ? sb.length() : end + 1);
                }
                case 2 -> sb.setLength(pos);
                default -> {
                    int start = pos == 0 ? 0 : sb.lastIndexOf("\n", pos - 1) + 1;
                    int end = sb.indexOf("\n", start);
                    String line = sb.substring(start, end < 0 ? sb.length() : end);
                    sb.insert(start, line + "\n");
                }
            }
        }
        return sb.toString();
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.of(CASES);
    }

    @Provide
    Arbitrary<String> garbage() {
        Arbitrary<String> chars = Arbitraries.strings().withChars("0123456789 \t\n:-+.()/=abcdefxyzCPU|").ofMaxLength(400);
        Arbitrary<String> any = Arbitraries.strings().ofMaxLength(200);
        Arbitrary<String> numbers = Arbitraries.longs().list().ofMaxSize(40)
                .map(l -> { StringBuilder b = new StringBuilder(); for (Long x : l) b.append(x).append(x % 3 == 0 ? "\n" : " "); return b.toString(); });
        Arbitrary<String> huge = Arbitraries.just("cpu 18446744073709551615 99999999999999999999999 1 2 3 4 5 6\n"
                + "procs_running 18446744073709551615\nintr -5\n");
        return Arbitraries.oneOf(chars, any, numbers, huge);
    }

    @Provide
    Arbitrary<List<int[]>> damage() {
        Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers(), Arbitraries.integers().between(0, 0x2FF)).as((k, p, v) -> new int[] {k, p, v});
        return edit.list().ofMinSize(1).ofMaxSize(8).map(ArrayList::new);
    }
}
