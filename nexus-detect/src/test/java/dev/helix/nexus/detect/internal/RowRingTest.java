package dev.helix.nexus.detect.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RowRingTest {

    private static double[] row(RowRing ring, int r) {
        return Arrays.copyOfRange(ring.flat(), ring.offset(r), ring.offset(r) + 2);
    }

    @Test
    void keepsTheNewestRowsInAgeOrderAndOverwritesTheOldest() {
        RowRing ring = new RowRing(3, 2);
        for (int i = 1; i <= 5; i++) {
            ring.add(new double[] {i, -i});
        }
        assertThat(ring.size()).isEqualTo(3);
        assertThat(row(ring, 0)).containsExactly(3, -3);
        assertThat(row(ring, 1)).containsExactly(4, -4);
        assertThat(row(ring, 2)).containsExactly(5, -5);
    }

    @Test
    void whileFillingTheStoredRowsAreTheFirstPhysicalRowsInArrivalOrder() {
        RowRing ring = new RowRing(4, 2);
        ring.add(new double[] {1, 10});
        ring.add(new double[] {2, 20});
        assertThat(ring.size()).isEqualTo(2);
        assertThat(Arrays.copyOfRange(ring.flat(), 0, 4)).containsExactly(1, 10, 2, 20);
        assertThat(ring.offset(1)).isEqualTo(2);
    }

    @Test
    void clearForgetsEveryRowAndZeroesTheStorage() {
        RowRing ring = new RowRing(2, 2);
        ring.add(new double[] {7, 8});
        ring.add(new double[] {9, 10});
        ring.add(new double[] {11, 12});
        ring.clear();
        assertThat(ring.size()).isZero();
        assertThat(ring.flat()).containsOnly(0.0);
        ring.add(new double[] {1, 2});
        assertThat(row(ring, 0)).containsExactly(1, 2);
    }

    @Test
    void rejectsANonPositiveCapacityOrWidthNamingBoth() {
        assertThatThrownBy(() -> new RowRing(0, 3)).hasMessageContaining("capacity and dims").hasMessageContaining("0 and 3");
        assertThatThrownBy(() -> new RowRing(3, 0)).hasMessageContaining("3 and 0");
    }
}
