package dev.helix.nexus.bench.detect;

import dev.helix.nexus.detect.anomaly.PcaPotDetector;
import dev.helix.nexus.detect.eval.SmdEvaluation.MachineResult;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SmdHeldOutRunTest {

    /** A result whose fixed F1 is {@code f1} and best-F1 is {@code best}; the other fields do not matter here. */
    private static MachineResult r(String m, double f1, double best) {
        return new MachineResult(m, 10, 1, 0, 0, f1, 0, best, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void eachFoldPicksTheVariantBestOnTheOtherMachinesAndScoresTheHeldOutOne() {
        // variant 0 is great on machine a only; variant 1 is good on b and c
        MachineResult[][] cells = {
                {r("a", 0.9, 0.9), r("b", 0.1, 0.2), r("c", 0.1, 0.2)},
                {r("a", 0.2, 0.3), r("b", 0.6, 0.7), r("c", 0.5, 0.6)}};
        List<SmdHeldOutRun.Fold> folds = SmdHeldOutRun.leaveOneOut(cells, MachineResult::f1);
        // holding out a: b and c decide (1 wins), so a is scored with the variant that is bad on it
        assertThat(folds.get(0).picked()).isEqualTo(1);
        assertThat(folds.get(0).innerMean()).isCloseTo(0.55, within(1e-12));
        assertThat(folds.get(0).result().f1()).isEqualTo(0.2);
        // holding out b: a and c give 0 → 0.5, 1 → 0.35
        assertThat(folds.get(1).picked()).isZero();
        assertThat(folds.get(1).result().machine()).isEqualTo("b");
        // holding out c: a and b give 0 → 0.5, 1 → 0.4
        assertThat(folds.get(2).picked()).isZero();
        assertThat(SmdHeldOutRun.heldOutMean(folds, MachineResult::f1)).isCloseTo((0.2 + 0.1 + 0.1) / 3,
                within(1e-12));
        assertThat(SmdHeldOutRun.heldOutMean(folds, MachineResult::bestF1)).isCloseTo((0.3 + 0.2 + 0.2) / 3,
                within(1e-12));
    }

    @Test
    void tiesGoToTheEarlierGridRow() {
        MachineResult[][] cells = {
                {r("a", 0.4, 0), r("b", 0.4, 0)},
                {r("a", 0.4, 0), r("b", 0.4, 0)}};
        assertThat(SmdHeldOutRun.leaveOneOut(cells, MachineResult::f1)).extracting(SmdHeldOutRun.Fold::picked)
                .containsExactly(0, 0);
    }

    @Test
    void tooFewMachinesOrRaggedGridsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> SmdHeldOutRun.leaveOneOut(new MachineResult[][] {{r("a", 0, 0)}},
                MachineResult::f1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 machines");
        assertThatThrownBy(() -> SmdHeldOutRun.leaveOneOut(new MachineResult[][] {
                {r("a", 0, 0), r("b", 0, 0)}, {r("a", 0, 0)}}, MachineResult::f1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("variant 1");
    }

    @Test
    void gridIsTheSixteenRowsOfTheSensitivityTableWithTheDefaultFirst() {
        assertThat(SmdHeldOutRun.GRID).hasSize(16).doesNotHaveDuplicates();
        assertThat(SmdHeldOutRun.GRID.get(0).config(38)).isEqualTo(PcaPotDetector.Config.defaults(38));
        assertThat(SmdHeldOutRun.GRID.get(7).label()).isEqualTo("var=0.90 W=5 D=none folds=5 level=0.98 q=1e-2");
        assertThat(SmdHeldOutRun.GRID.get(1).label()).endsWith("q=5e-3");
    }
}
