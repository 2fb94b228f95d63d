package dev.helix.nexus.telemetry;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared test helpers: fixture paths and a sink that remembers what it got. */
public final class TestSupport {

    private TestSupport() {
    }

    /** The fixture directory {@code src/test/resources/fixtures/<name>}. */
    public static Path fixture(String name) {
        try {
            return Path.of(TestSupport.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records every sample; {@link #get} gives the latest per key. Not thread-safe. */
    public static final class Sink implements MetricSink {
        public final Map<MetricKey, Double> latest = new LinkedHashMap<>();
        public final List<MetricKey> order = new ArrayList<>();

        @Override
        public void record(MetricKey key, double value, long timestampMillis) {
            latest.put(key, value);
            order.add(key);
        }

        public double get(String name, String... labels) {
            Double d = latest.get(MetricKey.of(name, labels));
            if (d == null) {
                throw new AssertionError("no series " + MetricKey.of(name, labels) + " in " + latest.keySet());
            }
            return d;
        }

        public boolean has(String name, String... labels) {
            return latest.containsKey(MetricKey.of(name, labels));
        }

        public long count(String name) {
            return latest.keySet().stream().filter(k -> k.name().equals(name)).count();
        }

        public void clear() {
            latest.clear();
            order.clear();
        }
    }
}
