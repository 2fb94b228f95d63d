package dev.helix.nexus.detect;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.anomaly.AlarmHoldOffDetector;
import dev.helix.nexus.detect.anomaly.AnomalyLikelihoodDetector;
import dev.helix.nexus.detect.anomaly.ConsensusDetector;
import dev.helix.nexus.detect.anomaly.IqrDetector;
import dev.helix.nexus.detect.anomaly.IsolationForestDetector;
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
 *   <li>{@code nexus-nab} (the NAB headline, {@link #nexusNab()}) → 0.5.</li>
 * </ul>
 * Thread-safe (immutable); every call returns a fresh detector.
 */
public final class DetectorCatalog {
    /** The configuration used for the NAB headline numbers. */
    public static final String NAB_DEFAULT = "nexus-nab";

    private record Entry(Supplier<Detector> factory, double threshold) {
    }

    private static final Map<String, Entry> UNIVARIATE = new LinkedHashMap<>();

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
        UNIVARIATE.put(NAB_DEFAULT, new Entry(DetectorCatalog::nexusNab, 0.5));
    }

    private static Detector gaussianZ(int window) {
        return new RollingZScoreDetector(window, 3.0, 30, RollingZScoreDetector.ScoreMap.GAUSSIAN);
    }

    private static Detector shingledForest() {
        return new IsolationForestDetector(IsolationForestDetector.Config.defaults(1).withShingle(4));
    }

    /**
     * The NAB configuration: raw score = mean of a shingled Isolation Forest (shape of the last 4 samples) and the
     * Gaussian confidence of a 6400-sample rolling z-score (NAB's windowed-Gaussian window); Numenta-style anomaly
     * likelihood with the spatial rule on top; one alarm per 288 samples (one day of 5-minute data) at most.
     */
    public static Detector nexusNab() {
        return new AlarmHoldOffDetector(NAB_DEFAULT, new AnomalyLikelihoodDetector("likelihood",
                new ConsensusDetector(List.of(shingledForest(), gaussianZ(6400))), true), 288);
    }

    private DetectorCatalog() {
    }

    public static Set<String> univariateNames() {
        return UNIVARIATE.keySet();
    }

    /** A factory of fresh detectors for a catalogued name. */
    public static Supplier<Detector> univariate(String name) {
        Entry e = UNIVARIATE.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown detector '" + name + "'; known: " + UNIVARIATE.keySet());
        }
        return e.factory();
    }

    /** The committed fixed score threshold of a catalogued detector. */
    public static double fixedThreshold(String name) {
        Entry e = UNIVARIATE.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown detector '" + name + "'; known: " + UNIVARIATE.keySet());
        }
        return e.threshold();
    }
}
