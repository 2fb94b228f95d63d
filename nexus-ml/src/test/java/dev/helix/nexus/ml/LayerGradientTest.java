package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.ml.layers.Activation;
import dev.helix.nexus.ml.layers.BatchNorm;
import dev.helix.nexus.ml.layers.Conv1d;
import dev.helix.nexus.ml.layers.Dense;
import dev.helix.nexus.ml.layers.Lstm;
import dev.helix.nexus.ml.layers.MultiHeadAttention;
import dev.helix.nexus.ml.layers.Sequential;
import dev.helix.nexus.ml.loss.BinaryCrossEntropyWithLogitsLoss;
import dev.helix.nexus.ml.loss.CrossEntropyLoss;
import dev.helix.nexus.ml.loss.HuberLoss;
import dev.helix.nexus.ml.loss.MseLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Finite-difference gradient checks for every layer and loss. */
class LayerGradientTest {

    @Test
    void dense() {
        assertThat(GradCheck.check(new Dense(5, 3, 1), Tensor.random(2, 4, 5), true, 3)).isGreaterThan(30);
    }

    @Test
    void denseOnRank3Input() {
        GradCheck.check(new Dense(4, 2, 1), Tensor.random(2, 2, 3, 4), true, 3);
    }

    @ParameterizedTest
    @EnumSource(Activation.Kind.class)
    void activations(Activation.Kind kind) {
        // keep inputs away from the ReLU-family kink at 0 where the derivative is undefined
        Tensor x = Tensor.random(7, 3, 8).map(v -> Math.abs(v) < 0.05 ? v + 0.2 : v).mul(2f);
        GradCheck.check(new Activation(kind), x, true, 4);
    }

    @Test
    void lstmSequenceOutput() {
        GradCheck.check(new Lstm(3, 4, true, 11), Tensor.random(12, 2, 5, 3), true, 13);
    }

    @Test
    void lstmLastStateOutput() {
        GradCheck.check(new Lstm(3, 4, false, 21), Tensor.random(22, 2, 6, 3), true, 23);
    }

    @Test
    void stackedLstm() {
        Sequential net = new Sequential(new Lstm(2, 4, true, 31), new Lstm(4, 3, false, 32), new Dense(3, 2, 33));
        int n = GradCheck.check(net, Tensor.random(34, 3, 5, 2), true, 35);
        assertThat(n).isGreaterThan(100);
    }

    @Test
    void conv1dWithStridePaddingDilation() {
        GradCheck.check(new Conv1d(2, 3, 3, 2, 1, 2, 41), Tensor.random(42, 2, 2, 11), true, 43);
    }

    @Test
    void conv1dPlain() {
        GradCheck.check(new Conv1d(3, 2, 2, 1, 0, 1, 44), Tensor.random(45, 2, 3, 6), true, 46);
    }

    @Test
    void attentionMultiHead() {
        GradCheck.check(new MultiHeadAttention(6, 2, false, 51), Tensor.random(52, 2, 4, 6), true, 53);
    }

    @Test
    void attentionCausal() {
        GradCheck.check(new MultiHeadAttention(4, 2, true, 54), Tensor.random(55, 2, 5, 4), true, 56);
    }

    @Test
    void batchNormTraining2d() {
        BatchNorm bn = new BatchNorm(3);
        bn.parameters().get(0).value().addInPlace(Tensor.of(new double[] {0.5, -0.3, 0.2}, 3));
        GradCheck.check(bn, Tensor.random(61, 5, 3).mul(2f), true, 62);
    }

    @Test
    void batchNormTraining3d() {
        GradCheck.check(new BatchNorm(2), Tensor.random(63, 3, 2, 4), true, 64);
    }

    @Test
    void batchNormEval() {
        BatchNorm bn = new BatchNorm(2);
        bn.forward(Tensor.random(65, 8, 2).add(3f), true);
        GradCheck.check(bn, Tensor.random(66, 4, 2), false, 67);
    }

    @Test
    void lossesGradients() {
        Tensor p = Tensor.random(71, 4, 3).mul(2f);
        Tensor y = Tensor.random(72, 4, 3);
        GradCheck.checkLoss(new MseLoss(), p, y);
        GradCheck.checkLoss(new HuberLoss(0.5), p, y);
        GradCheck.checkLoss(new CrossEntropyLoss(), p, Tensor.of(new double[] {0, 2, 1, 2}, 4));
        GradCheck.checkLoss(new BinaryCrossEntropyWithLogitsLoss(), p, Tensor.of(new double[] {1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0}, 4, 3));
    }

    @Test
    void shapeMismatchMessagesNameBothShapes() {
        assertThatThrownBy(() -> new Dense(4, 2, 1).forward(Tensor.zeros(3, 5), true))
                .isInstanceOf(ShapeMismatchException.class).hasMessageContaining("[3, 5]").hasMessageContaining("[4, 2]");
        assertThatThrownBy(() -> new Lstm(3, 2, true, 1).forward(Tensor.zeros(2, 4, 5), true))
                .hasMessageContaining("[2, 4, 5]");
        assertThatThrownBy(() -> new MseLoss().compute(Tensor.zeros(2, 3), Tensor.zeros(3, 2)))
                .hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
        assertThatThrownBy(() -> new Dense(2, 2, 1).backward(Tensor.zeros(1, 2)))
                .isInstanceOf(IllegalStateException.class);
    }
}
