package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The cached fit of {@link ScoreTail} (kept when an added score is bitwise the evicted one; shape and scale computed
 * only for a score beyond the threshold) gives bit for bit the tail probabilities of a tail freshly built from the
 * same held scores, whatever the order of the questions.
 */
class ScoreTailCacheTest {

    private static final double[] POOL = {0.0, 0.0, 0.0, 1.0, 1.0, 2.5, 1e-3};

    @Property(tries = 150)
    void cachedAnswersAreThoseOfAFreshTailOverTheSameScores(
            @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 20) Integer> picks,
            @ForAll @IntRange(min = 12, max = 60) int capacity, @ForAll long seed) {
        Random r = new Random(seed);
        ScoreTail cached = new ScoreTail(capacity, 5, 0.05, 1.0);
        ArrayDeque<Double> held = new ArrayDeque<>();
        for (int pick : picks) {
            // mostly repeated values (a series whose deviation stays 0 or steps between a few levels), else a
            // heavy-tailed random score
            double s = pick < 2 * POOL.length ? POOL[pick % POOL.length] : Math.exp(3 * r.nextGaussian());
            cached.add(s);
            held.addLast(s);
            if (held.size() > capacity) {
                held.removeFirst();
            }
            ScoreTail fresh = new ScoreTail(capacity, 5, 0.05, 1.0);
            held.forEach(fresh::add);
            double max = held.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            // low probes first on the cached tail (threshold only), then beyond the largest score (the GPD part);
            // the fresh tail is asked in the opposite order
            double[] probes = {0.0, 1.0, s, max * 1.5 + 1, max * 10 + 5};
            double[] got = new double[probes.length];
            for (int i = 0; i < probes.length; i++) {
                got[i] = cached.tailProbability(probes[i]);
            }
            for (int i = probes.length - 1; i >= 0; i--) {
                assertThat(Double.doubleToRawLongBits(got[i]))
                        .as("p(%s) with %d held", probes[i], held.size())
                        .isEqualTo(Double.doubleToRawLongBits(fresh.tailProbability(probes[i])));
            }
        }
    }

    @Test
    void aScoreBeyondTheThresholdUsesTheFittedTailAfterARunOfUnchangingScores() {
        ScoreTail t = new ScoreTail(100, 10, 0.02, 1.0);
        Random r = new Random(7);
        for (int i = 0; i < 100; i++) {
            t.add(Math.abs(r.nextGaussian()));
        }
        double beyond = t.tailProbability(10.0);
        for (int i = 0; i < 250; i++) {
            t.add(0.0); // evicts the random scores, then 0 replaces 0: no change from the 101st zero on
        }
        assertThat(t.tailProbability(0.0)).isEqualTo(1.0); // every held score is >= 0
        assertThat(t.tailProbability(10.0)).isEqualTo(1.0 / 101); // all zeros: no spread, conformal floor
        assertThat(beyond).isLessThan(1.0 / 101); // with spread, the fitted tail goes below the conformal floor
    }
}
