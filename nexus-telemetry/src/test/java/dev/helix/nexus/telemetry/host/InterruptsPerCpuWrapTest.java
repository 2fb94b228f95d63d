package dev.helix.nexus.telemetry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link InterruptsSensor} rates every CPU column of {@code /proc/interrupts} as the 32-bit counter the kernel prints
 * ({@code unsigned int} per CPU) and sums the increases, so one CPU's count wrapping is a wrap, not a reset; a change
 * in the number of CPU columns is a reset of the line. On this machine's fixtures (t0, t1 one second apart, 2 CPUs),
 * on an exact BigInteger model, and for allocation.
 */
class InterruptsPerCpuWrapTest {

    static final long T0 = 1_767_225_600_000L;
    static final long TWO_32 = 1L << 32;
    static final String T0_TEXT = HostParserProperties.real("proc-t0", "interrupts");
    static final String T1_TEXT = HostParserProperties.real("proc-t1", "interrupts");
    // fixture LOC line: t0 "LOC:      92267     119929", t1 "LOC:      92575     120391": (308 + 462) per s
    static final String LOC_T0 = "LOC:      92267     119929   Local timer interrupts";
    static final String LOC_T1 = "LOC:      92575     120391   Local timer interrupts";

    static double loc(Sink sink) {
        return sink.get("host_irq_per_second", "irq", "LOC", "device", "Local timer interrupts");
    }

    @Test
    void realFixturePairRatesTheLocalTimerOverBothCpus() {
        InterruptsSensor s = new InterruptsSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText(T0_TEXT, sink, T0);
        s.sampleText(T1_TEXT, sink, T0 + 1000);
        assertThat(loc(sink)).isEqualTo(770);
        assertThat(s.wraps()).isZero();
        assertThat(s.resets()).isZero();
    }

    @Test
    void oneCpuColumnWrappingGivesTheTrueRate() {
        // CPU1 of LOC 200 below 2^32 at t0; 462 later it reads 262 (unsigned int wrapped); CPU0 unchanged from fixture
        String t0 = T0_TEXT.replace(LOC_T0, "LOC:      92267 4294967096   Local timer interrupts");
        String t1 = T1_TEXT.replace(LOC_T1, "LOC:      92575        262   Local timer interrupts");
        assertThat(t0).isNotEqualTo(T0_TEXT);
        assertThat(t1).isNotEqualTo(T1_TEXT);
        InterruptsSensor s = new InterruptsSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText(t0, sink, T0);
        s.sampleText(t1, sink, T0 + 1000);
        assertThat(loc(sink)).isEqualTo(770); // summing the columns first would see 4295059363 -> 92837: a reset
        assertThat(s.wraps()).isEqualTo(1);
        assertThat(s.resets()).isZero();
        assertThat(sink.latest.values()).allMatch(v -> v >= 0);
    }

    @Test
    void aCpuColumnGoingBackByMoreThanAWrapIsAResetOfThatLineOnly() {
        String t1 = T1_TEXT.replace(LOC_T1, "LOC:      92575          5   Local timer interrupts");
        InterruptsSensor s = new InterruptsSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText(T0_TEXT, sink, T0);
        s.sampleText(t1, sink, T0 + 1000);
        assertThat(loc(sink)).isNaN();
        assertThat(sink.get("host_irq_per_second", "irq", "26", "device", "IO-APIC 4-edge ttyS0")).isZero();
        // the next tick rates from the reset reading
        s.sampleText(t1.replace("LOC:      92575          5", "LOC:      92675        105"), sink, T0 + 2000);
        assertThat(loc(sink)).isEqualTo(200);
    }

    @Test
    void aCpuGoingOnlineOrOfflineIsAResetOfEveryLineNotACrash() {
        InterruptsSensor s = new InterruptsSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText("     CPU0   CPU1\n LOC: 100 200 Local timer interrupts\n ERR: 3\n", sink, T0);
        s.sampleText("     CPU0   CPU1\n LOC: 150 260 Local timer interrupts\n ERR: 4\n", sink, T0 + 1000);
        assertThat(loc(sink)).isEqualTo(110);
        s.sampleText("     CPU0   CPU1   CPU2\n LOC: 170 280 0 Local timer interrupts\n ERR: 4\n", sink, T0 + 2000);
        assertThat(loc(sink)).isNaN(); // a third column: no rate this tick
        assertThat(sink.get("host_irq_per_second", "irq", "ERR", "device", "")).isZero(); // one column on both
        s.sampleText("     CPU0   CPU1   CPU2\n LOC: 180 300 5 Local timer interrupts\n ERR: 4\n", sink, T0 + 3000);
        assertThat(loc(sink)).isEqualTo(35);
        s.sampleText("     CPU0   CPU2\n LOC: 190 7 Local timer interrupts\n ERR: 4\n", sink, T0 + 4000);
        assertThat(loc(sink)).isNaN(); // CPU1 offline
        assertThat(s.health().isHealthy()).isTrue();
    }

    @Test
    void procStatIntrTotalIsA64BitCounterUnaffected() {
        // the intr total of /proc/stat is a 64-bit sum: passing 2^32 is an ordinary increase, not a wrap or reset
        ProcStatSensor s = new ProcStatSensor(Path.of("/x"));
        Sink sink = new Sink();
        s.sampleText("cpu 1 0 1 1 0 0 0 0\nintr 4294967000 0\nctxt 1\n", sink, T0);
        s.sampleText("cpu 2 0 2 2 0 0 0 0\nintr 4294968000 0\nctxt 2\n", sink, T0 + 1000);
        assertThat(sink.get("host_interrupts_per_second")).isEqualTo(1000);
        s.sampleText("cpu 3 0 3 3 0 0 0 0\nintr 8589935592 0\nctxt 3\n", sink, T0 + 2000);
        assertThat(sink.get("host_interrupts_per_second")).isEqualTo(4294967592.0);
    }

    @Test
    void steadyTicksAreAllocationFreeAfterWarmUp() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // 64 readings of the real file, LOC advancing 1000 per CPU per tick and CPU1 wrapping on the way
        byte[][] ticks = new byte[64][];
        for (int k = 0; k < ticks.length; k++) {
            long cpu1 = (TWO_32 - 20_000 + 1000L * k) & (TWO_32 - 1);
            ticks[k] = T0_TEXT.replace(LOC_T0, "LOC: " + (92267 + 1000L * k) + " " + cpu1 + " Local timer interrupts")
                    .getBytes(StandardCharsets.ISO_8859_1);
        }
        InterruptsSensor s = new InterruptsSensor(Path.of("/x"));
        double[] acc = new double[1];
        MetricSink sink = (k, v, t) -> acc[0] += Double.isNaN(v) ? 0 : v;
        long ts = T0;
        for (int i = 0; i < 3000; i++) { // warm-up (JIT); every 64th tick restarts the counts: a reset
            s.parse(ticks[i & 63], ticks[i & 63].length, sink, ts += 1000);
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1000; i++) {
            s.parse(ticks[i & 63], ticks[i & 63].length, sink, ts += 1000);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(acc[0]).isPositive();
        assertThat(s.wraps()).isPositive();
        // 1000 ticks of 35 lines: one object per line per tick would be >= 560 000 bytes
        assertThat(allocated).isLessThan(1024);
    }

    /**
     * Random per-CPU counts of several lines over several ticks, printed as the kernel does (each CPU's count modulo
     * 2^32), every increase below 2^30 per tick (the wrap window): the rate of each line equals the exact increase of
     * the true (unbounded) counts summed over CPUs, per second.
     */
    @Property(tries = 400)
    void ratesEqualTheExactSummedIncreaseOfUnboundedCounts(@ForAll @IntRange(min = 1, max = 8) int cpus,
                                                           @ForAll @IntRange(min = 1, max = 5) int lines,
                                                           @ForAll("seeds") long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        BigInteger[][] truth = new BigInteger[lines][cpus];
        for (int l = 0; l < lines; l++) {
            for (int c = 0; c < cpus; c++) {
                // start anywhere, often close below a wrap
                long base = rnd.nextBoolean() ? TWO_32 - 1 - rnd.nextInt(1 << 20) : rnd.nextLong(TWO_32);
                truth[l][c] = BigInteger.valueOf(base).add(BigInteger.valueOf(rnd.nextInt(3)).shiftLeft(32));
            }
        }
        InterruptsSensor s = new InterruptsSensor(Path.of("/x"));
        Sink sink = new Sink();
        long ts = T0;
        s.sampleText(render(truth, cpus), sink, ts);
        int ticks = 2 + rnd.nextInt(8);
        for (int t = 0; t < ticks; t++) {
            long dt = 1 + rnd.nextInt(5000);
            BigInteger[] sum = new BigInteger[lines];
            for (int l = 0; l < lines; l++) {
                sum[l] = BigInteger.ZERO;
                for (int c = 0; c < cpus; c++) {
                    long inc = switch (rnd.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> rnd.nextInt(1000);
                        case 2 -> rnd.nextLong(1L << 30);
                        default -> (1L << 30) - 1 - rnd.nextInt(10);
                    };
                    truth[l][c] = truth[l][c].add(BigInteger.valueOf(inc));
                    sum[l] = sum[l].add(BigInteger.valueOf(inc));
                }
            }
            ts += dt;
            s.sampleText(render(truth, cpus), sink, ts);
            for (int l = 0; l < lines; l++) {
                double expected = new BigDecimal(sum[l]).multiply(BigDecimal.valueOf(1000))
                        .divide(BigDecimal.valueOf(dt), MathContext.DECIMAL64).doubleValue();
                double got = sink.get("host_irq_per_second", "irq", Integer.toString(l), "device", "dev" + l);
                assertThat(got).as("line %d tick %d", l, t).isCloseTo(expected, within(expected * 1e-12));
            }
        }
        assertThat(s.resets()).isZero();
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    static String render(BigInteger[][] truth, int cpus) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cpus; c++) {
            b.append("       CPU").append(c);
        }
        b.append('\n');
        for (int l = 0; l < truth.length; l++) {
            b.append(String.format("%3d:", l));
            for (int c = 0; c < cpus; c++) {
                b.append(' ').append(truth[l][c].mod(BigInteger.ONE.shiftLeft(32)));
            }
            b.append("  dev").append(l).append('\n');
        }
        return b.toString();
    }
}
