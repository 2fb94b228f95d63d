package dev.helix.nexus.telemetry.prometheus;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.SenseTargets;
import dev.helix.nexus.core.spi.Sensor;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link PrometheusScrapeSensor}s NEXUS is told to run: the {@code scrapeTargets} of the configuration (each with
 * its timeout and interval), or, replacing them as a whole, the entries of {@code -Dnexus.scrape.targets} /
 * {@code NEXUS_SCRAPE_TARGETS} (bare URLs, default timeout and interval; precedence in {@link SenseTargets}).
 *
 * <p>An entry that cannot be scraped (not an absolute http(s) URL with a host, or a bad timeout or interval) gives a
 * sensor that is FAILED on every tick naming where the list came from, the entry and what is wrong, and records
 * nothing: a typo shows in {@code nexus metrics --health} and in the engine's sensor-health events instead of being
 * dropped. (A configuration file with such an entry is already refused by {@link NexusConfig#validate()}.)
 * O(entries); stateless and thread-safe.
 */
public final class ScrapeTargetSensors {

    private ScrapeTargetSensors() {
    }

    /** Sensors for this process: {@code config}'s targets unless the property or the environment overrides them. */
    public static List<Sensor> create(NexusConfig config) {
        return create(config, SenseTargets.scrapeOverride());
    }

    /**
     * Sensors for {@code override}'s entries when present, else for {@code config}'s {@code scrapeTargets}; none when
     * the Sense domain is disabled.
     */
    public static List<Sensor> create(NexusConfig config, Optional<SenseTargets.Override> override) {
        List<Sensor> out = new ArrayList<>();
        if (config != null && !config.enableSense()) {
            return out;
        }
        if (override.isPresent()) {
            for (String e : override.get().entries()) {
                out.add(sensor(SenseTargets.ScrapeTarget.of(e), override.get().origin()));
            }
        } else if (config != null) {
            List<SenseTargets.ScrapeTarget> ts = config.scrapeTargets();
            for (int i = 0; i < ts.size(); i++) {
                out.add(sensor(ts.get(i), "scrapeTargets entry " + (i + 1)));
            }
        }
        return out;
    }

    private static Sensor sensor(SenseTargets.ScrapeTarget t, String origin) {
        List<String> problems = t.problems();
        if (!problems.isEmpty()) {
            return Sensor.unusable("scrape:" + t.url(), origin, origin + ": " + String.join("; ", problems));
        }
        return new PrometheusScrapeSensor(URI.create(t.url()), t.timeout(), t.interval(), 50_000, 16L << 20);
    }
}
