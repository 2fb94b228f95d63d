package dev.helix.nexus.agent.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MannKendallTest {

    @Test
    void monotonicRiseIsSignificant() {
        MannKendall mk = MannKendall.test(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertThat(mk.s()).isEqualTo(45);
        assertThat(mk.z()).isCloseTo(44 / Math.sqrt(125), within(1e-9));
        assertThat(mk.pValue()).isLessThan(1e-3);
        assertThat(mk.increasing(0.01)).isTrue();
    }

    @Test
    void flatOrNoisySeriesHasNoTrend() {
        assertThat(MannKendall.test(new double[] {5, 5, 5, 5, 5, 5, 5, 5}).increasing(0.05)).isFalse();
        assertThat(MannKendall.test(new double[] {3, 1, 4, 1, 5, 9, 2, 6, 5, 3}).increasing(0.01)).isFalse();
        assertThat(MannKendall.test(new double[] {10, 9, 8, 7, 6, 5}).s()).isEqualTo(-15);
    }

    @Test
    void normalCdfMatchesKnownValues() {
        assertThat(MannKendall.phi(0)).isCloseTo(0.5, within(1e-7));
        assertThat(MannKendall.phi(1.959964)).isCloseTo(0.975, within(1e-6));
        assertThat(MannKendall.phi(-1.959964)).isCloseTo(0.025, within(1e-6));
    }
}
