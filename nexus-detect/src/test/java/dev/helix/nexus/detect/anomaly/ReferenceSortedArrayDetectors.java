package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.SortedWindow;

/**
 * The IQR and robust z-score detectors as they were before the counted B+-tree ({@code OrderStatisticWindow}):
 * the same rules over the sorted-array {@link SortedWindow} (O(w) shift per sample, O(w) MAD merge). Test oracles
 * for {@link SortedWindowEquivalenceProperties}; not used in production.
 */
final class ReferenceSortedArrayDetectors {
    private ReferenceSortedArrayDetectors() {
    }

    /** A detector under test and its reference, fed the same samples. */
    interface Scored {
        double update(double x);

        boolean isAnomalous();

        boolean isWarmingUp();
    }

    /** The shared protocol of the old {@code SortedWindowDetector}. */
    abstract static class Base implements Scored {
        final SortedWindow win;
        final double k;
        private final int minSamples;
        boolean anomalous;

        Base(int window, double k, int minSamples) {
            this.win = new SortedWindow(window);
            this.k = k;
            this.minSamples = minSamples;
        }

        abstract double score(double x);

        @Override
        public double update(double x) {
            anomalous = false;
            if (!Double.isFinite(x)) {
                return 0.0;
            }
            double score = win.size() >= minSamples ? score(x) : 0.0;
            win.add(x);
            return score;
        }

        @Override
        public boolean isAnomalous() {
            return anomalous;
        }

        @Override
        public boolean isWarmingUp() {
            return win.size() < minSamples;
        }
    }

    /** The old {@code IqrDetector.score}. */
    static final class Iqr extends Base {
        Iqr(int window, double k, int minSamples) {
            super(window, k, minSamples);
        }

        @Override
        double score(double x) {
            double q1 = win.quantile(0.25);
            double q3 = win.quantile(0.75);
            double iqr = q3 - q1;
            if (!(iqr >= 1e-12 * Math.max(1.0, Math.max(Math.abs(q1), Math.abs(q3))))) {
                iqr = Math.max(iqr, 1e-12 * Math.max(1.0, Math.abs(win.median())));
            }
            double d = x > q3 ? (x - q3) / iqr : (x < q1 ? (q1 - x) / iqr : 0.0);
            if (d > 1e12) {
                d = 1e12;
            }
            anomalous = d > k;
            return d / (d + k);
        }
    }

    /** The old {@code RobustZScoreDetector.score}. */
    static final class RobustZ extends Base {
        RobustZ(int window, double k, int minSamples) {
            super(window, k, minSamples);
        }

        @Override
        double score(double x) {
            double med = win.median();
            double scale = 1.4826 * win.mad(med);
            if (!(scale > 0)) {
                double s = 0;
                for (int i = 0; i < win.size(); i++) {
                    s += Math.abs(win.get(i) - med);
                }
                scale = 1.2533 * s / win.size();
            }
            scale = Math.max(scale, 1e-12 * Math.max(1.0, Math.abs(med)));
            double z = (x - med) / scale;
            anomalous = Math.abs(z) >= k;
            return RollingZScoreDetector.ratio(z, k);
        }
    }
}
