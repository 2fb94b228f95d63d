package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.ml.loss.BinaryCrossEntropyWithLogitsLoss;
import dev.helix.nexus.ml.loss.CrossEntropyLoss;
import dev.helix.nexus.ml.loss.HuberLoss;
import dev.helix.nexus.ml.loss.LossResult;
import dev.helix.nexus.ml.loss.MseLoss;
import org.junit.jupiter.api.Test;

/** Hand-computed loss values and gradients. */
class LossTest {
    @Test
    void mse() {
        LossResult r = new MseLoss().compute(Tensor.of(new double[] {1, 2}, 2), Tensor.of(new double[] {0, 0}, 2));
        assertThat(r.value()).isCloseTo(2.5, within(1e-9)); // (1 + 4) / 2
        assertThat(r.gradient().data()).containsExactly(1f, 2f); // 2 d / n
    }

    @Test
    void huber() {
        LossResult r = new HuberLoss(1.0).compute(Tensor.of(new double[] {0.5, 3}, 2), Tensor.zeros(2));
        // 0.5*0.25 = 0.125 ; 1*(3 - 0.5) = 2.5 ; mean = 1.3125
        assertThat(r.value()).isCloseTo(1.3125, within(1e-9));
        assertThat(r.gradient().data()).containsExactly(0.25f, 0.5f);
        assertThatThrownBy(() -> new HuberLoss(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void crossEntropy() {
        Tensor logits = Tensor.of(new double[] {0, 0, 1000, 0}, 2, 2);
        LossResult r = new CrossEntropyLoss().compute(logits, Tensor.of(new double[] {1, 0}, 2));
        // row 0: ln 2 ; row 1: ~0 (stable for huge logits)
        assertThat(r.value()).isCloseTo(Math.log(2) / 2, within(1e-6));
        assertThat(r.gradient().data()).containsExactly(0.25f, -0.25f, 0f, 0f);
        assertThatThrownBy(() -> new CrossEntropyLoss().compute(logits, Tensor.of(new double[] {2, 0}, 2)))
                .hasMessageContaining("class index");
        assertThatThrownBy(() -> new CrossEntropyLoss().compute(logits, Tensor.zeros(3)))
                .isInstanceOf(ShapeMismatchException.class).hasMessageContaining("[2, 2]").hasMessageContaining("[3]");
    }

    @Test
    void binaryCrossEntropyWithLogits() {
        LossResult r = new BinaryCrossEntropyWithLogitsLoss()
                .compute(Tensor.of(new double[] {0, 200, -200}, 3), Tensor.of(new double[] {1, 1, 1}, 3));
        // ln2 + 0 + 200, all finite
        assertThat(r.value()).isCloseTo((Math.log(2) + 200) / 3, within(1e-4));
        assertThat(r.gradient().data()[0]).isCloseTo(-0.5f / 3, within(1e-7f));
        assertThat(r.gradient().data()[2]).isCloseTo(-1f / 3, within(1e-7f));
    }
}
