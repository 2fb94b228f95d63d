package dev.helix.nexus.agent.behavior;

import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor;
import dev.helix.nexus.telemetry.TelemetrySensors;
import dev.helix.nexus.telemetry.cgroup.CgroupMounts;
import dev.helix.nexus.telemetry.process.ProcessSensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a set of sensors at a fixed tick and feeds every sample into a {@link BehaviorFeatureExtractor} (and, when
 * given, a second sink such as a {@link dev.helix.nexus.telemetry.TelemetryRecorder}), so that behaviour features
 * come from live telemetry. A sensor that throws is skipped for that tick (the contract says sensors report trouble
 * through their health instead).
 *
 * <p>Cost per tick: the sensors' own cost (dominated by the process scan, O(processes + threads)). Not thread-safe:
 * one thread calls {@link #run}.
 */
public final class BehaviorSampler implements AutoCloseable {

    private final List<Sensor> sensors;
    private final BehaviorFeatureExtractor extractor;
    private final EngineClock clock;
    private final MetricSink sink;

    /**
     * @param sensors   sensors to poll each tick (closed by {@link #close})
     * @param extractor where every sample goes
     * @param also      a second sink receiving every sample too, or null
     * @param clock     time source of the tick stamps and the waits
     */
    public BehaviorSampler(List<Sensor> sensors, BehaviorFeatureExtractor extractor, MetricSink also,
                           EngineClock clock) {
        this.sensors = List.copyOf(sensors);
        this.extractor = extractor;
        this.clock = clock;
        this.sink = also == null ? extractor : new MetricSink() {
            @Override
            public void record(MetricKey key, double value, long ts) {
                extractor.record(key, value, ts);
                also.record(key, value, ts);
            }
        };
    }

    /**
     * The sensors behaviour classification reads on this machine: the host /proc sensors, the process sensor
     * reporting the top {@code topProcesses} per ranking, the CPU demand of the top {@code topProcesses} by demand
     * ({@link SchedDemandSensor}) and the mounted cgroup hierarchies. The demand sensor takes its per-process stat
     * scan from the process sensor ({@link SchedDemandSensor#shareScanOf}), which therefore comes first in the list
     * ({@link #tick} samples in list order; out of order the demand sensor falls back to its own scan).
     */
    public static List<Sensor> standardSensors(Path procRoot, int topProcesses) {
        List<Sensor> out = new ArrayList<>(TelemetrySensors.host(procRoot));
        ProcessSensor processes = new ProcessSensor(procRoot, topProcesses);
        SchedDemandSensor demand = new SchedDemandSensor(procRoot, topProcesses);
        demand.shareScanOf(processes);
        out.add(processes); // before demand: it fills the scan demand reads in the same tick
        out.add(demand);
        out.addAll(TelemetrySensors.cgroups(CgroupMounts.read(procRoot)));
        return out;
    }

    /** Samples every sensor once, in list order, all stamped with the same wall time of the clock. */
    public void tick() {
        long ts = clock.wallMillis();
        for (Sensor s : sensors) {
            try {
                s.sample(sink, ts);
            } catch (Exception e) {
                // contract breach by the sensor; its health says why, and the other sensors still run
            }
        }
    }

    /** Runs {@code ticks} ticks {@code interval} apart (the first immediately). */
    public void run(int ticks, Duration interval) throws InterruptedException {
        for (int i = 0; i < ticks; i++) {
            long start = clock.monotonicNanos();
            tick();
            if (i + 1 < ticks) {
                clock.sleepNanos(interval.toNanos() - (clock.monotonicNanos() - start));
            }
        }
    }

    /** The extractor fed by this sampler. */
    public BehaviorFeatureExtractor extractor() {
        return extractor;
    }

    @Override
    public void close() {
        for (Sensor s : sensors) {
            s.close();
        }
    }
}
