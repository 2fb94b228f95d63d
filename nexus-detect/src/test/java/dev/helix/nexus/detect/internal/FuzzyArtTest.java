package dev.helix.nexus.detect.internal;

import dev.helix.nexus.detect.internal.FuzzyArt.Activation;
import dev.helix.nexus.detect.internal.FuzzyArt.Outcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Fuzzy ART as defined by Carpenter, Grossberg &amp; Rosen (1991), plus the dual-vigilance outcomes. */
class FuzzyArtTest {

    private static final double EPS = 1e-12;

    private static FuzzyArt carpenter(int dim, double beta) {
        return new FuzzyArt(dim, Activation.CARPENTER, 0.001, beta, 0);
    }

    @Test
    void firstInputIsCommittedAsItsComplementCode() {
        FuzzyArt art = carpenter(2, 1.0);
        FuzzyArt.Result r = art.learn(new double[] {0.2, 0.7});
        assertThat(r.outcome()).isEqualTo(Outcome.NEW_CLUSTER);
        assertThat(r.similarity()).as("no category existed").isZero();
        assertThat(art.weight(0)).containsExactly(new double[] {0.2, 0.7, 0.8, 0.3}, within(EPS));
        assertThat(art.categories()).isEqualTo(1);
        assertThat(art.clusters()).isEqualTo(1);
    }

    @Test
    void resonanceLearnsTheFuzzyAndSoTheBoxGrowsToCoverBothInputs() {
        FuzzyArt art = carpenter(2, 1.0);
        art.setVigilance(0.75, 0.75);
        art.learn(new double[] {0.2, 0.8});
        // |I ∧ w| / |I| = (0.2 + 0.6 + 0.6 + 0.2) / 2 = 0.8 passes ρ = 0.75
        FuzzyArt.Result r = art.learn(new double[] {0.4, 0.6});
        assertThat(r.outcome()).isEqualTo(Outcome.RESONANCE);
        assertThat(r.category()).isZero();
        assertThat(r.similarity()).isCloseTo(0.8, within(EPS));
        // lower corner (0.2, 0.6), upper corner 1 - (0.6, 0.2) = (0.4, 0.8)
        assertThat(art.weight(0)).containsExactly(new double[] {0.2, 0.6, 0.6, 0.2}, within(EPS));
        assertThat(art.categories()).isEqualTo(1);
    }

    @Test
    void anInputInsideTheBoxMatchesOnlyAsMuchAsTheBoxIsSmallAndLeavesItUnchanged() {
        FuzzyArt art = carpenter(1, 1.0);
        art.setVigilance(0, 0);
        art.learn(new double[] {0.2});
        art.learn(new double[] {0.8}); // box [0.2, 0.8]: w = (0.2, 0.2)
        FuzzyArt.Result r = art.learn(new double[] {0.5});
        assertThat(r.outcome()).isEqualTo(Outcome.RESONANCE);
        assertThat(r.similarity()).as("|w| / |I| = 0.4").isCloseTo(0.4, within(EPS));
        assertThat(art.weight(0)).containsExactly(new double[] {0.2, 0.2}, within(EPS));
    }

    @Test
    void searchResetsTheBestChoiceWhenItFailsVigilanceAndResonatesWithTheNext() {
        FuzzyArt art = carpenter(1, 1.0);
        art.setVigilance(0, 0);
        art.learn(new double[] {0.2});
        art.learn(new double[] {0.8}); // category 0: box [0.2, 0.8], |w| = 0.4
        art.setVigilance(1, 1);
        assertThat(art.learn(new double[] {0.45}).outcome()).isEqualTo(Outcome.NEW_CLUSTER); // category 1: point
        // input 0.5: T0 = 0.4 / 0.401 (the box contains it) beats T1 = 0.95 / 1.001, but M0 = 0.4 fails ρ = 0.9
        art.setVigilance(0.9, 0.9);
        FuzzyArt.Result r = art.learn(new double[] {0.5});
        assertThat(r.outcome()).isEqualTo(Outcome.RESONANCE);
        assertThat(r.category()).isEqualTo(1);
        assertThat(r.similarity()).isCloseTo(0.95, within(EPS));
        assertThat(art.weight(1)).containsExactly(new double[] {0.45, 0.5}, within(EPS));
        assertThat(art.weight(0)).as("the reset category did not learn").containsExactly(new double[] {0.2, 0.2},
                within(EPS));
    }

    @Test
    void choiceFunctionPrefersTheSmallestBoxContainingTheInput() {
        FuzzyArt art = carpenter(1, 1.0);
        art.setVigilance(0, 0);
        art.learn(new double[] {0.1});
        art.learn(new double[] {0.9}); // category 0: box [0.1, 0.9], |w| = 0.2
        art.setVigilance(1, 1);
        art.learn(new double[] {0.4}); // category 1: the point 0.4
        art.setVigilance(0.5, 0.5);
        // 0.6 chooses category 0 first (T = 0.2 / 0.201) but its match 0.2 fails; category 1 (M = 0.8) learns it
        assertThat(art.learn(new double[] {0.6}).category()).isEqualTo(1); // category 1: box [0.4, 0.6]
        art.setVigilance(0, 0);
        // both boxes contain 0.5, so I ∧ w = w and T = |w| / (α + |w|): the larger |w|, i.e. the smaller box, wins
        FuzzyArt.Result r = art.learn(new double[] {0.5});
        assertThat(r.outcome()).isEqualTo(Outcome.RESONANCE);
        assertThat(r.category()).isEqualTo(1);
        assertThat(art.weight(1)).containsExactly(new double[] {0.4, 0.4}, within(EPS));
    }

    @Test
    void slowLearningMovesTheWeightPartWayToTheFuzzyAnd() {
        FuzzyArt art = carpenter(1, 0.5);
        art.setVigilance(0, 0);
        art.learn(new double[] {0.6}); // w = (0.6, 0.4)
        art.learn(new double[] {0.2}); // I ∧ w = (0.2, 0.4); w ← 0.5 (0.2, 0.4) + 0.5 (0.6, 0.4)
        assertThat(art.weight(0)).containsExactly(new double[] {0.4, 0.4}, within(EPS));
    }

    @Test
    void dualVigilanceSeparatesNewCategoryInAClusterFromANewCluster() {
        FuzzyArt art = carpenter(2, 1.0);
        art.setVigilance(0.5, 0.9);
        art.learn(new double[] {0.2, 0.8});
        FuzzyArt.Result near = art.learn(new double[] {0.4, 0.6}); // M = 0.8: passes only the lower vigilance
        assertThat(near.outcome()).isEqualTo(Outcome.NEW_CATEGORY);
        assertThat(near.cluster()).isZero();
        FuzzyArt.Result far = art.learn(new double[] {1.0, 0.0}); // M = 0.2 and 0.4: fails both
        assertThat(far.outcome()).isEqualTo(Outcome.NEW_CLUSTER);
        assertThat(far.cluster()).isEqualTo(1);
        assertThat(art.categories()).isEqualTo(3);
        assertThat(art.clusters()).isEqualTo(2);
        assertThat(art.weight(1)).as("committed as the input itself").containsExactly(
                new double[] {0.4, 0.6, 0.6, 0.4}, within(EPS));
    }

    @Test
    void focusedSubsethoodPenalisesAKnownShapeAtAnUnknownFocusLevel() {
        FuzzyArt art = new FuzzyArt(2, Activation.SUBSET_WITH_FOCUS, 0.001, 1.0, 1);
        art.setVigilance(0.5, 0.5);
        art.learn(new double[] {0.5, 0.2}); // w = (0.5, 0.2, 0.5, 0.8), |w| = 2
        // I = (0.5, 0.9, 0.5, 0.1): |I ∧ w| = 1.3, subsethood 0.65; focus (0.2 + 0.1) / (0.2 + 0.8) = 0.3
        double s = art.similarity(new double[] {0.5, 0.9});
        assertThat(s).isCloseTo(Math.pow(0.65, 3) * 0.3 * 0.3, within(EPS));
        assertThat(art.similarity(new double[] {0.5, 0.2})).as("the learned input itself").isCloseTo(1.0,
                within(EPS));
        FuzzyArt.Result r = art.learn(new double[] {0.5, 0.9});
        assertThat(r.outcome()).isEqualTo(Outcome.NEW_CLUSTER);
        assertThat(r.focus()).isCloseTo(0.3, within(EPS));
    }

    @Test
    void rejectsInputsOutsideTheUnitCubeAndBadSettingsNamingTheProblem() {
        FuzzyArt art = carpenter(2, 1.0);
        assertThatThrownBy(() -> art.learn(new double[] {0.5, 1.5})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("component 1").hasMessageContaining("1.5");
        assertThatThrownBy(() -> art.learn(new double[] {Double.NaN, 0.5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("component 0");
        assertThatThrownBy(() -> art.learn(new double[] {0.5})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 2");
        assertThatThrownBy(() -> art.setVigilance(0.9, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower=0.9");
        assertThatThrownBy(() -> new FuzzyArt(0, Activation.CARPENTER, 0.001, 1, 0))
                .hasMessageContaining("dim");
        assertThatThrownBy(() -> new FuzzyArt(2, Activation.CARPENTER, 0, 1, 0)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new FuzzyArt(2, Activation.CARPENTER, 0.001, 0, 0)).hasMessageContaining("beta");
        assertThatThrownBy(() -> new FuzzyArt(2, Activation.SUBSET_WITH_FOCUS, 0.001, 1, 2))
                .hasMessageContaining("focusIndex");
        assertThatThrownBy(() -> art.weight(5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void clearForgetsCategoriesButKeepsVigilance() {
        FuzzyArt art = carpenter(1, 1.0);
        art.setVigilance(0.3, 0.6);
        art.learn(new double[] {0.1});
        art.learn(new double[] {0.9});
        art.clear();
        assertThat(art.categories()).isZero();
        assertThat(art.clusters()).isZero();
        assertThat(art.lowerVigilance()).isEqualTo(0.3);
        assertThat(art.upperVigilance()).isEqualTo(0.6);
        assertThat(art.learn(new double[] {0.5}).outcome()).isEqualTo(Outcome.NEW_CLUSTER);
    }
}
