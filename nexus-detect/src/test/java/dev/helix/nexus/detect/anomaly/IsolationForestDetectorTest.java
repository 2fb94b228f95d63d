package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.detect.internal.IsolationForest;
import dev.helix.nexus.detect.internal.Stats;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class IsolationForestDetectorTest {

    @Test
    void averagePathLengthMatchesThePaper() {
        assertThat(Stats.averagePathLength(1)).isZero();
        assertThat(Stats.averagePathLength(2)).isEqualTo(1.0);
        // c(256) = 2(ln 255 + 0.5772) - 2*255/256 = 10.2448
        assertThat(Stats.averagePathLength(256)).isCloseTo(10.2448, within(1e-3));
    }

    @Test
    void isolatedPointScoresHighClusterPointsNearHalfOrBelow() {
        Random r = new Random(1);
        int n = 1000;
        double[] data = new double[n * 2];
        for (int i = 0; i < n * 2; i++) {
            data[i] = r.nextGaussian();
        }
        IsolationForest f = new IsolationForest(2, 100, 256, n, 42);
        f.fit(data, n);
        double inlier = f.score(new double[] {0, 0}, 0);
        double outlier = f.score(new double[] {8, -8}, 0);
        assertThat(outlier).isGreaterThan(0.65);
        assertThat(inlier).isLessThan(0.5);
    }

    @Test
    void multivariateDetectorFlagsCorrelationBreakOnlyInJointSpace() {
        IsolationForestDetector d = new IsolationForestDetector(IsolationForestDetector.Config.defaults(2));
        Random r = new Random(2);
        for (int i = 0; i < 3000; i++) {
            double x = r.nextGaussian();
            d.update(new double[] {x, x + 0.05 * r.nextGaussian()});
        }
        double normal = d.update(new double[] {1.5, 1.5});
        double broken = d.update(new double[] {1.5, -1.5});
        assertThat(broken).isGreaterThan(normal);
        assertThat(d.isAnomalous()).isTrue();
    }

    @Test
    void seededRunsAreIdenticalAndSeedsDiffer() {
        double[] a = run(42);
        double[] b = run(42);
        double[] c = run(43);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    private static double[] run(long seed) {
        IsolationForestDetector d = new IsolationForestDetector(new IsolationForestDetector.Config(1, 4, 50, 128,
                512, 128, 0.6, false, seed));
        Random r = new Random(0);
        double[] out = new double[2000];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.update(Math.sin(i / 20.0) + 0.1 * r.nextGaussian());
        }
        return out;
    }

    @Test
    void constantTrainingDataGivesFiniteScores() {
        IsolationForestDetector d = new IsolationForestDetector(IsolationForestDetector.Config.defaults(3));
        double[][] train = new double[500][];
        for (int i = 0; i < train.length; i++) {
            train[i] = new double[] {1, 1, 1};
        }
        d.fit(train);
        double s = d.update(new double[] {1, 1, 1});
        assertThat(s).isBetween(0.0, 1.0);
        assertThat(d.update(new double[] {1, Double.NaN, 1})).isZero();
    }

    @Test
    void pcaSeparatesCorrelationBreaks() {
        Random r = new Random(3);
        double[][] train = new double[2000][];
        for (int i = 0; i < train.length; i++) {
            double x = r.nextGaussian();
            train[i] = new double[] {x, 2 * x + 0.01 * r.nextGaussian(), r.nextGaussian()};
        }
        PcaDetector p = new PcaDetector(3);
        p.fit(train);
        assertThat(p.components()).isBetween(1, 3);
        double ok = p.update(new double[] {1, 2, 0});
        assertThat(p.isAnomalous()).isFalse();
        double bad = p.update(new double[] {1, -2, 0});
        assertThat(p.isAnomalous()).isTrue();
        assertThat(bad).isGreaterThan(ok).isLessThan(1.0);
    }
}
