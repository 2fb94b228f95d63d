package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.telemetry.cgroup.CgroupMounts;
import dev.helix.nexus.telemetry.cgroup.CgroupV1Sensor;
import dev.helix.nexus.telemetry.cgroup.CgroupV2Sensor;
import dev.helix.nexus.telemetry.host.DiskStatsSensor;
import dev.helix.nexus.telemetry.host.InterruptsSensor;
import dev.helix.nexus.telemetry.host.KernelLimitsSensor;
import dev.helix.nexus.telemetry.host.LoadAvgSensor;
import dev.helix.nexus.telemetry.host.MemInfoSensor;
import dev.helix.nexus.telemetry.host.NetDevSensor;
import dev.helix.nexus.telemetry.host.PressureSensor;
import dev.helix.nexus.telemetry.host.ProcStatSensor;
import dev.helix.nexus.telemetry.host.VmStatSensor;
import dev.helix.nexus.telemetry.host.ZoneInfoSensor;
import dev.helix.nexus.telemetry.jvm.JvmSensor;
import dev.helix.nexus.telemetry.process.ProcessSensor;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Factory of every NEXUS sensor usable on this machine; the entry point for the agent and the CLI.
 *
 * <pre>{@code
 * List<Sensor> sensors = TelemetrySensors.all();        // or via ServiceLoader<SensorProvider>
 * TelemetryStore store = new TelemetryStore();
 * long now = clock.wallMillis();
 * for (Sensor s : sensors) s.sample(store, now);
 * store.writePrometheusText(System.out);
 * }</pre>
 *
 * <p>Only sources that exist are included: the /proc sensors whose files exist, the process sensor when
 * {@code /proc/self/stat} is readable (a procfs of processes, not just a few host files), PSI when
 * {@code /proc/pressure} exists, cgroup v1 when controllers are mounted, v2 when a cgroup2 mount exists. The OSHI
 * fallbacks for hosts without a usable {@code /proc} ({@code OshiHostSensor}, {@code OshiProcessSensor}) are not
 * here but added by {@link TelemetrySensorProvider}, since they read the real machine whatever {@code procRoot} says
 * (a fixture tree must not pull in live readings). Rates need two ticks: a one-shot
 * export should sample, wait about a second, and sample again. Stateless; thread-safe.
 */
public final class TelemetrySensors {

    /** Default depth of cgroup walks (root, children, grandchildren). */
    public static final int CGROUP_DEPTH = 2;
    /** Default bound on cgroups visited per hierarchy. */
    public static final int CGROUP_MAX_GROUPS = 256;

    private TelemetrySensors() {
    }

    /** Every sensor usable on this machine, reading the real {@code /proc}, plus the JVM sensor. */
    public static List<Sensor> all() {
        return all(Path.of("/proc"), true);
    }

    /**
     * Every sensor usable against {@code procRoot} (a real proc mount or a fixture tree).
     *
     * @param includeJvm add the sensor of this JVM
     */
    public static List<Sensor> all(Path procRoot, boolean includeJvm) {
        List<Sensor> out = new ArrayList<>(host(procRoot));
        if (Files.isReadable(procRoot.resolve("self/stat"))) {
            out.add(new ProcessSensor(procRoot)); // without a readable procfs it could only fail every tick
        }
        out.addAll(cgroups(CgroupMounts.read(procRoot)));
        if (includeJvm) {
            out.add(new JvmSensor());
        }
        return out;
    }

    /** The host sensors whose source exists under {@code procRoot}. */
    public static List<Sensor> host(Path procRoot) {
        List<Sensor> out = new ArrayList<>();
        addIf(out, procRoot.resolve("stat"), new ProcStatSensor(procRoot));
        addIf(out, procRoot.resolve("loadavg"), new LoadAvgSensor(procRoot));
        addIf(out, procRoot.resolve("meminfo"), new MemInfoSensor(procRoot));
        addIf(out, procRoot.resolve("vmstat"), new VmStatSensor(procRoot));
        addIf(out, procRoot.resolve("zoneinfo"), new ZoneInfoSensor(procRoot));
        addIf(out, procRoot.resolve("pressure"), new PressureSensor(procRoot));
        addIf(out, procRoot.resolve("diskstats"), new DiskStatsSensor(procRoot));
        addIf(out, procRoot.resolve("interrupts"), new InterruptsSensor(procRoot));
        addIf(out, procRoot.resolve("net/dev"), new NetDevSensor(procRoot));
        addIf(out, procRoot.resolve("sys/fs/file-nr"), new KernelLimitsSensor(procRoot));
        return out;
    }

    /** cgroup sensors for the mounted hierarchies (v1 controllers NEXUS reads, and v2). */
    public static List<Sensor> cgroups(CgroupMounts mounts) {
        List<Sensor> out = new ArrayList<>();
        Map<String, Path> v1 = new HashMap<>();
        for (String c : List.of("cpu", "cpuacct", "memory", "pids", "blkio", "freezer")) {
            Path p = mounts.v1().get(c);
            if (p != null && Files.isDirectory(p)) {
                v1.put(c, p);
            }
        }
        if (!v1.isEmpty()) {
            out.add(new CgroupV1Sensor(v1, CGROUP_DEPTH, CGROUP_MAX_GROUPS));
        }
        if (mounts.v2() != null && Files.isRegularFile(mounts.v2().resolve("cgroup.controllers"))) {
            out.add(new CgroupV2Sensor(mounts.v2(), CGROUP_DEPTH, CGROUP_MAX_GROUPS));
        }
        return out;
    }

    private static void addIf(List<Sensor> out, Path source, Sensor s) {
        if (Files.exists(source)) {
            out.add(s);
        }
    }
}
