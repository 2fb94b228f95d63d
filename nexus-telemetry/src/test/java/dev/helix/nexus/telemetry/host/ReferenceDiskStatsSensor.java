package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.CounterRates;
import dev.helix.nexus.telemetry.internal.TextFileSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The String-splitting parser this sensor had before it parsed bytes in place, kept unchanged as the reference the
 * byte parser is checked against ({@code ByteParserEquivalenceProperties}).
 *
 * <p>Original description:
 * Block-device I/O from {@code /proc/diskstats}, per device (label {@code device}).
 *
 * <p>Metrics: {@code host_disk_reads_per_second}, {@code host_disk_writes_per_second},
 * {@code host_disk_read_bytes_per_second}, {@code host_disk_write_bytes_per_second} (sectors are always 512 bytes
 * here), {@code host_disk_read_latency_seconds} and {@code host_disk_write_latency_seconds} (average time per
 * completed request over the tick; NaN when no request completed), {@code host_disk_utilisation_fraction} (share of
 * wall time with I/O in flight, 0..1) and {@code host_disk_in_flight}. Loop and ram devices are skipped by default.
 * The millisecond counters were 32-bit on older kernels and are rated with 32-bit wrap handling.
 *
 * <p>O(lines) per tick. Not thread-safe (tick thread only).
 */
final class ReferenceDiskStatsSensor extends TextFileSensor {

    private static final String[] NAMES = {"host_disk_reads_per_second", "host_disk_writes_per_second",
            "host_disk_read_bytes_per_second", "host_disk_write_bytes_per_second", "host_disk_read_latency_seconds",
            "host_disk_write_latency_seconds", "host_disk_utilisation_fraction", "host_disk_in_flight"};

    private static final class Dev {
        final MetricKey[] keys = new MetricKey[NAMES.length];
        final long[] prev = new long[11];
        long prevTs;
        boolean hasPrev;
    }

    private final Map<String, Dev> devices = new HashMap<>();
    private final Predicate<String> include;
    private final CounterRates counters = new CounterRates();

    /** Reads {@code procRoot/diskstats}, skipping loop and ram devices. */
    ReferenceDiskStatsSensor(Path procRoot) {
        this(procRoot, d -> !d.startsWith("loop") && !d.startsWith("ram"));
    }

    /** Reads {@code procRoot/diskstats}, keeping devices {@code include} accepts. */
    ReferenceDiskStatsSensor(Path procRoot, Predicate<String> include) {
        super("proc-diskstats", procRoot.resolve("diskstats"));
        this.include = include;
    }

    @Override
    protected void parse(String text, MetricSink sink, long ts) {
        long[] cur = new long[11];
        int seen = 0;
        for (String line : text.split("\n")) {
            String[] f = Texts.fields(line);
            if (f.length == 0) {
                continue;
            }
            if (f.length < 14) {
                problem(file, "want >= 14 fields, got " + f.length + ": '" + line + "'");
                continue;
            }
            String name = f[2];
            boolean ok = true;
            for (int i = 0; i < 11; i++) {
                cur[i] = Texts.parseLong(f[3 + i]);
                ok &= cur[i] != Texts.NOT_A_NUMBER;
            }
            if (!ok || Texts.parseLong(f[0]) < 0 || Texts.parseLong(f[1]) < 0) {
                problem(file, "non-numeric field for device '" + name + "'");
                continue;
            }
            seen++;
            if (!include.test(name)) {
                continue;
            }
            Dev d = devices.get(name);
            if (d == null) {
                if (devices.size() >= 1024) {
                    continue;
                }
                d = new Dev();
                for (int i = 0; i < NAMES.length; i++) {
                    d.keys[i] = MetricKey.of(NAMES[i], "device", name);
                }
                devices.put(name, d);
            }
            sink.record(d.keys[7], Texts.unsignedToDouble(cur[8]), ts);
            long dt = ts - d.prevTs;
            if (d.hasPrev && dt > 0) {
                long reads = counters.increase(d.prev[0], cur[0], 64);
                long rSect = counters.increase(d.prev[2], cur[2], 64);
                long rMs = counters.increase(d.prev[3], cur[3], 32);
                long writes = counters.increase(d.prev[4], cur[4], 64);
                long wSect = counters.increase(d.prev[6], cur[6], 64);
                long wMs = counters.increase(d.prev[7], cur[7], 32);
                long ioMs = counters.increase(d.prev[9], cur[9], 32);
                double sec = dt / 1000.0;
                if (reads >= 0 && rSect >= 0 && rMs >= 0 && writes >= 0 && wSect >= 0 && wMs >= 0 && ioMs >= 0) {
                    sink.record(d.keys[0], reads / sec, ts);
                    sink.record(d.keys[1], writes / sec, ts);
                    sink.record(d.keys[2], rSect * 512.0 / sec, ts);
                    sink.record(d.keys[3], wSect * 512.0 / sec, ts);
                    sink.record(d.keys[4], reads > 0 ? rMs / 1000.0 / reads : Double.NaN, ts);
                    sink.record(d.keys[5], writes > 0 ? wMs / 1000.0 / writes : Double.NaN, ts);
                    sink.record(d.keys[6], Math.min(1.0, ioMs / (double) dt), ts);
                }
                // else: counters reset (device re-attached): no rates this tick
            }
            if (!d.hasPrev || dt > 0) {
                System.arraycopy(cur, 0, d.prev, 0, 11);
                d.prevTs = ts;
                d.hasPrev = true;
            }
        }
        if (seen == 0) {
            problem(file, "no device lines");
        }
    }
}
