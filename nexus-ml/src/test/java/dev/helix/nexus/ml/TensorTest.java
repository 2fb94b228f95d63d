package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Hand-computed known answers for tensor operations. */
class TensorTest {
    private static Tensor t(int[] shape, double... v) {
        return Tensor.of(v, shape);
    }

    @Test
    void factoriesAndAccessors() {
        assertThat(Tensor.zeros(2, 3).size()).isEqualTo(6);
        assertThat(Tensor.ones(2, 2).sum()).isEqualTo(4f);
        assertThat(Tensor.full(2.5f, 3).data()).containsExactly(2.5f, 2.5f, 2.5f);
        assertThat(Tensor.arange(4).data()).containsExactly(0f, 1f, 2f, 3f);
        assertThat(Tensor.scalar(3f).item()).isEqualTo(3f);
        Tensor a = Tensor.arange(6).reshape(2, 3);
        assertThat(a.get(1, 2)).isEqualTo(5f);
        a.set(9f, 0, 1);
        assertThat(a.data()[1]).isEqualTo(9f);
        assertThatThrownBy(() -> Tensor.fromData(new float[5], 2, 3)).hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> a.get(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void seededRandomIsReproducibleAndInitScalesAreRight() {
        assertThat(Tensor.random(42, 10).data()).containsExactly(Tensor.random(42, 10).data());
        assertThat(Tensor.random(42, 10).data()).isNotEqualTo(Tensor.random(43, 10).data());
        Tensor x = Tensor.xavier(1, 100, 300, 100, 300);
        double a = Math.sqrt(6.0 / 400);
        assertThat(x.normInf()).isLessThanOrEqualTo((float) a);
        // Var of U(-a,a) = a^2/3 = 2/(fanIn+fanOut)
        assertThat(x.variance(0, false).mean()).isCloseTo((float) (2.0 / 400), within(5e-4f));
        Tensor h = Tensor.he(2, 50, 200, 200);
        assertThat(h.variance(0, false).mean()).isCloseTo(2f / 50, within(3e-3f));
        assertThat(Tensor.randn(3, 20000).mean()).isCloseTo(0f, within(0.03f));
    }

    @Test
    void broadcastingArithmetic() {
        Tensor a = t(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        Tensor row = t(new int[] {3}, 10, 20, 30);
        Tensor col = t(new int[] {2, 1}, 100, 200);
        assertThat(a.add(row).data()).containsExactly(11, 22, 33, 14, 25, 36);
        assertThat(a.add(col).data()).containsExactly(101, 102, 103, 204, 205, 206);
        assertThat(a.mul(row).data()).containsExactly(10, 40, 90, 40, 100, 180);
        assertThat(a.sub(Tensor.scalar(1)).data()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(a.div(t(new int[] {1}, 2)).data()).containsExactly(0.5f, 1, 1.5f, 2, 2.5f, 3);
        Tensor outer = col.mul(row);
        assertThat(outer.shape()).containsExactly(2, 3);
        assertThat(outer.data()).containsExactly(1000, 2000, 3000, 2000, 4000, 6000);
        assertThat(a.maximum(Tensor.scalar(3.5f)).data()).containsExactly(3.5f, 3.5f, 3.5f, 4, 5, 6);
        assertThat(a.minimum(Tensor.scalar(3.5f)).data()).containsExactly(1, 2, 3, 3.5f, 3.5f, 3.5f);
        assertThat(a.pow(t(new int[] {1}, 2)).data()).containsExactly(1, 4, 9, 16, 25, 36);
        assertThatThrownBy(() -> a.add(Tensor.zeros(2)))
                .isInstanceOf(ShapeMismatchException.class).hasMessageContaining("[2, 3]").hasMessageContaining("[2]");
        assertThat(outer.sumTo(2, 1).data()).containsExactly(6000, 12000);
        assertThat(outer.sumTo(3).data()).containsExactly(3000, 6000, 9000);
    }

    @Test
    void unaryOps() {
        Tensor x = t(new int[] {4}, -2, -0.5, 0, 3);
        assertThat(x.abs().data()).containsExactly(2, 0.5f, 0, 3);
        assertThat(x.neg().data()).containsExactly(2, 0.5f, -0f, -3);
        assertThat(x.sign().data()).containsExactly(-1, -1, 0, 1);
        assertThat(x.square().data()).containsExactly(4, 0.25f, 0, 9);
        assertThat(x.clip(-1, 1).data()).containsExactly(-1, -0.5f, 0, 1);
        assertThat(x.add(1f).mul(2f).data()).containsExactly(-2, 1, 2, 8);
        assertThat(t(new int[] {2}, 4, 9).sqrt().data()).containsExactly(2, 3);
        assertThat(t(new int[] {2}, 4, 0.5).reciprocal().data()).containsExactly(0.25f, 2);
        assertThat(t(new int[] {1}, 1).exp().item()).isCloseTo((float) Math.E, within(1e-6f));
        assertThat(t(new int[] {1}, Math.E).log().item()).isCloseTo(1f, within(1e-6f));
        assertThat(t(new int[] {1}, 2).pow(3).item()).isEqualTo(8f);
        assertThatThrownBy(() -> x.clip(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void activations() {
        Tensor x = t(new int[] {3}, -1, 0, 2);
        assertThat(x.relu().data()).containsExactly(0, 0, 2);
        assertThat(x.leakyRelu(0.1f).data()).containsExactly(-0.1f, 0, 2);
        assertThat(x.elu(1f).get(0)).isCloseTo((float) (Math.exp(-1) - 1), within(1e-6f));
        assertThat(x.sigmoid().data()).containsExactly((float) (1 / (1 + Math.E)), 0.5f, (float) (1 / (1 + Math.exp(-2))));
        assertThat(x.tanh().get(2)).isCloseTo((float) Math.tanh(2), within(1e-7f));
        // GELU(1) tanh approximation = 0.841192
        assertThat(t(new int[] {1}, 1).gelu().item()).isCloseTo(0.841192f, within(1e-5f));
        assertThat(t(new int[] {1}, 0).softplus().item()).isCloseTo((float) Math.log(2), within(1e-7f));
        assertThat(t(new int[] {1}, -1000).sigmoid().item()).isEqualTo(0f);
    }

    @Test
    void softmaxAndLogSoftmax() {
        Tensor x = t(new int[] {2, 3}, 1, 2, 3, 1000, 1000, 1000);
        Tensor s = x.softmax(1);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat(s.get(0, 0)).isCloseTo((float) (Math.exp(1) / z), within(1e-6f));
        assertThat(s.get(0, 2)).isCloseTo((float) (Math.exp(3) / z), within(1e-6f));
        assertThat(s.get(1, 1)).isCloseTo(1f / 3, within(1e-6f)); // no overflow
        assertThat(x.logSoftmax(1).get(0, 0)).isCloseTo((float) (1 - Math.log(z)), within(1e-5f));
        Tensor col = x.softmax(0);
        assertThat(col.get(0, 0) + col.get(1, 0)).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void reductions() {
        Tensor a = t(new int[] {2, 3}, 1, 5, 3, 4, 2, 6);
        assertThat(a.sum()).isEqualTo(21f);
        assertThat(a.mean()).isEqualTo(3.5f);
        assertThat(a.max()).isEqualTo(6f);
        assertThat(a.min()).isEqualTo(1f);
        assertThat(a.sum(0, false).data()).containsExactly(5, 7, 9);
        assertThat(a.sum(1, true).shape()).containsExactly(2, 1);
        assertThat(a.sum(-1, false).data()).containsExactly(9, 12);
        assertThat(a.mean(1, false).data()).containsExactly(3, 4);
        assertThat(a.max(1, false).data()).containsExactly(5, 6);
        assertThat(a.min(0, false).data()).containsExactly(1, 2, 3);
        assertThat(a.argmax(1).data()).containsExactly(1, 2);
        assertThat(a.argmax(0).data()).containsExactly(1, 0, 1);
        assertThat(a.variance(1, false).data()).containsExactly(8f / 3, 8f / 3);
        assertThat(a.std(0, false).data()).containsExactly(1.5f, 1.5f, 1.5f);
        assertThat(t(new int[] {2}, 3, -4).norm2()).isEqualTo(5f);
        assertThat(t(new int[] {2}, 3, -4).norm1()).isEqualTo(7f);
        assertThat(t(new int[] {2}, 3, -4).normInf()).isEqualTo(4f);
        assertThat(t(new int[] {2}, 3, -4).dot(t(new int[] {2}, 2, 1))).isEqualTo(2f);
        Tensor r3 = Tensor.arange(24).reshape(2, 3, 4);
        assertThat(r3.sum(1, false).get(1, 2)).isEqualTo(14 + 18 + 22f);
    }

    @Test
    void matmulKnownAnswerBothBackends() {
        Tensor a = t(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        Tensor b = t(new int[] {3, 2}, 7, 8, 9, 10, 11, 12);
        for (ComputeBackend be : ComputeBackend.values()) {
            assertThat(a.matmul(b, be).data()).containsExactly(58, 64, 139, 154);
        }
        Tensor batched = Tensor.concat(0, a.reshape(1, 2, 3), a.mul(2f).reshape(1, 2, 3));
        Tensor r = batched.matmul(b);
        assertThat(r.shape()).containsExactly(2, 2, 2);
        assertThat(r.data()).containsExactly(58, 64, 139, 154, 116, 128, 278, 308);
        Tensor bb = Tensor.concat(0, b.reshape(1, 3, 2), b.reshape(1, 3, 2));
        assertThat(batched.matmul(bb).data()).containsExactly(r.data());
        assertThatThrownBy(() -> a.matmul(a)).isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("inner");
    }

    @Test
    void shapeManipulation() {
        Tensor a = Tensor.arange(6).reshape(2, 3);
        assertThat(a.transpose().shape()).containsExactly(3, 2);
        assertThat(a.transpose().data()).containsExactly(0, 3, 1, 4, 2, 5);
        Tensor p = Tensor.arange(24).reshape(2, 3, 4).permute(2, 0, 1);
        assertThat(p.shape()).containsExactly(4, 2, 3);
        assertThat(p.get(3, 1, 2)).isEqualTo(Tensor.arange(24).reshape(2, 3, 4).get(1, 2, 3));
        assertThat(a.reshape(-1).shape()).containsExactly(6);
        assertThat(a.reshape(3, -1).shape()).containsExactly(3, 2);
        assertThatThrownBy(() -> a.reshape(4, 2)).hasMessageContaining("[2, 3]").hasMessageContaining("[4, 2]");
        assertThat(a.slice(1, 1, 3).data()).containsExactly(1, 2, 4, 5);
        assertThat(a.slice(0, 1, 2).data()).containsExactly(3, 4, 5);
        Tensor c = Tensor.concat(1, a, a.slice(1, 0, 1));
        assertThat(c.shape()).containsExactly(2, 4);
        assertThat(c.data()).containsExactly(0, 1, 2, 0, 3, 4, 5, 3);
        assertThat(Tensor.concat(0, a, a).shape()).containsExactly(4, 3);
        assertThatThrownBy(() -> Tensor.concat(0, a, Tensor.zeros(2, 2))).isInstanceOf(ShapeMismatchException.class);
        assertThat(a.copy().data()).containsExactly(a.data()).isNotSameAs(a.data());
        assertThat(a.allClose(a.add(1e-4f), 1e-3f)).isTrue();
        assertThat(a.allClose(a.add(1e-2f), 1e-3f)).isFalse();
    }
}
