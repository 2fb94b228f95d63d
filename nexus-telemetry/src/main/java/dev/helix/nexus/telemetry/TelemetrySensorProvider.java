package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorProvider;
import dev.helix.nexus.telemetry.host.OshiHostSensor;
import dev.helix.nexus.telemetry.host.SyscallLatencySensor;
import dev.helix.nexus.telemetry.jvm.JfrSensor;
import dev.helix.nexus.telemetry.process.OshiProcessSensor;
import dev.helix.nexus.telemetry.prometheus.ScrapeTargetSensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The service-loaded provider of every telemetry sensor usable on this machine ({@link TelemetrySensors#all()}, whose
 * process sensor is only registered where {@code /proc/self/stat} is readable, plus
 * the {@link SyscallLatencySensor} where {@code /proc/self/stat} exists, plus the scrape targets of {@link ScrapeTargetSensors}: the {@code scrapeTargets} key, or {@code nexus.scrape.targets}/{@code NEXUS_SCRAPE_TARGETS} replacing it); none when the Sense domain is
 * disabled. Registered in {@code META-INF/services/dev.helix.nexus.core.spi.SensorProvider}. Thread-safe.
 *
 * <p>Also: the {@link JfrSensor} where JFR is available (skipped, never an exception, where it is not; its stream
 * starts on the first sample), the {@link OshiHostSensor} fallback only when the /proc host sensors are
 * unusable ({@code /proc/stat} or {@code /proc/meminfo} missing or unreadable) and OSHI can be loaded, and the
 * {@link OshiProcessSensor} fallback only when the /proc process sensor is not registered ({@code /proc/self/stat}
 * unreadable) and OSHI can list processes here (see {@link #oshiCanListProcesses()}), so at most one of
 * {@code processes} and {@code oshi-processes} runs. A sensor that could only be FAILED on every tick is not
 * registered: it would keep the engine DEGRADED and repeat the same problem event each second.
 */
public final class TelemetrySensorProvider implements SensorProvider {

    private final Path procRoot;

    /** The provider for this machine's {@code /proc}. */
    public TelemetrySensorProvider() {
        this(Path.of("/proc"));
    }

    /**
     * For tests: builds the sensors against {@code procRoot} instead of {@code /proc} (an empty directory models a
     * host where /proc is hidden: no /proc sensors, no process sensor, the OSHI fallback).
     */
    TelemetrySensorProvider(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** Whether the /proc host sensors can work against {@code procRoot} ({@code stat} and {@code meminfo} readable). */
    public static boolean procHostUsable(Path procRoot) {
        return Files.isReadable(procRoot.resolve("stat")) && Files.isReadable(procRoot.resolve("meminfo"));
    }

    /**
     * Whether the /proc process sensor is registered against {@code procRoot} ({@code self/stat} readable), the same
     * test {@link TelemetrySensors#all(Path, boolean)} makes.
     */
    public static boolean processSensorUsable(Path procRoot) {
        return Files.isReadable(procRoot.resolve("self/stat"));
    }

    /**
     * Whether OSHI can list this machine's processes: anywhere but Linux (macOS, Windows, BSD, Solaris, AIX: OSHI uses
     * the platform's own calls), and on Linux only when the real {@code /proc/self/stat} is readable, since OSHI's
     * Linux process list is read from {@code /proc} (with it hidden the list is always empty).
     */
    public static boolean oshiCanListProcesses() {
        String os = System.getProperty("os.name", "");
        return !os.toLowerCase(java.util.Locale.ROOT).startsWith("linux")
                || Files.isReadable(Path.of("/proc/self/stat"));
    }

    @Override
    public List<Sensor> create(NexusConfig config) {
        if (config != null && !config.enableSense()) {
            return List.of();
        }
        List<Sensor> out = new ArrayList<>(TelemetrySensors.all(procRoot, true));
        if (Files.isReadable(procRoot.resolve("self/stat"))) {
            out.add(procRoot.equals(Path.of("/proc")) ? new SyscallLatencySensor()
                    : new SyscallLatencySensor(procRoot.resolve("self/stat"), SyscallLatencySensor.DEFAULT_ITERATIONS,
                            SyscallLatencySensor.DEFAULT_WINDOW_TICKS));
        }
        try {
            if (JfrSensor.available()) {
                out.add(new JfrSensor());
            }
        } catch (LinkageError | RuntimeException e) {
            // no JFR in this runtime (e.g. a jlink image without jdk.jfr): the JMX-based JvmSensor still runs
        }
        if (!procHostUsable(procRoot)) {
            try {
                out.add(new OshiHostSensor());
            } catch (LinkageError | RuntimeException e) {
                // OSHI or JNA not loadable here: no host metrics at all rather than a broken tick
            }
        }
        if (!processSensorUsable(procRoot) && oshiCanListProcesses()) {
            try {
                out.add(new OshiProcessSensor());
            } catch (LinkageError | RuntimeException e) {
                // OSHI not loadable here: no per-process metrics rather than a broken tick
            }
        }
        out.addAll(ScrapeTargetSensors.create(config));
        return out;
    }
}
