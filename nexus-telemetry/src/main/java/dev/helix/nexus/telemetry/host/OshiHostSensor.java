package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.CounterRates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.hardware.VirtualMemory;

/**
 * Host metrics through OSHI ({@code com.github.oshi:oshi-core}): the fallback where {@code /proc} is missing or
 * unreadable (macOS, Windows, BSD, restricted containers). {@code TelemetrySensorProvider} registers it only when
 * the /proc host sensors are unusable; it works on Linux too (OSHI reads /proc there), which is how it is tested.
 *
 * <p>Metrics use the same names as the /proc sensors so that everything downstream works unchanged:
 * {@code host_cpu_busy_fraction{cpu="total"}} (from the second tick), {@code host_cpu_count},
 * {@code host_memory_total_bytes}, {@code host_memory_available_bytes}, {@code host_memory_available_fraction},
 * {@code host_swap_total_bytes}, {@code host_swap_used_bytes}, {@code host_swap_free_bytes}, {@code host_load1},
 * {@code host_load5}, {@code host_load15} (absent where the OS has no load average, e.g. Windows);
 * per {@code device}: {@code host_disk_reads_per_second}, {@code host_disk_writes_per_second},
 * {@code host_disk_read_bytes_per_second}, {@code host_disk_write_bytes_per_second}; per {@code interface}:
 * {@code host_network_receive_bytes_per_second}, {@code host_network_receive_packets_per_second},
 * {@code host_network_receive_errors_per_second}, {@code host_network_receive_drops_per_second},
 * {@code host_network_transmit_bytes_per_second}, {@code host_network_transmit_packets_per_second},
 * {@code host_network_transmit_errors_per_second}. Rates need two ticks (counter semantics of
 * {@link CounterRates}: no rate on the first reading, NaN on a reset).
 *
 * <p>Each group (CPU, memory, load, disks, network) is read independently; a group OSHI cannot read (missing
 * native library, permission) is reported as a problem and the sensor degrades. OSHI reports what it cannot read
 * as 0 rather than failing (on Linux with {@code /proc} hidden it returns total memory 0, CPU ticks all 0, disk
 * operations without bytes), so impossible zeros are treated as "unavailable": the metric is left out and the
 * sensor is DEGRADED naming the field, never a HEALTHY 0. The rules are invariants, not thresholds: total memory
 * 0 (then memory and swap, which come from the same source, are both left out), a logical CPU count of 0, CPU tick
 * counters that sum to 0 or do not advance between ticks (a running host always accrues idle or busy ticks), and
 * a disk whose cumulative bytes read (written) are fewer than its reads (writes), or that moved bytes without a
 * single operation: every transfer moves at least one byte (a whole sector on a block device), so such a pair is
 * inconsistent and <em>both</em> rates of that direction are left out, as there is no telling which is wrong.
 *
 * <p>Linux without a readable {@code /proc/diskstats}: OSHI takes its disk counters from {@code /sys/block/X/stat}
 * but decides how many fields that line has from {@code /proc/diskstats}; when that is unreadable it assumes 11 and
 * parses the rightmost 11 of the 17 fields a 5.5+ kernel writes, so every counter is shifted by six fields: its
 * "reads" are sectors written, its read bytes are the in-flight count × 512 (0), its "writes" the milliseconds in
 * queue and its write bytes the merged discards × 512 (small but non-zero, so a "bytes unavailable" check passes).
 * There the sensor reads the four counters from {@code /sys/block/X/stat} itself (fields 1, 3, 5 and 7, sectors of
 * 512 bytes, as the kernel's {@code Documentation/block/stat.rst} defines them) for the disks OSHI enumerates; a disk
 * whose line cannot be read gives no disk rates and a DEGRADED reason. Disks and interfaces are
 * enumerated on the first tick and again every {@value #REENUMERATE_TICKS} ticks (enumeration is the expensive
 * part); in between only their counters are refreshed. Disk names drop {@code /dev/} ({@code vda}, as in
 * {@code /proc/diskstats}). OSHI loads JNA's native library: on JDK 24+ the JVM prints a restricted-method warning
 * unless it runs with {@code --enable-native-access=ALL-UNNAMED}. Not thread-safe (tick thread only).
 */
public final class OshiHostSensor extends AbstractSensor {

    /** Ticks between re-enumerations of disks and network interfaces. */
    public static final int REENUMERATE_TICKS = 60;
    private static final String SOURCE = "oshi";
    private static final MetricKey CPU_BUSY = MetricKey.of("host_cpu_busy_fraction", "cpu", "total");
    private static final MetricKey CPU_COUNT = MetricKey.of("host_cpu_count");
    private static final MetricKey MEM_TOTAL = MetricKey.of("host_memory_total_bytes");
    private static final MetricKey MEM_AVAILABLE = MetricKey.of("host_memory_available_bytes");
    private static final MetricKey MEM_AVAILABLE_FRACTION = MetricKey.of("host_memory_available_fraction");
    private static final MetricKey SWAP_TOTAL = MetricKey.of("host_swap_total_bytes");
    private static final MetricKey SWAP_USED = MetricKey.of("host_swap_used_bytes");
    private static final MetricKey SWAP_FREE = MetricKey.of("host_swap_free_bytes");
    private static final MetricKey[] LOAD = {MetricKey.of("host_load1"), MetricKey.of("host_load5"),
            MetricKey.of("host_load15")};
    private static final String[] DISK = {"host_disk_reads_per_second", "host_disk_writes_per_second",
            "host_disk_read_bytes_per_second", "host_disk_write_bytes_per_second"};
    private static final String[] NET = {"host_network_receive_bytes_per_second",
            "host_network_receive_packets_per_second", "host_network_receive_errors_per_second",
            "host_network_receive_drops_per_second", "host_network_transmit_bytes_per_second",
            "host_network_transmit_packets_per_second", "host_network_transmit_errors_per_second"};

    private final CounterRates rates = new CounterRates();
    private final Map<String, MetricKey[]> keys = new HashMap<>();
    private final ReadingsFactory factory;
    private Readings readings;
    private String unavailable;
    private long[] prevTicks;
    private long tick;

    /** A sensor over this machine through OSHI; OSHI is initialised lazily on the first sample. */
    public OshiHostSensor() {
        this(OshiReadings::new);
    }

    /** For tests: reads through {@code factory}'s {@link Readings} instead of OSHI. */
    OshiHostSensor(ReadingsFactory factory) {
        super("oshi-host", SOURCE);
        this.factory = factory;
    }

    /** Creates the readings on the first sample (OSHI's initialisation may fail with a LinkageError). */
    @FunctionalInterface
    interface ReadingsFactory {
        Readings create();
    }

    /**
     * The raw values the sensor needs, one group per method; each method may throw ({@link LinkageError},
     * {@link RuntimeException}), which degrades that group only. Called from the tick thread only.
     */
    interface Readings {
        /** Logical processors (0 when unknown). */
        int logicalCpus();

        /** Cumulative CPU ticks in {@link CentralProcessor.TickType} order (all 0 when unreadable). */
        long[] cpuTicks();

        /** 1-, 5- and 15-minute load averages, negative where unavailable. */
        double[] loadAverage();

        /** Physical memory: {@code {total, available, swapTotal, swapUsed}} in bytes (0 where unreadable). */
        long[] memory();

        /**
         * Disks with their cumulative counters {@code {reads, writes, readBytes, writeBytes}} (-1 where unknown);
         * {@code enumerate}: look for new and vanished disks first.
         */
        List<Counters> disks(boolean enumerate);

        /** Interfaces with their cumulative counters, in the order of {@code NET}; {@code enumerate} as for disks. */
        List<Counters> networks(boolean enumerate);
    }

    /** One device's name and cumulative counters; {@code note}: why they are unknown, else null. */
    record Counters(String name, long[] values, String note) {
        Counters(String name, long[] values) {
            this(name, values, null);
        }
    }

    /**
     * {@code {reads, writes, readBytes, writeBytes}} from a {@code /sys/block/X/stat} line (fields 1, 5, 3 × 512 and
     * 7 × 512 of the kernel's block stat format), or null when the line has fewer than 7 numeric fields.
     */
    static long[] parseBlockStat(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 7) {
            return null;
        }
        try {
            long reads = Long.parseLong(f[0]);
            long readSectors = Long.parseLong(f[2]);
            long writes = Long.parseLong(f[4]);
            long writeSectors = Long.parseLong(f[6]);
            if (reads < 0 || readSectors < 0 || writes < 0 || writeSectors < 0) {
                return null;
            }
            return new long[] {reads, writes, readSectors * 512, writeSectors * 512};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@link Readings} through OSHI's hardware abstraction layer. */
    private static final class OshiReadings implements Readings {
        private final HardwareAbstractionLayer hal = new SystemInfo().getHardware();
        /** Linux with /proc/diskstats unreadable: OSHI misparses the block stat lines (class comment). */
        private final boolean ownBlockStat = SystemInfo.getCurrentPlatform() == oshi.PlatformEnum.LINUX
                && !Files.isReadable(Path.of("/proc/diskstats"));
        private List<HWDiskStore> disks;
        private List<NetworkIF> nets;

        @Override
        public int logicalCpus() {
            return hal.getProcessor().getLogicalProcessorCount();
        }

        @Override
        public long[] cpuTicks() {
            return hal.getProcessor().getSystemCpuLoadTicks();
        }

        @Override
        public double[] loadAverage() {
            return hal.getProcessor().getSystemLoadAverage(3);
        }

        @Override
        public long[] memory() {
            GlobalMemory m = hal.getMemory();
            VirtualMemory v = m.getVirtualMemory();
            return new long[] {m.getTotal(), m.getAvailable(), v.getSwapTotal(), v.getSwapUsed()};
        }

        @Override
        public List<Counters> disks(boolean enumerate) {
            if (enumerate || disks == null) {
                disks = hal.getDiskStores();
            } else {
                for (HWDiskStore d : disks) {
                    d.updateAttributes();
                }
            }
            List<Counters> out = new ArrayList<>(disks.size());
            for (HWDiskStore d : disks) {
                String name = d.getName().startsWith("/dev/") ? d.getName().substring(5) : d.getName(); // as diskstats
                if (ownBlockStat) {
                    out.add(blockStat(name));
                } else {
                    out.add(new Counters(name, new long[] {d.getReads(), d.getWrites(), d.getReadBytes(),
                            d.getWriteBytes()}));
                }
            }
            return out;
        }

        /** The counters of {@code /sys/block/<name>/stat}, or a note saying why they are unknown. */
        private static Counters blockStat(String name) {
            Path file = Path.of("/sys/block", name, "stat");
            long[] v = null;
            String note;
            try {
                v = parseBlockStat(Files.readString(file, StandardCharsets.ISO_8859_1));
                note = v == null ? file + " is not a block stat line" : null;
            } catch (IOException | RuntimeException e) {
                note = file + ": " + e;
            }
            return v != null ? new Counters(name, v) : new Counters(name, new long[] {-1, -1, -1, -1},
                    "oshi: disk " + name + ": OSHI's counters are misaligned without /proc/diskstats and " + note
                            + ": no disk rates");
        }

        @Override
        public List<Counters> networks(boolean enumerate) {
            if (enumerate || nets == null) {
                nets = hal.getNetworkIFs(true); // include loopback, as /proc/net/dev does
            } else {
                for (NetworkIF n : nets) {
                    n.updateAttributes();
                }
            }
            List<Counters> out = new ArrayList<>(nets.size());
            for (NetworkIF n : nets) {
                out.add(new Counters(n.getName(), new long[] {n.getBytesRecv(), n.getPacketsRecv(), n.getInErrors(),
                        n.getInDrops(), n.getBytesSent(), n.getPacketsSent(), n.getOutErrors()}));
            }
            return out;
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        if (readings == null) {
            if (unavailable == null) {
                try {
                    readings = factory.create();
                } catch (LinkageError | RuntimeException e) {
                    unavailable = "OSHI unavailable: " + e;
                }
            }
            if (readings == null) {
                problem(SOURCE, unavailable);
                return;
            }
        }
        boolean enumerate = tick++ % REENUMERATE_TICKS == 0;
        cpu(sink, ts);
        memory(sink, ts);
        disks(sink, ts, enumerate);
        network(sink, ts, enumerate);
    }

    private void cpu(MetricSink sink, long ts) {
        try {
            int cpus = readings.logicalCpus();
            if (cpus > 0) {
                sink.record(CPU_COUNT, cpus, ts);
            } else {
                problem("oshi:processor", "oshi: logical processor count unavailable (0)");
            }
            long[] ticks = readings.cpuTicks();
            long sum = sum(ticks);
            if (sum <= 0) {
                problem("oshi:processor", "oshi: CPU ticks unavailable (all 0): no host_cpu_busy_fraction");
                prevTicks = null;
            } else {
                if (prevTicks != null) {
                    long total = sum - sum(prevTicks);
                    if (total <= 0) {
                        problem("oshi:processor", "oshi: CPU ticks did not advance since the last tick: "
                                + "no host_cpu_busy_fraction");
                    } else {
                        long idle = delta(ticks, prevTicks, CentralProcessor.TickType.IDLE.getIndex())
                                + delta(ticks, prevTicks, CentralProcessor.TickType.IOWAIT.getIndex());
                        double busy = 1.0 - (double) idle / total;
                        if (busy >= 0 && busy <= 1) {
                            sink.record(CPU_BUSY, busy, ts);
                        }
                    }
                }
                prevTicks = ticks;
            }
            double[] load = readings.loadAverage();
            for (int i = 0; i < 3 && i < load.length; i++) {
                if (load[i] >= 0) { // negative: not available on this OS
                    sink.record(LOAD[i], load[i], ts);
                }
            }
        } catch (LinkageError | RuntimeException e) {
            problem("oshi:processor", "cpu: " + e);
        }
    }

    private static long sum(long[] ticks) {
        long s = 0;
        for (long t : ticks) {
            s += Math.max(0, t);
        }
        return s;
    }

    private static long delta(long[] now, long[] before, int index) {
        return index < now.length && index < before.length ? Math.max(0, now[index] - before[index]) : 0;
    }

    private void memory(MetricSink sink, long ts) {
        try {
            long[] m = readings.memory();
            long total = m[0];
            long available = m[1];
            if (total <= 0) {
                // OSHI gives 0 when it cannot read the source (e.g. /proc/meminfo hidden): not a machine without
                // memory. Swap comes from the same source, so its zeros are just as meaningless.
                problem("oshi:memory", "oshi: total memory unavailable (" + total + "): no host_memory_* or "
                        + "host_swap_* metrics");
                return;
            }
            sink.record(MEM_TOTAL, total, ts);
            if (available >= 0 && available <= total) {
                sink.record(MEM_AVAILABLE, available, ts);
                sink.record(MEM_AVAILABLE_FRACTION, (double) available / total, ts);
            } else {
                problem("oshi:memory", "oshi: available memory " + available + " outside 0.." + total);
            }
            long swapTotal = m[2];
            long swapUsed = m[3];
            if (swapTotal >= 0 && swapUsed >= 0 && swapUsed <= swapTotal) {
                sink.record(SWAP_TOTAL, swapTotal, ts);
                sink.record(SWAP_USED, swapUsed, ts);
                sink.record(SWAP_FREE, swapTotal - swapUsed, ts);
            } else {
                problem("oshi:memory", "oshi: swap used " + swapUsed + " outside 0.." + swapTotal);
            }
        } catch (LinkageError | RuntimeException e) {
            problem("oshi:memory", "memory: " + e);
        }
    }

    private void disks(MetricSink sink, long ts, boolean enumerate) {
        try {
            List<Counters> disks = readings.disks(enumerate);
            Set<Object> live = new HashSet<>();
            for (Counters d : disks) {
                MetricKey[] k = keys("disk:" + d.name(), "device", d.name(), DISK);
                long[] v = d.values();
                for (int i = 0; i < k.length; i++) {
                    live.add(k[i]);
                }
                if (d.note() != null) {
                    for (MetricKey key : k) {
                        rates.forget(key);
                    }
                    problem("oshi:disks", d.note());
                    continue;
                }
                direction(sink, ts, k[0], k[2], v[0], v[2], d.name(), "read");
                direction(sink, ts, k[1], k[3], v[1], v[3], d.name(), "write");
            }
            if (enumerate) {
                forgetExcept("disk:", live);
            }
        } catch (LinkageError | RuntimeException e) {
            problem("oshi:disks", "disks: " + e);
        }
    }

    /**
     * Records one direction's operation and byte rates, or neither when the cumulative pair is inconsistent: fewer
     * bytes than operations (every transfer moves at least one byte), bytes without any operation, or a negative
     * (unknown) counter.
     */
    private void direction(MetricSink sink, long ts, MetricKey opsKey, MetricKey bytesKey, long ops, long bytes,
                           String device, String kind) {
        String why = null;
        if (ops < 0 || bytes < 0) {
            why = "unknown (" + ops + " " + kind + "s, " + bytes + " bytes)";
        } else if (ops > 0 && bytes == 0) {
            why = ops + " " + kind + "s but " + kind + " bytes unavailable (0)";
        } else if (bytes < ops) {
            why = ops + " " + kind + "s but only " + bytes + " bytes " + (kind.equals("read") ? "read" : "written")
                    + " (fewer bytes than operations)";
        } else if (ops == 0 && bytes > 0) {
            why = bytes + " bytes " + (kind.equals("read") ? "read" : "written") + " but no " + kind + "s";
        }
        if (why != null) {
            rates.forget(opsKey);
            rates.forget(bytesKey);
            problem("oshi:disks", "oshi: disk " + device + " has " + why + ": its " + kind + " rates left out");
            return;
        }
        sink.record(opsKey, rates.rate(opsKey, ops, ts), ts);
        sink.record(bytesKey, rates.rate(bytesKey, bytes, ts), ts);
    }

    private void network(MetricSink sink, long ts, boolean enumerate) {
        try {
            List<Counters> nets = readings.networks(enumerate);
            Set<Object> live = new HashSet<>();
            for (Counters n : nets) {
                MetricKey[] k = keys("net:" + n.name(), "interface", n.name(), NET);
                long[] v = n.values();
                for (int i = 0; i < k.length && i < v.length; i++) {
                    live.add(k[i]);
                    sink.record(k[i], rates.rate(k[i], v[i], ts), ts);
                }
            }
            if (enumerate) {
                forgetExcept("net:", live);
            }
        } catch (LinkageError | RuntimeException e) {
            problem("oshi:network", "network: " + e);
        }
    }

    private MetricKey[] keys(String id, String label, String value, String[] names) {
        MetricKey[] k = keys.get(id);
        if (k == null) {
            k = new MetricKey[names.length];
            for (int i = 0; i < names.length; i++) {
                k[i] = MetricKey.of(names[i], label, value);
            }
            keys.put(id, k);
        }
        return k;
    }

    /** Drops keys and counter state of devices that disappeared (bounded memory with churning interfaces). */
    private void forgetExcept(String prefix, Set<Object> live) {
        keys.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(prefix) || live.contains(e.getValue()[0])) {
                return false;
            }
            for (MetricKey k : e.getValue()) {
                rates.forget(k);
            }
            return true;
        });
    }
}
