package dev.helix.nexus.bench.telemetry;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.telemetry.TelemetrySensorProvider;
import dev.helix.nexus.telemetry.TelemetryStore;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The tick cost of the named sensors alone: each tick samples only those sensors (built by the agent's provider
 * with default configuration) into a {@link TelemetryStore}, then sleeps {@code period} ms. Per sensor it reports
 * the tick thread's CPU time per tick (mean, p50, p90, p99; {@code getCurrentThreadCpuTime}, ns precision) and bytes
 * allocated per tick, over the ticks after the warm-up. Meant for before/after pairs run at the same time on the
 * same box (two jars, same arguments): the other sensors are not run, so caches are warmer than in the full tick of
 * {@link SensingOverheadRun} and absolute numbers come out lower; differences are what this is for.
 *
 * <p>Usage: {@code SensorTickRun ticks periodMs warmup sensor-name...} (e.g. {@code 300 250 30 cgroup-v1
 * syscall-latency}). Single-threaded; the work per tick is the sensors' plus 2 CPU-time and 2 allocation probes per
 * sensor (~1.5 us).
 */
public final class SensorTickRun {

    private SensorTickRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: SensorTickRun ticks periodMs warmup sensor-name...");
        }
        int ticks = Integer.parseInt(args[0]);
        long periodMs = Long.parseLong(args[1]);
        int warmup = Integer.parseInt(args[2]);
        List<String> wanted = Arrays.asList(args).subList(3, args.length);
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Sensor> all = new TelemetrySensorProvider().create(NexusConfig.defaults());
        List<Sensor> sensors = all.stream().filter(x -> wanted.contains(x.name())).toList();
        if (sensors.size() != wanted.size()) {
            throw new IllegalArgumentException("sensors " + wanted + " not all found among "
                    + all.stream().map(Sensor::name).toList());
        }
        TelemetryStore store = new TelemetryStore();
        int s = sensors.size();
        long[][] cpu = new long[s][ticks];
        long[] alloc = new long[s];
        System.out.printf(Locale.ROOT, "SensorTickRun: %d ticks every %d ms after %d warm-up; loadavg %s%n", ticks,
                periodMs, warmup, SensingOverheadRun.loadavg());
        for (int i = 0; i < warmup + ticks; i++) {
            long ts = System.currentTimeMillis();
            for (int k = 0; k < s; k++) {
                long a0 = tmx.getCurrentThreadAllocatedBytes();
                long c0 = tmx.getCurrentThreadCpuTime();
                sensors.get(k).sample(store, ts);
                long c1 = tmx.getCurrentThreadCpuTime();
                long a1 = tmx.getCurrentThreadAllocatedBytes();
                if (i >= warmup) {
                    cpu[k][i - warmup] = c1 - c0;
                    alloc[k] += a1 - a0;
                }
            }
            TimeUnit.MILLISECONDS.sleep(periodMs);
        }
        System.out.println("| sensor | health | mean ms | p50 ms | p90 ms | p99 ms | bytes/tick |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int k = 0; k < s; k++) {
            long[] c = cpu[k].clone();
            Arrays.sort(c);
            double mean = Arrays.stream(c).average().orElse(0) / 1e6;
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %d |%n", sensors.get(k).name(),
                    sensors.get(k).health().status(), mean, c[ticks / 2] / 1e6, c[ticks * 9 / 10] / 1e6,
                    c[Math.min(ticks - 1, ticks * 99 / 100)] / 1e6, alloc[k] / ticks);
        }
        System.out.printf(Locale.ROOT, "loadavg at end %s; %d series in the store%n", SensingOverheadRun.loadavg(),
                store.seriesCount());
        for (Sensor x : all) {
            x.close();
        }
    }
}
