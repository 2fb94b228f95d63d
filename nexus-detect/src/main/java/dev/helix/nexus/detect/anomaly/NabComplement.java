package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;

import java.util.List;
import java.util.function.Supplier;

/**
 * The complementary NAB configuration (issue 5): a {@link SeasonalKnnDetector} for the contextual / periodic
 * anomalies that the contextual detector of {@code nexus-nab} does not see, fused with it at the alarm level by
 * {@link AlarmUnionDetector}. Settings and their reasons (see {@code docs/benchmarks/nab-complement.md}):
 * <ul>
 *   <li>history and calibration 8,640 samples: 30 days of 5-minute data, the history of the anomaly likelihood
 *       (Numenta's published default, {@link AnomalyLikelihoodDetector});</li>
 *   <li>period re-estimated every 288 samples (one day of 5-minute data; the estimate costs O(n²/2), so it is
 *       amortised over a day), periods from 4 samples, a peak autocorrelation of at least 0.5 (the cycle
 *       explains at least a quarter of the variance, r² &ge; 0.25);</li>
 *   <li>compared window = period / 24 (one hour of a daily cycle), phase jitter ± half of it;</li>
 *   <li>alarm when the conformal tail probability of the distance is at most 0.005 (chosen on the development half
 *       of NAB among 0.0005 … 0.01; see the document), hold-off 288 samples after an alarm (at most one seasonal
 *       alarm per day of 5-minute data, as {@code nexus-nab-v1}).</li>
 * </ul>
 * Thread-safe (stateless); every call returns fresh detectors.
 */
public final class NabComplement {
    /** Samples kept for the period and the neighbours, and distances kept for the calibration. */
    public static final int HISTORY = 8640;
    /** Conformal tail probability at or below which the seasonal member alarms. */
    public static final double ALARM_TAIL = 0.005;

    private NabComplement() {
    }

    /** The seasonal member alone. */
    public static SeasonalKnnDetector seasonal(String name) {
        return new SeasonalKnnDetector(name, HISTORY, 4, 288, 0.5, 24, HISTORY, ALARM_TAIL, 288);
    }

    /** The seasonal member's alarm level (its fixed threshold): {@link SeasonalKnnDetector#alarmScore()}. */
    public static double seasonalAlarmScore() {
        return SeasonalKnnDetector.alarmScore(ALARM_TAIL, HISTORY);
    }

    /**
     * The contextual detector (given, unchanged, with its alarm level 0.75; {@code nexus-nab-r2} in the catalogue) OR the seasonal member: the fused score is at
     * least {@link AlarmUnionDetector#ALARM_LEVEL} exactly when one of them alarmed.
     */
    public static Detector union(String name, Supplier<Detector> nexusNab) {
        return new AlarmUnionDetector(name, List.of(
                new AlarmUnionDetector.Member(nexusNab.get(), AlarmUnionDetector.ALARM_LEVEL),
                new AlarmUnionDetector.Member(seasonal(name + "-seasonal"), seasonalAlarmScore())));
    }
}
