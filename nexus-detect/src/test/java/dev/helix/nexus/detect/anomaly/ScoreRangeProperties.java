package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;
import dev.helix.nexus.detect.DetectorCatalog;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the input (huge, tiny, negative, NaN, infinite), every score is a number in [0, 1]. */
class ScoreRangeProperties {

    @Provide
    Arbitrary<List<Double>> streams() {
        Arbitrary<Double> any = Arbitraries.oneOf(
                Arbitraries.doubles().between(-1e308, 1e308),
                Arbitraries.doubles().between(-10, 10),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
                        Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE));
        return any.list().ofMinSize(1).ofMaxSize(700);
    }

    @Property(tries = 30)
    void scoresAreAlwaysInUnitInterval(@ForAll("streams") List<Double> xs) {
        for (String name : DetectorCatalog.univariateNames()) {
            Detector d = DetectorCatalog.univariate(name).get();
            for (double x : xs) {
                double s = d.update(x);
                assertThat(s).as("%s on %s", name, x).isBetween(0.0, 1.0);
            }
        }
    }
}
