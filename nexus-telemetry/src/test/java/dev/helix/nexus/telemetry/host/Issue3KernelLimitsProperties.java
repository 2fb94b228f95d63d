package dev.helix.nexus.telemetry.host;

import static dev.helix.nexus.telemetry.TestSupport.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property test (issue 3, "jqwik property tests for every parser") of the one /proc host parser that
 * {@link HostParserProperties} does not cover: {@link KernelLimitsSensor} ({@code sys/fs/file-nr},
 * {@code sys/kernel/pid_max}, {@code sys/kernel/threads-max}, the task field of {@code loadavg}).
 *
 * <p>Any content in any one of its four files (random text, or the real file damaged) never reaches the
 * internal-error path, never yields a negative, infinite or NaN value or a fraction above 1 while the values are
 * consistent, names the damaged file when it reports a problem, and the real files afterwards give HEALTHY again.
 */
class Issue3KernelLimitsProperties {

    private static final List<String> FILES = List.of("sys/fs/file-nr", "sys/kernel/pid_max", "sys/kernel/threads-max",
            "loadavg");

    private static Path tree;

    @BeforeContainer
    static void copyFixture() throws Exception {
        tree = Files.createTempDirectory("nexus-issue3-limits-");
        for (String f : FILES) {
            Path to = tree.resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(fixture("proc-t0").resolve(f), to);
        }
    }

    @AfterContainer
    static void removeFixture() throws Exception {
        for (String f : FILES) {
            Files.deleteIfExists(tree.resolve(f));
        }
        Files.deleteIfExists(tree.resolve("sys/fs"));
        Files.deleteIfExists(tree.resolve("sys/kernel"));
        Files.deleteIfExists(tree.resolve("sys"));
        Files.deleteIfExists(tree);
    }

    @Property(tries = 400)
    void anyContentOfAnyLimitsFileDegradesWithTheFileNamedNeverCrashes(@ForAll("files") String file,
                                                                       @ForAll("contents") String text)
            throws Exception {
        Path f = tree.resolve(file);
        byte[] original = Files.readAllBytes(f);
        KernelLimitsSensor s = new KernelLimitsSensor(tree);
        try {
            Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
            Map<String, Double> got = new HashMap<>();
            MetricSink check = (MetricKey key, double value, long ts) -> {
                assertThat(Double.isFinite(value)).as(key + "=" + value).isTrue();
                assertThat(value).as(key.toString()).isGreaterThanOrEqualTo(0);
                got.put(key.name(), value);
            };
            s.sample(check, 1_000);
            SensorHealth h = s.health();
            assertThat(h.reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
            if (h.status() != SensorHealth.Status.HEALTHY) {
                assertThat(h.reason()).as(h.toString()).contains(file);
            }
            if (got.containsKey("host_file_handles_used_fraction")) {
                assertThat(got.get("host_file_handles_used_fraction"))
                        .isEqualTo(got.get("host_file_handles_allocated") / got.get("host_file_handles_max"));
            }
            if (got.containsKey("host_pids_used_fraction")) {
                assertThat(got.get("host_pids_used_fraction"))
                        .isEqualTo(got.get("host_pids_in_use") / got.get("host_pid_max"));
            }
        } finally {
            Files.write(f, original);
        }
        s.sample((k, v, t) -> { }, 2_000);
        assertThat(s.health().status()).as(s.health().toString()).isEqualTo(SensorHealth.Status.HEALTHY);
        s.close();
    }

    @Provide
    Arbitrary<String> files() {
        return Arbitraries.of(FILES);
    }

    @Provide
    Arbitrary<String> contents() {
        Arbitrary<String> chars = Arbitraries.strings().withChars("0123456789 \t\n/-+.xe").ofMaxLength(80);
        Arbitrary<String> any = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(120);
        Arbitrary<String> numbers = Arbitraries.longs().list().ofMaxSize(6)
                .map(l -> String.join("\t", l.stream().map(String::valueOf).toList()) + "\n");
        Arbitrary<String> edge = Arbitraries.of("", "\n", "18446744073709551615\n", "9223372036854775808\n",
                "1151\t0\n", "1151\t0\t0\n", "0.1 0.2 0.3 8/ 1\n", "0.1 0.2 0.3 /173 1\n", "0.1 0.2 0.3 8/-1 1\n",
                "-1\n", "4194304 extra\n");
        return Arbitraries.oneOf(chars, any, numbers, edge);
    }
}
