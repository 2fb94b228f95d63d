package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.core.spi.SensorProvider;
import java.net.MalformedURLException;
import java.util.ArrayList;
import java.util.List;
import javax.management.remote.JMXServiceURL;

/**
 * The service-loaded provider of {@link AttachedJvmSensor}s for the other JVMs NEXUS is told to watch: the system
 * property {@value #PROPERTY} or, when it is absent, the environment variable {@value #ENV}, a comma-separated list whose
 * entries are process ids (read through the Attach API) or {@code service:jmx:} URLs (read through that connector),
 * e.g. {@code NEXUS_JVM_TARGETS=4242,service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi}. Nothing when unset or when
 * the Sense domain is disabled.
 *
 * <p>An entry that is neither a positive pid nor a valid {@code service:jmx:} URL gives a sensor that is FAILED on
 * every tick with the variable and the entry named, so the mistake shows in {@code nexus metrics --health} and in the
 * engine's sensor-health events instead of being dropped silently. O(entries); thread-safe (stateless).
 */
public final class JvmTargetsSensorProvider implements SensorProvider {

    /** System property listing the target JVMs. */
    public static final String PROPERTY = "nexus.jvm.targets";
    /** Environment variable listing the target JVMs (used when the property is absent). */
    public static final String ENV = "NEXUS_JVM_TARGETS";

    private final String spec;
    private final String origin;

    /** Reads {@value #PROPERTY}, else {@value #ENV}. */
    public JvmTargetsSensorProvider() {
        String p = System.getProperty(PROPERTY);
        this.spec = p != null ? p : System.getenv(ENV);
        this.origin = p != null ? "-D" + PROPERTY : ENV;
    }

    /** For tests: the list as given, reported as coming from {@code origin}. */
    JvmTargetsSensorProvider(String spec, String origin) {
        this.spec = spec;
        this.origin = origin;
    }

    @Override
    public List<Sensor> create(NexusConfig config) {
        List<Sensor> out = new ArrayList<>();
        if ((config != null && !config.enableSense()) || spec == null || spec.isBlank()) {
            return out;
        }
        for (String raw : spec.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            out.add(sensorFor(entry));
        }
        return out;
    }

    private Sensor sensorFor(String entry) {
        if (entry.startsWith("service:jmx:")) {
            try {
                return AttachedJvmSensor.remote(new JMXServiceURL(entry));
            } catch (MalformedURLException e) {
                return new Misconfigured(entry, origin + ": '" + entry + "' is not a valid JMX service URL: "
                        + e.getMessage());
            }
        }
        try {
            long pid = Long.parseLong(entry);
            if (pid > 0) {
                return new AttachedJvmSensor(pid);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        return new Misconfigured(entry, origin + ": '" + entry
                + "' is neither a positive process id nor a service:jmx: URL");
    }

    /** A target that cannot be read at all: FAILED with the reason on every tick, records nothing. */
    private static final class Misconfigured implements Sensor {
        private final String entry;
        private final SensorHealth health;

        Misconfigured(String entry, String reason) {
            this.entry = entry;
            this.health = SensorHealth.failed(entry, reason);
        }

        @Override
        public String name() {
            return "jvm-target-" + entry;
        }

        @Override
        public void sample(MetricSink sink, long timestampMillis) {
            // nothing to read: the health says why
        }

        @Override
        public SensorHealth health() {
            return health;
        }
    }
}
