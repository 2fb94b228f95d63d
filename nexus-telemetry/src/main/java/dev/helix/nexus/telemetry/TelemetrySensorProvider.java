package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorProvider;
import dev.helix.nexus.telemetry.host.SyscallLatencySensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The service-loaded provider of every telemetry sensor usable on this machine ({@link TelemetrySensors#all()} plus
 * the {@link SyscallLatencySensor} where {@code /proc/self/stat} exists, plus scrape targets from {@code nexus.scrape.targets}/{@code NEXUS_SCRAPE_TARGETS}); none when the Sense domain is
 * disabled. Registered in {@code META-INF/services/dev.helix.nexus.core.spi.SensorProvider}. Thread-safe.
 */
public final class TelemetrySensorProvider implements SensorProvider {

    @Override
    public List<Sensor> create(NexusConfig config) {
        if (config != null && !config.enableSense()) {
            return List.of();
        }
        List<Sensor> out = new ArrayList<>(TelemetrySensors.all());
        if (Files.isReadable(Path.of("/proc/self/stat"))) {
            out.add(new SyscallLatencySensor());
        }
        out.addAll(TelemetrySensors.scrapeTargetsFromEnvironment());
        return out;
    }
}
