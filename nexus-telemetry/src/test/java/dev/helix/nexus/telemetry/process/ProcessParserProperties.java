package dev.helix.nexus.telemetry.process;

import static dev.helix.nexus.telemetry.TestSupport.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Garbage in any per-process file never crashes the process sensor nor yields negative or infinite values. */
class ProcessParserProperties {

    static Path tree;

    static synchronized Path tree() throws Exception {
        if (tree == null) {
            tree = ProcessSensorTest.copyTree(fixture("proc-t0"), Files.createTempDirectory("nexus-proc-"));
        }
        return tree;
    }

    static final MetricSink CHECK = (MetricKey key, double value, long ts) -> {
        assertThat(Double.isInfinite(value)).as(key + "=" + value).isFalse();
        if (!key.name().equals("process_rss_growth_bytes_per_second")) { // RSS may shrink
            assertThat(value < 0).as(key + "=" + value).isFalse();
        }
    };

    @Property(tries = 200)
    void garbageInProcessFilesDegradesNeverCrashes(@ForAll("files") String file, @ForAll("garbage") String text)
            throws Exception {
        Path f = tree().resolve(file);
        String original = Files.readString(f);
        try {
            ProcessSensor s = new ProcessSensor(tree(), 3, 100, 4096);
            s.sample(CHECK, 1_000);
            Files.writeString(f, text);
            s.sample(CHECK, 2_000);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
            Files.writeString(f, original);
            s.sample(CHECK, 3_000);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
        } finally {
            Files.writeString(f, original);
        }
    }

    @Provide
    Arbitrary<String> files() {
        return Arbitraries.of("4242/stat", "4242/status", "4242/io", "4242/task/4243/stat", "1/stat");
    }

    @Provide
    Arbitrary<String> garbage() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
                Arbitraries.strings().withChars("0123456789 ()-SDRZ:\nVmRSSkBread_bytes").ofMaxLength(300),
                Arbitraries.of("4242 (x) D 1 1 1 0 -1 0 0 0 0 0 -5 18446744073709551615 0 0 20 0 -1 0 48000 1 -9\n",
                        "VmRSS:\t-100 kB\n", "read_bytes: 18446744073709551615\nwrite_bytes: -1\n", "", ")))((("));
    }
}
