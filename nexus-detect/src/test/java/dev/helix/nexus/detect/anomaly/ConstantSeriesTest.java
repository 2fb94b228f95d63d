package dev.helix.nexus.detect.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.DetectorCatalog;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Constant series (issue 5, "bad input": no division by zero, no stuck 100 % anomaly rate), for every catalogued
 * univariate detector, the learning ones included: a constant stream raises no alarm at all, and after a step to a
 * new constant level the detector alarms for a bounded stretch and then accepts the new level.
 */
class ConstantSeriesTest {

    static Stream<String> names() {
        return Stream.concat(DetectorCatalog.univariateNames().stream(), DetectorCatalog.learningNames().stream());
    }

    @ParameterizedTest
    @MethodSource("names")
    void aConstantSeriesNeverAlarmsAndAStepToANewConstantIsAcceptedWithinAFewThousandRows(String name) {
        Detector d = DetectorCatalog.univariate(name).get();
        double threshold = DetectorCatalog.fixedThreshold(name);
        int alarmsBefore = 0;
        for (int i = 0; i < 3000; i++) {
            double s = d.update(5.0);
            assertThat(s).as("%s row %d", name, i).isBetween(0.0, 1.0);
            if (d.isAnomalous() || s >= threshold) {
                alarmsBefore++;
            }
        }
        assertThat(alarmsBefore).as("%s alarms on 3000 constant rows", name).isZero();
        int alarmsAfter = 0;
        int lateAlarms = 0;
        for (int i = 0; i < 6000; i++) {
            double s = d.update(7.0);
            assertThat(s).as("%s row %d after the step", name, i).isBetween(0.0, 1.0);
            boolean alarm = d.isAnomalous() || s >= threshold;
            if (alarm) {
                alarmsAfter++;
                if (i >= 3000) {
                    lateAlarms++;
                }
            }
        }
        assertThat(lateAlarms).as("%s alarms 3000-6000 rows after a step between constants (%d in all after it)",
                name, alarmsAfter).isZero();
        assertThat(alarmsAfter).as("%s alarm rate after the step", name).isLessThan(6000 / 2);
    }
}
