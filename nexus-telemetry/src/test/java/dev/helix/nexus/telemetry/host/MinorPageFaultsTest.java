package dev.helix.nexus.telemetry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.telemetry.TestSupport.Sink;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@code host_minor_page_faults_per_second} of {@link VmStatSensor}: the increase of {@code pgfault} minus that of
 * {@code pgmajfault}, on this machine's /proc/vmstat fixtures (t0 and t1 one second apart) and on a model.
 */
class MinorPageFaultsTest {

    static final long T0 = 1_767_225_600_000L;
    static final String T0_TEXT = HostParserProperties.real("proc-t0", "vmstat");
    static final String T1_TEXT = HostParserProperties.real("proc-t1", "vmstat");

    /** The fixture text with the pgfault and pgmajfault values replaced (every other line as read). */
    static String withFaults(String text, long faults, long major) {
        String out = text.replaceFirst("(?m)^pgfault \\d+$", "pgfault " + Long.toUnsignedString(faults))
                .replaceFirst("(?m)^pgmajfault \\d+$", "pgmajfault " + Long.toUnsignedString(major));
        assertThat(out).contains("pgfault " + Long.toUnsignedString(faults) + "\n");
        return out;
    }

    @Test
    void realFixturesGiveMinorFaultsAsTotalMinusMajor() {
        VmStatSensor s = new VmStatSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText(T0_TEXT, sink, T0);
        assertThat(sink.get("host_minor_page_faults_per_second")).isNaN(); // first reading
        s.sampleText(T1_TEXT, sink, T0 + 1000);
        // fixtures: pgfault 8630335 -> 8646973, pgmajfault 542 -> 542
        assertThat(sink.get("host_page_faults_per_second")).isEqualTo(16638);
        assertThat(sink.get("host_major_page_faults_per_second")).isEqualTo(0);
        assertThat(sink.get("host_minor_page_faults_per_second")).isEqualTo(16638);
        assertThat(s.health().isHealthy()).isTrue();
    }

    @Test
    void majorFaultsAreSubtractedPerSecondOfElapsedTime() {
        VmStatSensor s = new VmStatSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText(T0_TEXT, sink, T0);
        s.sampleText(withFaults(T1_TEXT, 8646973, 642), sink, T0 + 2000); // +16638 total, +100 major in 2 s
        assertThat(sink.get("host_page_faults_per_second")).isEqualTo(8319);
        assertThat(sink.get("host_major_page_faults_per_second")).isEqualTo(50);
        assertThat(sink.get("host_minor_page_faults_per_second")).isEqualTo(8269);
    }

    @Test
    void aResetOfEitherCounterGivesNaNThenRatesFromTheNewBase() {
        VmStatSensor s = new VmStatSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText(withFaults(T0_TEXT, 1_000_000, 500), sink, T0);
        s.sampleText(withFaults(T0_TEXT, 1_001_000, 100), sink, T0 + 1000); // major went back: reset
        assertThat(sink.get("host_page_faults_per_second")).isEqualTo(1000);
        assertThat(sink.get("host_major_page_faults_per_second")).isNaN();
        assertThat(sink.get("host_minor_page_faults_per_second")).isNaN();
        s.sampleText(withFaults(T0_TEXT, 1_003_000, 110), sink, T0 + 2000);
        assertThat(sink.get("host_minor_page_faults_per_second")).isEqualTo(1990);
        s.sampleText(withFaults(T0_TEXT, 5_000, 120), sink, T0 + 3000); // total went back (reboot-like): reset
        assertThat(sink.get("host_minor_page_faults_per_second")).isNaN();
        s.sampleText(withFaults(T0_TEXT, 5_500, 125), sink, T0 + 4000);
        assertThat(sink.get("host_minor_page_faults_per_second")).isEqualTo(495);
    }

    @Test
    void majorGrowingMoreThanTotalIsNaNNotNegative() {
        VmStatSensor s = new VmStatSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText(withFaults(T0_TEXT, 1_000, 10), sink, T0);
        s.sampleText(withFaults(T0_TEXT, 1_005, 20), sink, T0 + 1000);
        assertThat(sink.get("host_minor_page_faults_per_second")).isNaN();
    }

    @Test
    void withoutPgmajfaultThereIsNoMinorSeries() {
        VmStatSensor s = new VmStatSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText("pgfault 100\npswpin 0\n", sink, T0);
        s.sampleText("pgfault 200\npswpin 0\n", sink, T0 + 1000);
        assertThat(sink.get("host_page_faults_per_second")).isEqualTo(100);
        assertThat(sink.has("host_minor_page_faults_per_second")).isFalse();
    }

    /** One step of the counters: increases (or a reset to a fresh value) and the elapsed milliseconds. */
    record Step(long faultInc, long majorInc, boolean resetFaults, boolean resetMajor, long fresh, int dtMillis) {
    }

    @Property(tries = 300)
    void minorRateIsTotalMinusMajorIncreaseAndNaNOnAnyReset(@ForAll("start") long start,
                                                             @ForAll("steps") List<Step> steps) {
        VmStatSensor s = new VmStatSensor(Path.of("/x"));
        Sink sink = new Sink();
        long faults = start;
        long major = start / 3;
        long ts = T0;
        s.sampleText(withFaults(T0_TEXT, faults, major), sink, ts);
        assertThat(sink.get("host_minor_page_faults_per_second")).isNaN();
        for (Step st : steps) {
            long nf = st.resetFaults() ? st.fresh() : faults + st.faultInc();
            long nm = st.resetMajor() ? st.fresh() / 7 : major + st.majorInc();
            long fi = nf - faults;
            long mi = nm - major;
            faults = nf;
            major = nm;
            ts += st.dtMillis();
            s.sampleText(withFaults(T0_TEXT, faults, major), sink, ts);
            double minor = sink.get("host_minor_page_faults_per_second");
            if (fi < 0 || mi < 0 || mi > fi) {
                assertThat(minor).as("a counter went back, or major grew more than all faults").isNaN();
            } else {
                // the increases are below 2^53: exact as doubles, so only the division rounds
                double expected = (double) (fi - mi) * 1000.0 / st.dtMillis();
                assertThat(minor).isCloseTo(expected, within(expected * 1e-12));
                if (!st.resetFaults() && !st.resetMajor()) {
                    assertThat(minor + sink.get("host_major_page_faults_per_second"))
                            .isCloseTo(sink.get("host_page_faults_per_second"), within(1e-6));
                }
            }
            assertThat(Double.isNaN(minor) || minor >= 0).as("never negative").isTrue();
        }
    }

    @Provide
    Arbitrary<Long> start() {
        return Arbitraries.longs().between(0, 1L << 50);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Long> inc = Arbitraries.longs().between(0, 5_000_000);
        Arbitrary<Step> step = Combinators.combine(inc, Arbitraries.integers().between(0, 100),
                Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, 99),
                Arbitraries.longs().between(0, 1_000), Arbitraries.integers().between(1, 5_000))
                .as((fi, majorPercent, rf, rm, fresh, dt) -> new Step(fi, fi * majorPercent / 100, rf < 8, rm < 8,
                        fresh, dt));
        return step.list().ofMinSize(1).ofMaxSize(12);
    }
}
