package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.ml.layers.Lstm;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** {@link Lstm.InferenceSession}: bit-identical to {@code forward(x, false)} and allocation-free after warm-up. */
class LstmInferenceSessionTest {

    @Test
    void sessionMatchesForwardExactlyForBothOutputModes() {
        for (boolean seq : new boolean[] {true, false}) {
            // issue configuration (batch 32, in 16, hidden 64; T shortened to 6 to keep the test fast) and an odd small one hitting kernel edge paths
            int[][] configs = {{32, 6, 16, 64}, {3, 5, 7, 11}};
            for (int[] cfg : configs) {
                Lstm lstm = new Lstm(cfg[2], cfg[3], seq, 5);
                Lstm.InferenceSession session = lstm.newInferenceSession(cfg[0], cfg[1]);
                for (int rep = 0; rep < 2; rep++) { // second run proves state is reset between calls
                    Tensor x = Tensor.random(11 + rep, cfg[0], cfg[1], cfg[2]);
                    Tensor expected = lstm.forward(x, false);
                    Tensor actual = session.run(x);
                    assertThat(actual.shape()).containsExactly(expected.shape());
                    assertThat(actual.data()).containsExactly(expected.data());
                }
            }
        }
    }

    @Test
    void sessionSeesWeightUpdatesAndRejectsWrongShapes() {
        Lstm lstm = new Lstm(4, 8, false, 1);
        Lstm.InferenceSession session = lstm.newInferenceSession(6, 3);
        Tensor x = Tensor.random(2, 6, 3, 4);
        lstm.parameters().get(0).value().data()[0] += 0.5f;
        assertThat(session.run(x).data()).containsExactly(lstm.forward(x, false).data());
        assertThatThrownBy(() -> session.run(Tensor.random(2, 6, 4, 4))).isInstanceOf(ShapeMismatchException.class);
        assertThatThrownBy(() -> lstm.newInferenceSession(0, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sessionDoesNotAllocateAfterWarmUp() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!mx.isThreadAllocatedMemorySupported()) {
            return;
        }
        mx.setThreadAllocatedMemoryEnabled(true);
        Lstm lstm = new Lstm(8, 32, true, 3);
        Lstm.InferenceSession session = lstm.newInferenceSession(8, 4);
        Tensor x = Tensor.random(4, 8, 4, 8);
        float[] sink = new float[8 * 4 * 32];
        // warm-up: enough calls for the gemm and gate loops to be JIT-compiled (Vector API boxes are
        // only eliminated by C2)
        for (int i = 0; i < 3000; i++) {
            session.run(x);
            session.run(x.data(), sink);
        }
        long calls = 1000;
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && best > 0; attempt++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                session.run(x);
                session.run(x.data(), sink);
            }
            long after = mx.getCurrentThreadAllocatedBytes();
            best = Math.min(best, after - before);
        }
        System.out.println("LstmInferenceSession: " + best + " bytes allocated over " + 2 * calls + " calls after warm-up");
        // zero, or a tiny constant (e.g. a late JIT deopt/recompile); never proportional to the call count
        assertThat(best).as("bytes allocated over %d calls", 2 * calls).isLessThan(4096);
    }
}
