package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.Bytes;
import dev.helix.nexus.telemetry.internal.CounterRates;
import dev.helix.nexus.telemetry.internal.ByteFileSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Block-device I/O from {@code /proc/diskstats}, per device (label {@code device}).
 *
 * <p>Metrics: {@code host_disk_reads_per_second}, {@code host_disk_writes_per_second},
 * {@code host_disk_read_bytes_per_second}, {@code host_disk_write_bytes_per_second} (sectors are always 512 bytes
 * here), {@code host_disk_read_latency_seconds} and {@code host_disk_write_latency_seconds} (average time per
 * completed request over the tick; NaN when no request completed), {@code host_disk_utilisation_fraction} (share of
 * wall time with I/O in flight, 0..1) and {@code host_disk_in_flight}. Loop and ram devices are skipped by default.
 * The millisecond counters were 32-bit on older kernels and are rated with 32-bit wrap handling.
 *
 * <p>Parsed in place from the bytes read (a String only for a device seen the first time and for problem messages;
 * the {@code include} decision is remembered per device name, so the predicate must be a pure function of the
 * name), giving exactly what the earlier String-splitting parser gave (checked by a property test on random and
 * damaged input). O(lines) per tick. Not thread-safe (tick thread only).
 */
public final class DiskStatsSensor extends ByteFileSensor {

    private static final String[] NAMES = {"host_disk_reads_per_second", "host_disk_writes_per_second",
            "host_disk_read_bytes_per_second", "host_disk_write_bytes_per_second", "host_disk_read_latency_seconds",
            "host_disk_write_latency_seconds", "host_disk_utilisation_fraction", "host_disk_in_flight"};

    private static final class Dev {
        final String name;
        final boolean included;
        final MetricKey[] keys = new MetricKey[NAMES.length];
        final long[] prev = new long[11];
        long prevTs;
        boolean hasPrev;

        Dev(String name, boolean included) {
            this.name = name;
            this.included = included;
        }
    }

    private final Map<String, Dev> devices = new HashMap<>();
    private final Predicate<String> include;
    private final CounterRates counters = new CounterRates();
    private final long[] cur = new long[11];
    private final int[] starts = new int[24];
    private final int[] ends = new int[24];
    private int includedDevices;
    /** The device of each line position last time (lines keep their order); a hit is what the map lookup gives. */
    private Dev[] byLine = new Dev[0];

    /** Reads {@code procRoot/diskstats}, skipping loop and ram devices. */
    public DiskStatsSensor(Path procRoot) {
        this(procRoot, d -> !d.startsWith("loop") && !d.startsWith("ram"));
    }

    /** Reads {@code procRoot/diskstats}, keeping devices {@code include} accepts. */
    public DiskStatsSensor(Path procRoot, Predicate<String> include) {
        super("proc-diskstats", procRoot.resolve("diskstats"));
        this.include = include;
    }

    @Override
    protected void parse(byte[] b, int len, MetricSink sink, long ts) {
        long[] cur = this.cur;
        int seen = 0;
        int li = 0;
        for (int from = 0; from < len; from = Bytes.lineEnd(b, from, len) + 1, li++) {
            int end = Bytes.lineEnd(b, from, len);
            int n = Bytes.fields(b, from, end, starts, ends);
            if (n == 0) {
                continue;
            }
            if (n < 14) {
                problem(file, "want >= 14 fields, got " + n + ": '" + Bytes.latin1(b, from, end) + "'");
                continue;
            }
            boolean ok = true;
            for (int i = 0; i < 11; i++) {
                cur[i] = Bytes.parseLong(b, starts[3 + i], ends[3 + i]);
                ok &= cur[i] != Texts.NOT_A_NUMBER;
            }
            if (!ok || Bytes.parseLong(b, starts[0], ends[0]) < 0 || Bytes.parseLong(b, starts[1], ends[1]) < 0) {
                problem(file, "non-numeric field for device '" + Bytes.latin1(b, starts[2], ends[2]) + "'");
                continue;
            }
            seen++;
            Dev d = li < byLine.length ? byLine[li] : null;
            if (d == null || !Bytes.equalsLatin1(b, starts[2], ends[2], d.name)) {
                String name = Bytes.latin1(b, starts[2], ends[2]);
                d = devices.get(name);
                if (d == null) {
                    if (!include.test(name)) {
                        d = new Dev(name, false); // remembered as excluded, so the name is not tested every tick
                    } else if (includedDevices >= 1024) {
                        continue;
                    } else {
                        d = new Dev(name, true);
                        for (int i = 0; i < NAMES.length; i++) {
                            d.keys[i] = MetricKey.of(NAMES[i], "device", name);
                        }
                    }
                    if (d.included) {
                        includedDevices++;
                        devices.put(name, d);
                    } else if (devices.size() - includedDevices < 1024) {
                        devices.put(name, d);
                    }
                }
                if (li >= byLine.length) {
                    byLine = java.util.Arrays.copyOf(byLine, Math.max(li + 1, 2 * byLine.length));
                }
                byLine[li] = d;
            }
            if (!d.included) {
                continue;
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
