package dev.helix.nexus.telemetry.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The in-place flat-keyed reader of the cgroup sensors agrees with the plain String reading it replaced (split
 * lines, split fields, a line counts only with exactly two fields and a value in [0, 2^63)): same values for the keys
 * asked, -1 for absent ones, and a problem exactly when some line is malformed.
 */
class FlatKeyedProperties {

    static final String[] WANTED = {"rss", "cache", "nr_periods", "oom_kill", "x"};

    /** A sensor whose tick is one readFlatKeyed of {@code target}, so its health reports that read's problems. */
    static final class Probe extends CgroupSensorBase {
        final long[] values = new long[WANTED.length];
        boolean present;
        Path target;

        Probe() {
            super("probe", "probe", "v2", 0, 1, 1);
        }

        void read() {
            sample((k, v, t) -> { }, 1);
        }

        @Override
        protected void doSample(MetricSink sink, long timestampMillis, String text) {
            present = readFlatKeyed(target, WANTED, values);
        }
    }

    @Property(tries = 1000)
    void agreesWithStringParsing(@ForAll("flatKeyed") String text) throws Exception {
        Path f = Files.createTempFile("nexus-flat-", ".stat");
        try {
            Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
            Probe p = new Probe();
            p.target = f;
            p.read();
            Map<String, Long> expected = new HashMap<>();
            boolean bad = false;
            for (String line : text.split("\n")) {
                String[] fs = Texts.fields(line);
                if (fs.length == 0) {
                    continue;
                }
                long v = fs.length == 2 ? Texts.parseLong(fs[1]) : Texts.NOT_A_NUMBER;
                if (v < 0) {
                    bad = true;
                    continue;
                }
                expected.put(fs[0], v);
            }
            assertThat(p.present).isTrue();
            for (int i = 0; i < WANTED.length; i++) {
                assertThat(p.values[i]).as("%s in '%s'", WANTED[i], text).isEqualTo(expected.getOrDefault(WANTED[i], -1L));
            }
            assertThat(p.health().isHealthy()).as("'%s'", text).isEqualTo(!bad);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Property(tries = 20)
    void absentFileIsNotAProblem(@ForAll("flatKeyed") String ignored) {
        Probe p = new Probe();
        p.target = Path.of("/no/such/dir/memory.stat");
        p.read();
        assertThat(p.present).isFalse();
        assertThat(p.values).containsOnly(-1L);
        assertThat(p.health().isHealthy()).isTrue();
    }

    @Provide
    Arbitrary<String> flatKeyed() {
        Arbitrary<String> line = Arbitraries.oneOf(
                Arbitraries.of(WANTED).flatMap(k -> Arbitraries.longs().between(-5, Long.MAX_VALUE)
                        .map(v -> k + " " + v)),
                Arbitraries.of("rss 18446744073709551615", "cache  12 \t", " nr_periods 7", "oom_kill", "x 1 2",
                        "", "   ", "rss -0", "cache 9223372036854775807", "\u001crss 5\u001f", "rss\u00a05"),
                Arbitraries.strings().withChars("rsca x0123456789 \t\r-").ofMaxLength(20),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(15));
        return line.list().ofMaxSize(8).map(ls -> String.join("\n", ls));
    }
}
