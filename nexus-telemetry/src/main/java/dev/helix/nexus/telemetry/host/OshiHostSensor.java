package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.CounterRates;
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
 * native library, permission) is reported as a problem and the sensor degrades. Disks and interfaces are
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
    private HardwareAbstractionLayer hal;
    private String unavailable;
    private long[] prevTicks;
    private List<HWDiskStore> disks;
    private List<NetworkIF> nets;
    private long tick;

    /** A sensor over this machine through OSHI; OSHI is initialised lazily on the first sample. */
    public OshiHostSensor() {
        super("oshi-host", SOURCE);
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        if (hal == null) {
            if (unavailable == null) {
                try {
                    hal = new SystemInfo().getHardware();
                } catch (LinkageError | RuntimeException e) {
                    unavailable = "OSHI unavailable: " + e;
                }
            }
            if (hal == null) {
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
            CentralProcessor p = hal.getProcessor();
            sink.record(CPU_COUNT, p.getLogicalProcessorCount(), ts);
            long[] ticks = p.getSystemCpuLoadTicks();
            if (prevTicks != null) {
                double busy = p.getSystemCpuLoadBetweenTicks(prevTicks);
                if (busy >= 0 && busy <= 1) {
                    sink.record(CPU_BUSY, busy, ts);
                }
            }
            prevTicks = ticks;
            double[] load = p.getSystemLoadAverage(3);
            for (int i = 0; i < 3 && i < load.length; i++) {
                if (load[i] >= 0) { // negative: not available on this OS
                    sink.record(LOAD[i], load[i], ts);
                }
            }
        } catch (LinkageError | RuntimeException e) {
            problem("oshi:processor", "cpu: " + e);
        }
    }

    private void memory(MetricSink sink, long ts) {
        try {
            GlobalMemory m = hal.getMemory();
            long total = m.getTotal();
            long available = m.getAvailable();
            sink.record(MEM_TOTAL, total, ts);
            sink.record(MEM_AVAILABLE, available, ts);
            if (total > 0) {
                sink.record(MEM_AVAILABLE_FRACTION, (double) available / total, ts);
            }
            VirtualMemory v = m.getVirtualMemory();
            long swapTotal = v.getSwapTotal();
            long swapUsed = v.getSwapUsed();
            sink.record(SWAP_TOTAL, swapTotal, ts);
            sink.record(SWAP_USED, swapUsed, ts);
            sink.record(SWAP_FREE, Math.max(0, swapTotal - swapUsed), ts);
        } catch (LinkageError | RuntimeException e) {
            problem("oshi:memory", "memory: " + e);
        }
    }

    private void disks(MetricSink sink, long ts, boolean enumerate) {
        try {
            if (enumerate || disks == null) {
                disks = hal.getDiskStores();
            } else {
                for (HWDiskStore d : disks) {
                    d.updateAttributes();
                }
            }
            Set<Object> live = new HashSet<>();
            for (HWDiskStore d : disks) {
                String name = d.getName().startsWith("/dev/") ? d.getName().substring(5) : d.getName(); // as diskstats
                MetricKey[] k = keys("disk:" + name, "device", name, DISK);
                live.add(k[0]);
                live.add(k[1]);
                live.add(k[2]);
                live.add(k[3]);
                sink.record(k[0], rates.rate(k[0], d.getReads(), ts), ts);
                sink.record(k[1], rates.rate(k[1], d.getWrites(), ts), ts);
                sink.record(k[2], rates.rate(k[2], d.getReadBytes(), ts), ts);
                sink.record(k[3], rates.rate(k[3], d.getWriteBytes(), ts), ts);
            }
            if (enumerate) {
                forgetExcept("disk:", live);
            }
        } catch (LinkageError | RuntimeException e) {
            problem("oshi:disks", "disks: " + e);
        }
    }

    private void network(MetricSink sink, long ts, boolean enumerate) {
        try {
            if (enumerate || nets == null) {
                nets = hal.getNetworkIFs(true); // include loopback, as /proc/net/dev does
            } else {
                for (NetworkIF n : nets) {
                    n.updateAttributes();
                }
            }
            Set<Object> live = new HashSet<>();
            for (NetworkIF n : nets) {
                String name = n.getName();
                MetricKey[] k = keys("net:" + name, "interface", name, NET);
                long[] v = {n.getBytesRecv(), n.getPacketsRecv(), n.getInErrors(), n.getInDrops(), n.getBytesSent(),
                        n.getPacketsSent(), n.getOutErrors()};
                for (int i = 0; i < k.length; i++) {
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
