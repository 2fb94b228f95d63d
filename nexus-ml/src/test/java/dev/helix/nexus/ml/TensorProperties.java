package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Algebraic properties of tensor operations on random shapes. */
class TensorProperties {

    @Property(tries = 60, seed = "20261125")
    void broadcastAddMatchesExplicitLoop(@ForAll @IntRange(min = 1, max = 5) int a, @ForAll @IntRange(min = 1, max = 5) int b,
                                         @ForAll @IntRange(min = 1, max = 6) int c, @ForAll @LongRange(min = 0, max = 999) long seed) {
        Tensor x = Tensor.random(seed, a, b, c);
        Tensor col = Tensor.random(seed + 1, b, 1);
        Tensor y = x.add(col);
        assertThat(y.shape()).containsExactly(a, b, c);
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                for (int k = 0; k < c; k++) {
                    assertThat(y.get(i, j, k)).isEqualTo(x.get(i, j, k) + col.get(j, 0));
                }
            }
        }
        // the broadcast gradient reduction is the adjoint: <x+col, 1> summed back to col's shape
        assertThat(Tensor.ones(a, b, c).sumTo(b, 1).data()).containsOnly((float) (a * c));
    }

    @Property(tries = 60, seed = "20261125")
    void softmaxRowsAreDistributionsAndMatchLogSoftmax(@ForAll @IntRange(min = 1, max = 6) int rows,
                                                       @ForAll @IntRange(min = 1, max = 40) int cols,
                                                       @ForAll @LongRange(min = 0, max = 999) long seed) {
        Tensor x = Tensor.random(seed, rows, cols).mul(30f);
        Tensor s = x.softmax(-1);
        Tensor sums = s.sum(1, false);
        for (float v : sums.data()) {
            assertThat(v).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-5f));
        }
        assertThat(s.min()).isGreaterThanOrEqualTo(0f);
        assertThat(x.logSoftmax(1).exp().allClose(s, 1e-6f)).isTrue();
        assertThat(s.argmax(1).data()).containsExactly(x.argmax(1).data());
    }

    @Property(tries = 60, seed = "20261125")
    void shapeOpsRoundTrip(@ForAll @IntRange(min = 1, max = 5) int a, @ForAll @IntRange(min = 2, max = 7) int b,
                           @ForAll @IntRange(min = 1, max = 5) int c, @ForAll @LongRange(min = 0, max = 999) long seed) {
        Tensor x = Tensor.random(seed, a, b, c);
        assertThat(x.transpose().transpose().data()).containsExactly(x.data());
        assertThat(x.permute(2, 0, 1).permute(1, 2, 0).data()).containsExactly(x.data());
        int cut = b / 2;
        Tensor back = Tensor.concat(1, x.slice(1, 0, cut), x.slice(1, cut, b));
        assertThat(back.shape()).containsExactly(a, b, c);
        assertThat(back.data()).containsExactly(x.data());
        assertThat(x.reshape(-1, c).reshape(a, b, c).data()).isSameAs(x.data());
        // (AB)^T = B^T A^T
        Tensor m = Tensor.random(seed + 3, b, c);
        Tensor n = Tensor.random(seed + 4, c, a);
        assertThat(m.matmul(n).transpose().allClose(n.transpose().matmul(m.transpose()), 1e-5f)).isTrue();
        assertThat(x.variance(1, false).allClose(x.square().mean(1, false).sub(x.mean(1, false).square()), 1e-5f)).isTrue();
    }
}
