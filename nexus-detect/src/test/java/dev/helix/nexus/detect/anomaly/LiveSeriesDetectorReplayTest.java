package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default {@link LiveSeriesDetector} replayed over a real recording of this project's VM (8 host series, 200 ms
 * apart, 6 minutes, under other helpers' builds) during which stress-ng injected four faults; the fault windows are in
 * the file's header. Values and timestamps are read straight from the {@code nexus record} lines.
 */
class LiveSeriesDetectorReplayTest {

    private static final String RESOURCE = "host-faults.rec.gz";
    /** After a fault ends, the return to normal is itself a change; these milliseconds are not counted as normal. */
    private static final long RECOVERY_MILLIS = 10_000;

    private record Fault(String kind, long start, long end) {
    }

    /** One series' first alarm in each fault (-1 = none) and its alarms outside all faults. */
    private record Result(Map<String, Long> firstAlarmDelay, int alarmsOutside, int scoredOutside) {
    }

    private static final List<Fault> FAULTS = new ArrayList<>();
    private static final Map<String, Result> RESULTS = new LinkedHashMap<>();

    @BeforeAll
    static void replay() throws IOException {
        Map<String, List<Long>> timestamps = new LinkedHashMap<>();
        Map<String, List<Double>> values = new LinkedHashMap<>();
        try (InputStream raw = LiveSeriesDetectorReplayTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(raw).as("test resource " + RESOURCE).isNotNull();
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("# fault ") && !line.startsWith("# fault <")) {
                    String[] f = line.substring(8).split(" ");
                    FAULTS.add(new Fault(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
                    continue;
                }
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int t = line.lastIndexOf(' ');
                int v = line.lastIndexOf(' ', t - 1);
                String key = line.substring(0, v);
                values.computeIfAbsent(key, k -> new ArrayList<>()).add(Double.parseDouble(line.substring(v + 1, t)));
                timestamps.computeIfAbsent(key, k -> new ArrayList<>()).add(Long.parseLong(line.substring(t + 1)));
            }
        }
        assertThat(FAULTS).extracting(Fault::kind).containsExactly("cpu", "vm", "hdd", "timer");
        for (String key : values.keySet()) {
            LiveSeriesDetector d = new LiveSeriesDetector();
            Map<String, Long> first = new LinkedHashMap<>();
            FAULTS.forEach(f -> first.put(f.kind(), -1L));
            int alarmsOutside = 0;
            int scoredOutside = 0;
            List<Double> xs = values.get(key);
            for (int i = 0; i < xs.size(); i++) {
                long ts = timestamps.get(key).get(i);
                d.update(xs.get(i));
                if (d.isWarmingUp()) {
                    continue;
                }
                Fault in = null;
                for (Fault f : FAULTS) {
                    if (ts >= f.start() && ts <= f.end() + RECOVERY_MILLIS) {
                        in = f;
                    }
                }
                if (in == null) {
                    scoredOutside++;
                    alarmsOutside += d.isAnomalous() ? 1 : 0;
                } else if (d.isAnomalous() && ts <= in.end() && first.get(in.kind()) < 0) {
                    first.put(in.kind(), ts - in.start());
                }
            }
            RESULTS.put(key, new Result(first, alarmsOutside, scoredOutside));
        }
    }

    private static long delay(String key, String fault) {
        assertThat(RESULTS).containsKey(key);
        return RESULTS.get(key).firstAlarmDelay().get(fault);
    }

    @Test
    void eachFaultThatLeavesTheSeriesNormalRangeIsFlaggedWithinTheFirstSecond() {
        // 2 GB touched by stress-ng --vm: page faults and committed memory jump at once
        assertThat(delay("host_vmstat_per_second{counter=\"pgfault\"}", "vm")).isBetween(0L, 1_000L);
        assertThat(delay("host_meminfo_bytes{field=\"Committed_AS\"}", "vm")).isBetween(0L, 1_000L);
        // stress-ng --hdd: dirty page cache
        assertThat(delay("host_meminfo_bytes{field=\"Dirty\"}", "hdd")).isBetween(0L, 1_000L);
        // 400,000 timer events per second requested: interrupts and context switches
        assertThat(delay("host_interrupts_per_second", "timer")).isBetween(0L, 1_000L);
        assertThat(delay("host_context_switches_per_second", "timer")).isBetween(0L, 1_000L);
    }

    @Test
    void aCpuAtOneHundredPercentIsNotFlaggedWhereTheSharedBoxReachedItMinutesBefore() {
        // other builds had the CPU at 90-100 % repeatedly within the history: stress-ng --cpu 2 is not rare for this box
        assertThat(delay("host_cpu_busy_fraction{cpu=\"total\"}", "cpu")).isEqualTo(-1L);
    }

    @Test
    void outsideTheFaultsNoSeriesAlarms() {
        int scored = 0;
        for (Result r : RESULTS.values()) {
            assertThat(r.alarmsOutside()).isZero();
            scored += r.scoredOutside();
        }
        // about 7,000 scored samples: 0.07 alarms expected at the nominal 1e-5
        assertThat(scored).isGreaterThan(5_000);
    }
}
