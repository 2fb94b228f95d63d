package dev.helix.nexus.agent.cli;

import dev.helix.nexus.agent.live.HostAnomalyMonitor;
import dev.helix.nexus.agent.live.LivePatterns;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.engine.NexusEngine;
import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.detect.DetectorCatalog;
import java.util.function.Supplier;
import dev.helix.nexus.heal.ProtectList;
import dev.helix.nexus.heal.SafetyRules;
import dev.helix.nexus.heal.cgroup.Cgroups;
import java.util.ArrayList;
import java.util.List;

/**
 * The standard assembly of detectors, predictors, policies and safety checks that {@code run} and {@code demo} share.
 */
final class Wiring {

    private Wiring() {
    }

    /**
     * The live detector: each series' deviation from its rolling median, with a tail probability calibrated on the
     * series' own past deviations ({@link dev.helix.nexus.detect.anomaly.LiveSeriesDetector}; measured in
     * {@code docs/benchmarks/live-detection.md}).
     */
    static final String LIVE_DETECTOR = dev.helix.nexus.detect.anomaly.LiveSeriesDetector.NAME;

    /**
     * Safety rules; a {@link #LIVE_DETECTOR} per {@link #watched} series; the host decision ({@link HostAnomalyMonitor}:
     * {@code host.anomaly} events), which is the per-host consensus over the {@code host_*} detectors or an Isolation
     * Forest over the host's metric vector ({@link dev.helix.nexus.agent.live.HostFeatures#standard()},
     * {@link dev.helix.nexus.detect.anomaly.HostVectorForest}); and the live behaviour
     * patterns of the host, processes and cgroups ({@link LivePatterns}: {@code pattern} events).
     */
    static void standard(NexusEngine.Builder b, NexusConfig config) {
        b.safetyCheck(safetyRules(config)::refuse);
        Supplier<Detector> detectors = DetectorCatalog.univariate(LIVE_DETECTOR);
        live(b, key -> watched(key) ? detectors.get() : null, LivePatterns.standard());
    }

    /**
     * Attaches the per-series detectors from {@code perSeries} with the host decision ({@link
     * HostAnomalyMonitor#standard()}: consensus and host-vector forest) tapping the host series, and the
     * behaviour-pattern handler fed by every sample. Both handlers run in Understand, after the per-series detectors.
     */
    static void live(NexusEngine.Builder b, java.util.function.Function<MetricKey, Detector> perSeries,
                     LivePatterns patterns) {
        HostAnomalyMonitor host = HostAnomalyMonitor.standard();
        b.detectors(key -> host.watch(key, perSeries.apply(key)));
        b.handler(host);
        b.sampleSink(patterns.sink());
        b.handler(patterns);
    }

    /**
     * Host-wide and JVM series get a detector; per-process and per-cgroup series, whose number grows with the
     * machine, are left to the pattern classifier and quarantine logic.
     */
    static boolean watched(MetricKey key) {
        return key.name().startsWith("host_") || key.name().startsWith("jvm_");
    }

    /**
     * The Act module's safety rules (never PID 1, NEXUS itself or its ancestors, kernel threads, the protect-list,
     * cgroups outside NEXUS's own). Protect-list entries that are all digits are pids, entries with a '/' cgroup
     * paths, the rest process names.
     */
    static SafetyRules safetyRules(NexusConfig config) {
        List<String> names = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        List<String> cgroups = new ArrayList<>();
        for (String p : config.protect()) {
            if (p.length() <= 18 && p.chars().allMatch(Character::isDigit)) {
                pids.add(Long.parseLong(p));
            } else if (p.indexOf('/') >= 0) {
                cgroups.add(p);
            } else {
                names.add(p);
            }
        }
        return new SafetyRules(ProtectList.of(names, pids, cgroups), Cgroups.detect().preferred().orElse(null));
    }
}
