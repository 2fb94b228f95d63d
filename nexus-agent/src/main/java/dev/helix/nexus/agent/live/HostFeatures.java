package dev.helix.nexus.agent.live;

import dev.helix.nexus.core.spi.MetricKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The host metric vector judged by {@link dev.helix.nexus.detect.anomaly.HostVectorForest} in the live agent: a fixed,
 * ordered list of features, each one host series or an aggregate (sum or maximum) of a family of host series (e.g.
 * bytes written per second summed over all block devices, so the vector does not depend on the host's device names).
 *
 * <p>The {@link #standard()} set (28 features) covers what the behaviour patterns and the faults of
 * {@code docs/benchmarks/live-detection.md} move, as rates and fractions where the sensors offer them: CPU modes
 * (user, system, iowait, irq, softirq, steal: fractions of all CPUs), runnable and blocked tasks, available memory
 * (fraction), dirty and writeback bytes, page faults, major faults, swap-in and swap-out pages (per second), the
 * per-tick pressure stall fractions (PSI: cpu some, io some and full, memory some and full), disk read and write
 * bytes per second (summed over devices) and utilisation (maximum over devices), network receive and transmit bytes
 * per second (summed over interfaces), context switches, interrupts and forks per second. Left out on purpose: the
 * per-CPU and per-IRQ series (their number depends on the host), load averages and PSI averages (smoothed copies of
 * runnable tasks and stall fractions), and levels that step with every process start ({@code Committed_AS},
 * {@code Mapped}): they are the per-series detectors' business.
 *
 * <p>Immutable and thread-safe; {@link #dimensionOf} is O(features · labels).
 */
public final class HostFeatures {

    /** How the series matching one feature are combined within a tick. */
    public enum Aggregate {
        /** One series (the last finite value counts). */
        ONE,
        /** The sum over all matching series. */
        SUM,
        /** The maximum over all matching series. */
        MAX
    }

    /**
     * One feature: the series named {@code metric} whose labels include {@code labels}.
     *
     * @param name      the feature's name in evidence
     * @param metric    the series name
     * @param labels    labels a series must carry (others are free)
     * @param aggregate how several matching series combine
     */
    public record Feature(String name, String metric, Map<String, String> labels, Aggregate aggregate) {
        public Feature {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(metric, "metric");
            labels = Map.copyOf(labels);
            Objects.requireNonNull(aggregate, "aggregate");
        }

        /** Whether {@code key} is one of this feature's series. */
        public boolean matches(MetricKey key) {
            if (!key.name().equals(metric)) {
                return false;
            }
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (!e.getValue().equals(key.label(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Feature> features;

    /** @param features the features in vector order; names unique, at least 2 */
    public HostFeatures(List<Feature> features) {
        this.features = List.copyOf(features);
        if (this.features.size() < 2) {
            throw new IllegalArgumentException("a host vector needs at least 2 features, got " + this.features.size());
        }
        if (this.features.stream().map(Feature::name).distinct().count() != this.features.size()) {
            throw new IllegalArgumentException("feature names must be unique: " + names());
        }
    }

    /** The standard live set (class comment). */
    public static HostFeatures standard() {
        List<Feature> f = new ArrayList<>();
        for (String mode : List.of("user", "system", "iowait", "irq", "softirq", "steal")) {
            f.add(new Feature("cpu_" + mode, "host_cpu_fraction", Map.of("cpu", "total", "mode", mode), Aggregate.ONE));
        }
        f.add(one("procs_running", "host_procs_running"));
        f.add(one("procs_blocked", "host_procs_blocked"));
        f.add(one("memory_available_fraction", "host_memory_available_fraction"));
        f.add(new Feature("dirty_bytes", "host_meminfo_bytes", Map.of("field", "Dirty"), Aggregate.ONE));
        f.add(new Feature("writeback_bytes", "host_meminfo_bytes", Map.of("field", "Writeback"), Aggregate.ONE));
        f.add(one("page_faults_per_second", "host_page_faults_per_second"));
        f.add(one("major_faults_per_second", "host_major_page_faults_per_second"));
        f.add(one("swap_in_pages_per_second", "host_swap_in_pages_per_second"));
        f.add(one("swap_out_pages_per_second", "host_swap_out_pages_per_second"));
        f.add(psi("cpu", "some"));
        f.add(psi("io", "some"));
        f.add(psi("io", "full"));
        f.add(psi("memory", "some"));
        f.add(psi("memory", "full"));
        f.add(new Feature("disk_read_bytes_per_second", "host_disk_read_bytes_per_second", Map.of(), Aggregate.SUM));
        f.add(new Feature("disk_write_bytes_per_second", "host_disk_write_bytes_per_second", Map.of(),
                Aggregate.SUM));
        f.add(new Feature("disk_utilisation_max", "host_disk_utilisation_fraction", Map.of(), Aggregate.MAX));
        f.add(new Feature("net_receive_bytes_per_second", "host_network_receive_bytes_per_second", Map.of(),
                Aggregate.SUM));
        f.add(new Feature("net_transmit_bytes_per_second", "host_network_transmit_bytes_per_second", Map.of(),
                Aggregate.SUM));
        f.add(one("context_switches_per_second", "host_context_switches_per_second"));
        f.add(one("interrupts_per_second", "host_interrupts_per_second"));
        f.add(one("forks_per_second", "host_forks_per_second"));
        return new HostFeatures(f);
    }

    private static Feature one(String name, String metric) {
        return new Feature(name, metric, Map.of(), Aggregate.ONE);
    }

    private static Feature psi(String resource, String kind) {
        return new Feature("psi_" + resource + "_" + kind, "host_pressure_stall_fraction",
                Map.of("resource", resource, "kind", kind), Aggregate.ONE);
    }

    /** The features in vector order. */
    public List<Feature> features() {
        return features;
    }

    /** Number of features. */
    public int size() {
        return features.size();
    }

    /** The feature names in vector order. */
    public List<String> names() {
        return features.stream().map(Feature::name).toList();
    }

    /** The dimension {@code key} feeds, or -1 when it feeds none (the first matching feature wins). */
    public int dimensionOf(MetricKey key) {
        for (int i = 0; i < features.size(); i++) {
            if (features.get(i).matches(key)) {
                return i;
            }
        }
        return -1;
    }
}
