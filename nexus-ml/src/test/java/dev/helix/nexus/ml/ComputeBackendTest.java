package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scalar fallback can be forced by system property ({@code -Dnexus.ml.backend=scalar}) or API. */
class ComputeBackendTest {
    @Test
    void defaultFollowsSystemProperty() {
        String prop = System.getProperty("nexus.ml.backend", "vector");
        ComputeBackend expected = "scalar".equalsIgnoreCase(prop) ? ComputeBackend.SCALAR : ComputeBackend.VECTOR;
        assertThat(ComputeBackend.getDefault()).isEqualTo(expected);
    }

    @Test
    void setDefaultSwitchesTensorMatmul() {
        ComputeBackend before = ComputeBackend.getDefault();
        Tensor a = Tensor.random(1, 9, 37);
        Tensor b = Tensor.random(2, 37, 41);
        try {
            ComputeBackend.setDefault(ComputeBackend.SCALAR);
            Tensor s = a.matmul(b);
            ComputeBackend.setDefault(ComputeBackend.VECTOR);
            Tensor v = a.matmul(b);
            assertThat(v.allClose(s, 1e-4f)).isTrue();
            assertThat(s.allClose(a.matmul(b, ComputeBackend.SCALAR), 0f)).isTrue();
        } finally {
            ComputeBackend.setDefault(before);
        }
    }
}
