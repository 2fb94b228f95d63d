package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.ml.layers.Parameter;
import dev.helix.nexus.ml.optim.AdaGrad;
import dev.helix.nexus.ml.optim.Adam;
import dev.helix.nexus.ml.optim.CosineAnnealing;
import dev.helix.nexus.ml.optim.GradientClipping;
import dev.helix.nexus.ml.optim.Optimizer;
import dev.helix.nexus.ml.optim.RmsProp;
import dev.helix.nexus.ml.optim.Sgd;
import dev.helix.nexus.ml.optim.StepDecay;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * First three update steps of each optimizer against hand-expanded paper equations for a single
 * scalar parameter θ0 = 1.0 with gradients g = 0.5, -0.2, 0.1.
 */
class OptimizerTest {
    private static final double[] G = {0.5, -0.2, 0.1};

    private static double[] run(java.util.function.Function<List<Parameter>, Optimizer> make) {
        Parameter p = new Parameter("p", Tensor.full(1f, 1));
        Optimizer opt = make.apply(List.of(p));
        double[] out = new double[G.length];
        for (int t = 0; t < G.length; t++) {
            p.grad().data()[0] = (float) G[t];
            opt.step();
            out[t] = p.value().data()[0];
        }
        return out;
    }

    private static void expect(double[] actual, double... expected) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("step %d", i + 1).isCloseTo(expected[i], within(1e-6));
        }
    }

    @Test
    void plainSgd() {
        // θ1 = 1 - 0.1*0.5 = 0.95; θ2 = 0.95 + 0.02 = 0.97; θ3 = 0.97 - 0.01 = 0.96
        expect(run(ps -> new Sgd(ps, 0.1)), 0.95, 0.97, 0.96);
    }

    @Test
    void sgdMomentum() {
        // v1 = .5 -> θ=.95 ; v2 = .9*.5 - .2 = .25 -> θ=.925 ; v3 = .225 + .1 = .325 -> θ=.8925
        expect(run(ps -> new Sgd(ps, 0.1, 0.9, false, 0)), 0.95, 0.925, 0.8925);
    }

    @Test
    void sgdNesterov() {
        // v1=.5, upd=.5+.45=.95 -> θ=.905 ; v2=.25, upd=-.2+.225=.025 -> θ=.9025 ; v3=.325, upd=.1+.2925=.3925 -> θ=.86325
        expect(run(ps -> new Sgd(ps, 0.1, 0.9, true, 0)), 0.905, 0.9025, 0.86325);
    }

    @Test
    void sgdWeightDecay() {
        // g' = g + 0.1θ: step1 g'=.6 -> .94 ; step2 g'=-.2+.094=-.106 -> .9506 ; step3 g'=.1+.09506=.19506 -> .931094
        expect(run(ps -> new Sgd(ps, 0.1, 0, false, 0.1)), 0.94, 0.9506, 0.931094);
    }

    @Test
    void adamMatchesKingmaBaAlgorithm1() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, th = 1, m = 0, v = 0;
        double[] exp = new double[3];
        for (int t = 1; t <= 3; t++) {
            double g = G[t - 1];
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            th -= lr * (m / (1 - Math.pow(b1, t))) / (Math.sqrt(v / (1 - Math.pow(b2, t))) + eps);
            exp[t - 1] = th;
        }
        // first step of bias-corrected Adam moves by exactly lr*sign(g)
        assertThat(exp[0]).isCloseTo(0.99, within(1e-7));
        expect(run(ps -> new Adam(ps, lr)), exp);
    }

    @Test
    void adamWDecouplesWeightDecay() {
        double lr = 0.01, wd = 0.1, th = 1, m = 0, v = 0;
        double[] exp = new double[3];
        for (int t = 1; t <= 3; t++) {
            double g = G[t - 1];
            th -= lr * wd * th;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            th -= lr * (m / (1 - Math.pow(0.9, t))) / (Math.sqrt(v / (1 - Math.pow(0.999, t))) + 1e-8);
            exp[t - 1] = th;
        }
        expect(run(ps -> Adam.adamW(ps, lr, wd)), exp);
        // step 1: 1 - 0.001 - 0.01 = 0.989
        assertThat(exp[0]).isCloseTo(0.989, within(1e-7));
        // coupled L2 differs from decoupled
        double[] coupled = run(ps -> new Adam(ps, lr, 0.9, 0.999, 1e-8, wd, false));
        assertThat(coupled[2]).isNotCloseTo(exp[2], within(1e-6));
    }

    @Test
    void adaGrad() {
        // G1=.25 -> θ=1-.1*.5/.5=.9 ; G2=.29 -> θ=.9+.02/sqrt(.29) ; G3=.30 -> θ -= .01/sqrt(.30)
        double t2 = 0.9 + 0.1 * 0.2 / Math.sqrt(0.29);
        double t3 = t2 - 0.1 * 0.1 / Math.sqrt(0.30);
        expect(run(ps -> new AdaGrad(ps, 0.1, 1e-10)), 0.9, t2, t3);
    }

    @Test
    void rmsProp() {
        double e1 = 0.1 * 0.25, e2 = 0.9 * e1 + 0.1 * 0.04, e3 = 0.9 * e2 + 0.1 * 0.01;
        double t1 = 1 - 0.01 * 0.5 / Math.sqrt(e1);
        double t2 = t1 + 0.01 * 0.2 / Math.sqrt(e2);
        double t3 = t2 - 0.01 * 0.1 / Math.sqrt(e3);
        expect(run(ps -> new RmsProp(ps, 0.01, 0.9, 1e-12)), t1, t2, t3);
    }

    @Test
    void clippingByGlobalNorm() {
        Parameter a = new Parameter("a", Tensor.zeros(2));
        Parameter b = new Parameter("b", Tensor.zeros(1));
        a.grad().data()[0] = 3;
        a.grad().data()[1] = 0;
        b.grad().data()[0] = 4;
        double norm = GradientClipping.clipByGlobalNorm(List.of(a, b), 1.0);
        assertThat(norm).isCloseTo(5.0, within(1e-9));
        assertThat(a.grad().data()[0]).isCloseTo(0.6f, within(1e-6f));
        assertThat(b.grad().data()[0]).isCloseTo(0.8f, within(1e-6f));
        assertThat(GradientClipping.globalNorm(List.of(a, b))).isCloseTo(1.0, within(1e-6));
        // below threshold: untouched
        GradientClipping.clipByGlobalNorm(List.of(a, b), 10);
        assertThat(b.grad().data()[0]).isCloseTo(0.8f, within(1e-6f));
    }

    @Test
    void schedules() {
        StepDecay s = new StepDecay(0.1, 10, 0.5);
        assertThat(s.rate(0)).isEqualTo(0.1);
        assertThat(s.rate(9)).isEqualTo(0.1);
        assertThat(s.rate(10)).isEqualTo(0.05);
        assertThat(s.rate(25)).isCloseTo(0.025, within(1e-12));
        CosineAnnealing c = new CosineAnnealing(1.0, 0.0, 100);
        assertThat(c.rate(0)).isEqualTo(1.0);
        assertThat(c.rate(50)).isCloseTo(0.5, within(1e-12));
        assertThat(c.rate(100)).isEqualTo(0.0);
        assertThat(c.rate(25)).isCloseTo(0.5 * (1 + Math.cos(Math.PI / 4)), within(1e-12));
        Sgd opt = new Sgd(List.of(new Parameter("p", Tensor.zeros(1))), 1.0);
        s.apply(opt, 20);
        assertThat(opt.learningRate()).isCloseTo(0.025, within(1e-12));
        assertThatThrownBy(() -> new StepDecay(0.1, 0, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
