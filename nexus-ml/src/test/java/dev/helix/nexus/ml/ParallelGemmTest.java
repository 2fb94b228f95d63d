package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** {@link ComputeBackend#gemmParallel} agrees with the single-threaded kernel. */
class ParallelGemmTest {

    @Test
    void parallelMatchesSerialOnOddShapes() {
        int[][] shapes = {{100, 70, 90}, {13, 40, 33}, {64, 64, 64}, {7, 200, 50}, {1, 300, 300}};
        for (ComputeBackend be : ComputeBackend.values()) {
            for (int[] s : shapes) {
                int m = s[0], k = s[1], n = s[2];
                float[] a = Tensor.random(1, m, k).data();
                float[] b = Tensor.random(2, k, n).data();
                for (boolean acc : new boolean[] {false, true}) {
                    for (int threads : new int[] {2, 3, 8}) {
                        float[] serial = Tensor.random(3, m, n).data();
                        float[] par = serial.clone();
                        be.gemm(a, 0, b, 0, serial, 0, m, k, n, acc);
                        be.gemmParallel(a, 0, b, 0, par, 0, m, k, n, acc, threads);
                        for (int i = 0; i < serial.length; i++) {
                            assertThat(par[i]).as("%s %dx%dx%d t=%d i=%d", be, m, k, n, threads, i)
                                    .isCloseTo(serial[i], within(1e-4f * (1 + Math.abs(serial[i]))));
                        }
                    }
                }
            }
        }
    }
}
