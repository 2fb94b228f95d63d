package dev.helix.nexus.telemetry.cgroup;

import static dev.helix.nexus.telemetry.TestSupport.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.PsiParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * cgroup files overwritten with garbage never crash the v1/v2 sensors: health degrades with the file named, and
 * no recorded value is infinite except a legitimately unlimited one (never recorded: limits of "max" are skipped).
 */
class CgroupParserProperties {

    static final String[] V2_FILES = {"cpu.stat", "cpu.max", "memory.current", "memory.max", "memory.high",
            "memory.events", "memory.stat", "pids.current", "pids.max", "io.stat", "cpu.pressure", "memory.pressure",
            "io.pressure"};
    static final String[] V1_FILES = {"memory/memory.usage_in_bytes", "memory/memory.stat", "memory/memory.oom_control",
            "memory/memory.limit_in_bytes", "cpu/cpu.stat", "cpuacct/cpuacct.usage", "cpuacct/cpuacct.stat",
            "blkio/blkio.throttle.io_service_bytes", "freezer/app/freezer.state", "pids/app/pids.max"};

    static Path v2Tree;
    static Path v1Tree;

    static synchronized Path tree(boolean v2) throws Exception {
        if (v2Tree == null) {
            v2Tree = CgroupSensorsTest.copy(fixture("cgv2"), Files.createTempDirectory("nexus-cgv2-"));
            v1Tree = CgroupSensorsTest.copy(fixture("cgv1"), Files.createTempDirectory("nexus-cgv1-"));
        }
        return v2 ? v2Tree : v1Tree;
    }

    static final MetricSink CHECK = (MetricKey key, double value, long ts) -> {
        assertThat(Double.isInfinite(value)).as(key + "=" + value).isFalse();
        assertThat(value < 0).as(key + "=" + value).isFalse();
    };

    @Property(tries = 150)
    void v2GarbageDegradesNeverCrashes(@ForAll("garbage") String text, @ForAll("v2files") String file) throws Exception {
        Path root = tree(true);
        Path f = root.resolve("system.slice/demo.service").resolve(file);
        String original = Files.readString(f);
        try {
            CgroupV2Sensor s = new CgroupV2Sensor(root, 3, 64);
            s.sample(CHECK, 1_000);
            Files.writeString(f, text);
            s.sample(CHECK, 2_000);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
            s.sample(CHECK, 3_000);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
        } finally {
            Files.writeString(f, original);
        }
    }

    @Property(tries = 120)
    void v1GarbageDegradesNeverCrashes(@ForAll("garbage") String text, @ForAll("v1files") String file) throws Exception {
        Path root = tree(false);
        Path f = root.resolve(file);
        String original = Files.readString(f);
        try {
            Map<String, Path> m = Map.of("cpu", root.resolve("cpu"), "cpuacct", root.resolve("cpuacct"),
                    "memory", root.resolve("memory"), "pids", root.resolve("pids"), "blkio", root.resolve("blkio"),
                    "freezer", root.resolve("freezer"));
            CgroupV1Sensor s = new CgroupV1Sensor(m, 2, 64);
            s.sample(CHECK, 1_000);
            Files.writeString(f, text);
            s.sample(CHECK, 2_000);
            assertThat(s.health().reason()).doesNotContain(AbstractSensor.INTERNAL_ERROR);
        } finally {
            Files.writeString(f, original);
        }
    }

    @Property(tries = 1000)
    void psiParserNeverThrowsAndKeepsRanges(@ForAll("garbage") String text) {
        double[] out = new double[8];
        PsiParser.parse(text, out);
        for (int i = 0; i < 8; i++) {
            if (!Double.isNaN(out[i])) {
                assertThat(out[i]).isFinite().isGreaterThanOrEqualTo(0);
                if (i % 4 != 3) {
                    assertThat(out[i]).isLessThanOrEqualTo(100);
                }
            }
        }
    }

    @Provide
    Arbitrary<String> v2files() {
        return Arbitraries.of(V2_FILES);
    }

    @Provide
    Arbitrary<String> v1files() {
        return Arbitraries.of(V1_FILES);
    }

    @Provide
    Arbitrary<String> garbage() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789 \n:=.-+maxsomefullavg10total8rbytesoom_kill").ofMaxLength(200),
                Arbitraries.strings().ofMaxLength(100),
                Arbitraries.of("max\n", "-1\n", "18446744073709551615\n", "some avg10=NaN avg60=1e400 total=-5\n",
                        "8:0 rbytes=\n", "nr_periods x\n", "", "\n\n", "max max\n", "0 0\n", "Infinity\n"));
    }
}
