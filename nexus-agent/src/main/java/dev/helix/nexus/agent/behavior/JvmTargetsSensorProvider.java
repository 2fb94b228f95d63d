package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.SenseTargets;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorProvider;
import java.net.MalformedURLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.management.remote.JMXServiceURL;

/**
 * The service-loaded provider of {@link AttachedJvmSensor}s for the other JVMs NEXUS is told to watch: the
 * configuration key {@code jvmTargets} or, replacing it as a whole when set, the system property {@value #PROPERTY}
 * or else the environment variable {@value #ENV} (a comma-separated list; precedence in {@link SenseTargets}). Entries
 * are process ids (read through the Attach API) or {@code service:jmx:} URLs (read through that connector), e.g.
 * {@code NEXUS_JVM_TARGETS=4242,service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi}. Nothing when none is given or
 * when the Sense domain is disabled.
 *
 * <p>An entry that is neither a positive pid nor a valid {@code service:jmx:} URL gives a sensor that is FAILED on
 * every tick with the variable (or key) and the entry named, so the mistake shows in {@code nexus metrics --health}
 * and in the engine's sensor-health events instead of being dropped silently; a configuration file with such an entry
 * is already refused by {@link NexusConfig#validate()}. O(entries); thread-safe (immutable).
 */
public final class JvmTargetsSensorProvider implements SensorProvider {

    /** System property listing the target JVMs. */
    public static final String PROPERTY = SenseTargets.JVM_PROPERTY;
    /** Environment variable listing the target JVMs (used when the property is absent). */
    public static final String ENV = SenseTargets.JVM_ENV;

    private final Optional<SenseTargets.Override> override;

    /** Reads the override from {@value #PROPERTY}, else {@value #ENV}. */
    public JvmTargetsSensorProvider() {
        this.override = SenseTargets.jvmOverride();
    }

    /** For tests: the override list as given (none when null or blank), reported as coming from {@code origin}. */
    JvmTargetsSensorProvider(String spec, String origin) {
        this.override = SenseTargets.override("unused", origin, k -> null, k -> spec);
    }

    @Override
    public List<Sensor> create(NexusConfig config) {
        List<Sensor> out = new ArrayList<>();
        if (config != null && !config.enableSense()) {
            return out;
        }
        if (override.isPresent()) {
            for (String entry : override.get().entries()) {
                out.add(sensorFor(entry, override.get().origin()));
            }
        } else if (config != null) {
            List<String> targets = config.jvmTargets();
            for (int i = 0; i < targets.size(); i++) {
                out.add(sensorFor(targets.get(i), "jvmTargets entry " + (i + 1)));
            }
        }
        return out;
    }

    private static Sensor sensorFor(String entry, String origin) {
        String problem = SenseTargets.jvmTargetProblem(entry);
        if (problem != null) {
            return Sensor.unusable("jvm-target-" + entry, entry, origin + ": " + problem);
        }
        if (entry.startsWith("service:jmx:")) {
            try {
                return AttachedJvmSensor.remote(new JMXServiceURL(entry));
            } catch (MalformedURLException e) {
                return Sensor.unusable("jvm-target-" + entry, entry, origin + ": '" + entry
                        + "' is not a valid JMX service URL: " + e.getMessage()); // unreachable: jvmTargetProblem parsed it
            }
        }
        return new AttachedJvmSensor(Long.parseLong(entry));
    }
}
