package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.ml.layers.BatchNorm;
import dev.helix.nexus.ml.layers.Conv1d;
import dev.helix.nexus.ml.layers.Dense;
import dev.helix.nexus.ml.layers.Dropout;
import dev.helix.nexus.ml.layers.Lstm;
import dev.helix.nexus.ml.layers.MultiHeadAttention;
import dev.helix.nexus.ml.layers.Sequential;
import org.junit.jupiter.api.Test;

/** Known-answer and mode behaviour of layers (beyond gradient correctness). */
class LayerBehaviourTest {

    @Test
    void dropoutTrainingMasksAndScalesEvalIsIdentity() {
        Dropout d = new Dropout(0.25f, 7);
        Tensor x = Tensor.ones(10000);
        Tensor y1 = d.forward(x, true);
        long zeros = 0;
        for (float v : y1.data()) {
            assertThat(v == 0f || Math.abs(v - 1f / 0.75f) < 1e-6).isTrue();
            if (v == 0f) {
                zeros++;
            }
        }
        assertThat(zeros / 10000.0).isCloseTo(0.25, within(0.02));
        assertThat(y1.mean()).isCloseTo(1f, within(0.03f)); // inverted scaling keeps the expectation
        Tensor g = d.backward(Tensor.ones(10000));
        assertThat(g.data()).containsExactly(y1.data()); // gradient uses the same mask
        Tensor y2 = d.forward(x, true);
        assertThat(y2.data()).isNotEqualTo(y1.data()); // fresh mask per call
        assertThat(d.forward(x, false).data()).containsExactly(x.data());
        // same seed, same masks
        assertThat(new Dropout(0.25f, 7).forward(x, true).data()).containsExactly(y1.data());
        assertThatThrownBy(() -> new Dropout(1f, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchNormUsesBatchStatsInTrainingAndRunningStatsInEval() {
        BatchNorm bn = new BatchNorm(1, 1e-5f, 0.5f);
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 4, 1);
        Tensor y = bn.forward(x, true);
        assertThat(y.mean()).isCloseTo(0f, within(1e-6f));
        assertThat(y.variance(0, false).item()).isCloseTo(1f, within(1e-4f));
        // running mean = 0.5*0 + 0.5*2.5 ; running var = 0.5*1 + 0.5*(5/3) (unbiased 1.25*4/3)
        assertThat(bn.runningMean().item()).isCloseTo(1.25f, within(1e-6f));
        assertThat(bn.runningVar().item()).isCloseTo(0.5f + 0.5f * 5f / 3f, within(1e-5f));
        Tensor e = bn.forward(Tensor.of(new double[] {1.25}, 1, 1), false);
        assertThat(e.item()).isCloseTo(0f, within(1e-6f));
        Sequential s = new Sequential(bn);
        s.eval().forward(x);
        assertThat(bn.runningMean().item()).isCloseTo(1.25f, within(1e-6f)); // eval does not update
        s.train().forward(x);
        assertThat(bn.runningMean().item()).isCloseTo(1.875f, within(1e-6f));
    }

    @Test
    void conv1dKnownAnswerAndOutputLength() {
        Conv1d c = new Conv1d(1, 1, 2, 1, 0, 1, 1);
        c.parameters().get(0).value().data()[0] = 1;
        c.parameters().get(0).value().data()[1] = -1;
        c.parameters().get(1).value().data()[0] = 0.5f;
        Tensor y = c.forward(Tensor.of(new double[] {1, 4, 9, 16}, 1, 1, 4), false);
        assertThat(y.data()).containsExactly(-2.5f, -4.5f, -6.5f);
        Conv1d d = new Conv1d(2, 3, 3, 2, 1, 2, 1);
        assertThat(d.outputLength(11)).isEqualTo((11 + 2 - 4 - 1) / 2 + 1);
        assertThat(d.forward(Tensor.zeros(2, 2, 11), false).shape()).containsExactly(2, 3, 5);
    }

    @Test
    void causalAttentionIgnoresTheFuture() {
        MultiHeadAttention a = new MultiHeadAttention(4, 2, true, 3);
        Tensor x = Tensor.random(1, 1, 5, 4);
        Tensor y = a.forward(x, false);
        Tensor x2 = x.copy();
        for (int j = 0; j < 4; j++) {
            x2.set(9f, 0, 4, j); // change only the last time step
        }
        Tensor y2 = a.forward(x2, false);
        assertThat(y2.slice(1, 0, 4).allClose(y.slice(1, 0, 4), 1e-6f)).isTrue();
        assertThat(y2.slice(1, 4, 5).allClose(y.slice(1, 4, 5), 1e-3f)).isFalse();
        // non-causal: early positions do see the change
        MultiHeadAttention nc = new MultiHeadAttention(4, 2, false, 3);
        assertThat(nc.forward(x2, false).slice(1, 0, 1).allClose(nc.forward(x, false).slice(1, 0, 1), 1e-4f)).isFalse();
        assertThatThrownBy(() -> new MultiHeadAttention(5, 2, false, 1)).hasMessageContaining("multiple");
    }

    @Test
    void lstmShapesAndLastStateEqualsLastSequenceElement() {
        Lstm seq = new Lstm(3, 4, true, 9);
        Lstm last = new Lstm(3, 4, false, 9);
        Tensor x = Tensor.random(2, 2, 6, 3);
        Tensor ys = seq.forward(x, false);
        Tensor yl = last.forward(x, false);
        assertThat(ys.shape()).containsExactly(2, 6, 4);
        assertThat(yl.shape()).containsExactly(2, 4);
        assertThat(ys.slice(1, 5, 6).reshape(2, 4).allClose(yl, 1e-7f)).isTrue();
        assertThat(yl.normInf()).isLessThan(1f); // |h| = |o * tanh(c)| < 1
    }

    @Test
    void sequentialRegistryAndZeroGrad() {
        Sequential s = new Sequential(new Dense(2, 3, 1), new Sequential(new Dense(3, 1, 2)), new BatchNorm(1));
        assertThat(s.namedParameters().keySet()).containsExactly("0.weight", "0.bias", "1.0.weight", "1.0.bias",
                "2.gamma", "2.beta");
        assertThat(s.buffers().keySet()).containsExactly("2.running_mean", "2.running_var");
        assertThat(s.parameters()).hasSize(6);
        s.forward(Tensor.random(1, 4, 2));
        s.backward(Tensor.random(3, 4, 1)); // (all-ones would give exactly zero through BatchNorm)
        assertThat(s.parameters().get(0).grad().norm2()).isGreaterThan(0f);
        s.zeroGrad();
        for (var p : s.parameters()) {
            assertThat(p.grad().norm2()).isZero();
        }
        assertThat(s.isTraining()).isTrue();
        assertThat(s.eval().isTraining()).isFalse();
    }

    @Test
    void lstmAndAttentionAgreeAcrossBackends() {
        Tensor x = Tensor.random(3, 7, 9, 5);
        Tensor g = Tensor.random(4, 7, 9, 6);
        ComputeBackend before = ComputeBackend.getDefault();
        Tensor[] out = new Tensor[4];
        try {
            int i = 0;
            for (ComputeBackend be : ComputeBackend.values()) {
                ComputeBackend.setDefault(be);
                assertThat(ComputeBackend.getDefault()).isEqualTo(be);
                Lstm l = new Lstm(5, 6, true, 8);
                out[i++] = l.forward(x, true);
                out[i++] = l.backward(g);
            }
        } finally {
            ComputeBackend.setDefault(before);
        }
        assertThat(out[0].allClose(out[2], 1e-5f)).isTrue();
        assertThat(out[1].allClose(out[3], 1e-5f)).isTrue();
    }
}
