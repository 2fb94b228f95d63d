package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.ml.layers.Layer;
import org.junit.jupiter.api.Test;

/** The gradient checker must reject a wrong backward pass (guards against a vacuous checker). */
class GradCheckSelfTest {
    @Test
    void detectsWrongGradient() {
        Layer wrong = new Layer() {
            @Override
            public Tensor forward(Tensor input, boolean training) {
                return input.square();
            }

            @Override
            public Tensor backward(Tensor g) {
                return g; // true gradient is 2*x*g
            }
        };
        assertThatThrownBy(() -> GradCheck.check(wrong, Tensor.random(1, 3, 4), true, 2))
                .isInstanceOf(AssertionError.class).hasMessageContaining("analytic");
    }
}
