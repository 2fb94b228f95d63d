package dev.helix.nexus.detect;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.anomaly.AdaptiveResonanceDetector;
import dev.helix.nexus.detect.anomaly.AlarmHoldOffDetector;
import dev.helix.nexus.detect.anomaly.AlarmUnionDetector;
import dev.helix.nexus.detect.anomaly.AnomalyLikelihoodDetector;
import dev.helix.nexus.detect.anomaly.ConsensusDetector;
import dev.helix.nexus.detect.anomaly.ContextualAnomalyDetector;
import dev.helix.nexus.detect.anomaly.IqrDetector;
import dev.helix.nexus.detect.anomaly.IsolationForestDetector;
import dev.helix.nexus.detect.anomaly.LiveSeriesDetector;
import dev.helix.nexus.detect.anomaly.NabComplement;
import dev.helix.nexus.detect.anomaly.RobustZScoreDetector;
import dev.helix.nexus.detect.anomaly.RollingZScoreDetector;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Named, fixed detector configurations, each with the score threshold its verdict uses, committed here before
 * any evaluation (the thresholds follow from each score's semantics, not from the labels):
 * <ul>
 *   <li>{@code zscore}: rolling mean/σ over 1024 samples, 3σ → score 0.5;</li>
 *   <li>{@code robust-zscore}: median/MAD over 512, modified z 3.5 → 0.5;</li>
 *   <li>{@code iqr}: Tukey 1.5·IQR fences over 512 → 0.5;</li>
 *   <li>{@code iforest}: Isolation Forest, 100 trees, psi 256, shingle 4, memory 2048, refit every 256, seed 42
 *       → 0.6;</li>
 *   <li>{@code consensus}: the four above, mean score, majority vote; threshold on the mean score = the mean of the
 *       members' thresholds (0.525);</li>
 *   <li>{@code likelihood-zscore}, {@code likelihood-iforest}: Numenta-style anomaly likelihood (see
 *       {@link AnomalyLikelihoodDetector}) over a Gaussian z-score or a shingled forest → 0.5 = tail probability
 *       1e-5;</li>
 *   <li>{@code nexus-nab} (the NAB headline since round 3, {@link #nexusNab()}): {@code nexus-nab-r2} OR a
 *       seasonal nearest-neighbour detector at the alarm level (see
 *       {@link dev.helix.nexus.detect.anomaly.NabComplement}) → 0.75 = "either member alarmed"; a learning
 *       detector;</li>
 *   <li>{@code nexus-nab-r2} (NAB round 2, {@link #nexusNabR2()}): the causal contextual anomaly detector with a
 *       30-sample hold-off after each reported alarm → 0.75, the raw score at which the algorithm itself raises an
 *       alarm; a learning detector (see {@link #learningNames()}: its model grows, so it is not O(1) per sample nor
 *       allocation-free);</li>
 *   <li>{@code nexus-nab-r1} (NAB round 1, {@link #nexusNabR1()}): {@code nexus-nab-r2} with CAD OSE's sliding rest
 *       (silent while any raw score of the last 30 samples reached 0.75) → 0.75; a learning detector;</li>
 *   <li>{@code nexus-nab-v1} (the previous headline, {@link #nexusNabV1()}): likelihood over a forest/z-score
 *       consensus with a one-day hold-off → 0.5.</li>
 *   <li>{@code live-pot} (the live agent's per-series detector): deviation from a rolling median, its tail
 *       probability estimated from the series' own past deviations (conformal, with a peaks-over-threshold tail)
 *       → 0.5 = tail probability 1e-5 (see {@link LiveSeriesDetector});</li>
 *   <li>{@code seasonal-knn} (a learning detector; see {@link dev.helix.nexus.detect.anomaly.NabComplement}): the
 *       seasonal member of {@code nexus-nab} alone (same phase of earlier cycles, conformal tail probability 0.005 →
 *       its alarm score);</li>
 *   <li>{@code art} (a learning detector; see {@link dev.helix.nexus.detect.anomaly.AdaptiveResonanceDetector}):
 *       ARTime-style adaptive resonance (Fuzzy ART over downsampled windows, causal range) → 0.5 = "the model
 *       reported an anomaly" (every reported anomaly scores at least 0.5, everything else 0);</li>
 * </ul>
 * Thread-safe (immutable); every call returns a fresh detector.
 */
public final class DetectorCatalog {
    /** The configuration used for the NAB headline numbers. */
    public static final String NAB_DEFAULT = "nexus-nab";

    private record Entry(Supplier<Detector> factory, double threshold) {
    }

    /** CAD OSE's base threshold: a raw score at or above it is an alarm and starts the rest period. */
    private static final double CAD_ALARM_LEVEL = 0.75;

    private static final Map<String, Entry> UNIVARIATE = new LinkedHashMap<>();
    /** Detectors whose model grows with what they learn: neither O(1) per sample nor allocation-free. */
    private static final Map<String, Entry> LEARNING = new LinkedHashMap<>();
    private static final Map<String, Entry> ALL = new LinkedHashMap<>();

    static {
        UNIVARIATE.put("zscore", new Entry(RollingZScoreDetector::new, 0.5));
        UNIVARIATE.put("robust-zscore", new Entry(RobustZScoreDetector::new, 0.5));
        UNIVARIATE.put("iqr", new Entry(IqrDetector::new, 0.5));
        UNIVARIATE.put("iforest", new Entry(() -> new IsolationForestDetector(
                IsolationForestDetector.Config.defaults(1).withShingle(4)), 0.6));
        UNIVARIATE.put("consensus", new Entry(ConsensusDetector::defaultUnivariate,
                (0.5 + 0.5 + 0.5 + 0.6) / 4));
        UNIVARIATE.put("likelihood-zscore", new Entry(() -> new AnomalyLikelihoodDetector("likelihood-zscore",
                gaussianZ(1024), true), 0.5));
        UNIVARIATE.put("likelihood-iforest", new Entry(() -> new AnomalyLikelihoodDetector("likelihood-iforest",
                shingledForest(), true), 0.5));
        UNIVARIATE.put("nexus-nab-v1", new Entry(DetectorCatalog::nexusNabV1, 0.5));
        UNIVARIATE.put(LiveSeriesDetector.NAME, new Entry(LiveSeriesDetector::new, 0.5));
        LEARNING.put(NAB_DEFAULT, new Entry(DetectorCatalog::nexusNab, AlarmUnionDetector.ALARM_LEVEL));
        LEARNING.put("nexus-nab-r2", new Entry(DetectorCatalog::nexusNabR2, CAD_ALARM_LEVEL));
        LEARNING.put("nexus-nab-r1", new Entry(DetectorCatalog::nexusNabR1, CAD_ALARM_LEVEL));
        LEARNING.put("seasonal-knn", new Entry(() -> NabComplement.seasonal("seasonal-knn"),
                NabComplement.seasonalAlarmScore()));
        LEARNING.put("art", new Entry(() -> new AdaptiveResonanceDetector("art",
                AdaptiveResonanceDetector.Config.defaults()), 0.5));
        ALL.putAll(UNIVARIATE);
        ALL.putAll(LEARNING);
    }

    private static Detector gaussianZ(int window) {
        return new RollingZScoreDetector(window, 3.0, 30, RollingZScoreDetector.ScoreMap.GAUSSIAN);
    }

    private static Detector shingledForest() {
        return new IsolationForestDetector(IsolationForestDetector.Config.defaults(1).withShingle(4));
    }

    /**
     * The NAB configuration ({@code nexus-nab}, round 3): {@link #nexusNabR2()} OR the seasonal member of
     * {@link NabComplement} at the alarm level ({@link AlarmUnionDetector}; each member keeps its own hold-off), so a
     * score &ge; 0.75 means "at least one member alarmed". The seasonal member was designed for the development
     * half's missed periodic windows and chosen on that half (see {@code docs/benchmarks/detect.md} §2.5).
     */
    public static Detector nexusNab() {
        return NabComplement.union(NAB_DEFAULT, DetectorCatalog::nexusNabR2);
    }

    /**
     * NAB round 2 ({@code nexus-nab-r2}): {@link ContextualAnomalyDetector} with CAD OSE's published sizes
     * (3 bits = 8 value levels, left semi-contexts of at most 7 facts, 15 neuron facts, alarm level 0.75, rest
     * period 30 samples = the constructor default of CAD OSE) and a causal value grid: fixed after 150 samples
     * (below NAB's shortest probationary period, 169 rows, so every file is scored from its first scored row),
     * widened on every new extreme (tolerance 0: the grid is exactly the range seen so far, CAD's own encoding
     * without the look-ahead), and rebuilt from the last 2016 samples (one week of 5-minute data, NAB's dominant
     * cadence). The rest is a hold-off ({@link ContextualAnomalyDetector.RestMode#HOLD_OFF}): only a reported alarm
     * silences the next 30 samples, so the detector is never blind for longer than that, where CAD OSE's sliding
     * rest stays silent for as long as the model keeps producing alarm-level scores. History 2016, tolerance 0 and
     * the hold-off were chosen on the development half of NAB only (see {@code docs/benchmarks/detect.md} §2).
     */
    public static Detector nexusNabR2() {
        return new ContextualAnomalyDetector("nexus-nab-r2", 3, 150, 2016, 0.0, 7, 15, CAD_ALARM_LEVEL, 30,
                ContextualAnomalyDetector.RestMode.HOLD_OFF);
    }

    /**
     * NAB round 1 ({@code nexus-nab-r1}): {@link #nexusNabR2()} with CAD OSE's sliding rest
     * ({@link ContextualAnomalyDetector.RestMode#SLIDING}).
     */
    public static Detector nexusNabR1() {
        return new ContextualAnomalyDetector("nexus-nab-r1", 3, 150, 2016, 0.0, 7, 15, CAD_ALARM_LEVEL, 30,
                ContextualAnomalyDetector.RestMode.SLIDING);
    }

    /**
     * The previous NAB configuration ({@code nexus-nab-v1}): raw score = mean of a shingled Isolation Forest (shape of the last 4 samples) and the
     * Gaussian confidence of a 6400-sample rolling z-score (NAB's windowed-Gaussian window); Numenta-style anomaly
     * likelihood with the spatial rule on top; one alarm per 288 samples (one day of 5-minute data) at most.
     */
    public static Detector nexusNabV1() {
        return new AlarmHoldOffDetector("nexus-nab-v1", new AnomalyLikelihoodDetector("likelihood",
                new ConsensusDetector(List.of(shingledForest(), gaussianZ(6400))), true), 288);
    }

    private DetectorCatalog() {
    }

    /**
     * Univariate detectors that meet the {@link Detector} SPI's per-sample contract: O(1) or O(log n) per sample and
     * allocation-free after warm-up (the set a live agent may run on every series).
     */
    public static Set<String> univariateNames() {
        return UNIVARIATE.keySet();
    }

    /**
     * Univariate detectors that learn a growing model (memory grows with the stream's novelty, the per-sample cost
     * is not O(1), and they allocate as they learn), such as {@code nexus-nab}. They are resolved by
     * {@link #univariate(String)} like the others but are not offered where the SPI's cost contract matters.
     */
    public static Set<String> learningNames() {
        return LEARNING.keySet();
    }

    /** A factory of fresh detectors for a catalogued name (from either set). */
    public static Supplier<Detector> univariate(String name) {
        return entry(name).factory();
    }

    /** The committed fixed score threshold of a catalogued detector. */
    public static double fixedThreshold(String name) {
        return entry(name).threshold();
    }

    private static Entry entry(String name) {
        Entry e = ALL.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown detector '" + name + "'; known: " + ALL.keySet());
        }
        return e;
    }
}
