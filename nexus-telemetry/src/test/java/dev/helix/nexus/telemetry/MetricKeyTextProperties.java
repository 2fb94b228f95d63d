package dev.helix.nexus.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.telemetry.prometheus.PrometheusTextParser;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link MetricKey} accepts exactly the names the Prometheus text format can carry, and every key it accepts is
 * printed (by {@link TelemetryStore#toPrometheusText()}, what {@code nexus metrics --once} writes) as one line that
 * {@link PrometheusTextParser} reads back to the same name, labels and value, whatever the label values hold
 * (backslashes, quotes, line feeds, carriage returns, other control characters, any Unicode).
 */
class MetricKeyTextProperties {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** Names from the characters names may hold, digits and colons anywhere: valid or not by position. */
    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> nameAlphabet = Arbitraries.strings().withChars("abcXYZ_:019").ofMinLength(0).ofMaxLength(8);
        Arbitrary<String> anything = Arbitraries.strings().all().ofMinLength(0).ofMaxLength(6);
        Arbitrary<String> oneBad = validLabelNames()
                .flatMap(s -> Arbitraries.of('-', '.', ' ', '"', '{', '=', '\n', '\r', '\u00e9', '\u0000', '/')
                        .flatMap(c -> Arbitraries.integers().between(0, s.length())
                                .map(i -> s.substring(0, i) + c + s.substring(i))));
        return Arbitraries.frequencyOf(Tuple.of(4, nameAlphabet), Tuple.of(3, oneBad), Tuple.of(2, anything),
                Tuple.of(1, validLabelNames()));
    }

    /** Valid label names (so valid metric names too). */
    @Provide
    Arbitrary<String> validLabelNames() {
        Arbitrary<Character> first = Arbitraries.chars().with('_').range('a', 'z').range('A', 'Z');
        Arbitrary<String> rest = Arbitraries.strings().withChars('_').withCharRange('a', 'z').withCharRange('A', 'Z')
                .withCharRange('0', '9').ofMaxLength(10);
        return first.flatMap(f -> rest.map(r -> f + r));
    }

    /** Valid metric names: valid label names, sometimes with colons. */
    @Provide
    Arbitrary<String> validMetricNames() {
        return Arbitraries.oneOf(validLabelNames(), validLabelNames().map(n -> n + ":" + n), Arbitraries.just(":x"));
    }

    /** Label values: anything, with the characters that need escaping over-represented. */
    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("ab\\\"\n\r\t{},= #\u0000\u00e9\u2028").ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(12));
    }

    @Provide
    Arbitrary<Double> sampleValues() {
        return Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(0.0, -0.5, 1e300, -1e-300,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, (double) Long.MAX_VALUE));
    }

    @Property(tries = 3000)
    void aKeyConstructsExactlyWhenItsMetricAndLabelNamesMatchThePrometheusGrammar(
            @ForAll("names") String name, @ForAll("names") String label, @ForAll("values") String value) {
        boolean metricOk = METRIC_NAME.matcher(name).matches();
        boolean labelOk = LABEL_NAME.matcher(label).matches();
        Statistics.label("metric name valid").collect(metricOk);
        Statistics.label("label name valid").collect(labelOk);
        Statistics.label("label name valid").coverage(c -> {
            c.check(true).percentage(p -> p > 15);
            c.check(false).percentage(p -> p > 15);
        });
        if (metricOk && labelOk) {
            MetricKey k = MetricKey.of(name, label, value);
            assertThat(k.name()).isEqualTo(name);
            assertThat(k.labels()).containsExactly(Map.entry(label, value));
        } else {
            assertThatThrownBy(() -> MetricKey.of(name, label, value)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(metricOk ? "label name '" + label + "' of '" + name + "'"
                            : "metric name '" + name + "'")
                    .hasMessageContaining("is not a valid Prometheus");
        }
    }

    @Property(tries = 2000)
    void everyKeyPrintsOneLineThatOurParserReadsBackToTheSameNameLabelsAndValue(
            @ForAll("validMetricNames") String name, @ForAll("validLabelNames") String label1,
            @ForAll("values") String value1, @ForAll("validLabelNames") String label2, @ForAll("values") String value2,
            @ForAll("sampleValues") double value) {
        MetricKey key = MetricKey.of(name, label1, value1, label2, value2);
        Map<String, String> expectedLabels = new TreeMap<>();
        expectedLabels.put(label1, value1);
        expectedLabels.put(label2, value2); // a repeated label name keeps the last value, as MetricKey.of does
        assertThat(key.labels()).isEqualTo(expectedLabels);

        TelemetryStore store = new TelemetryStore();
        store.record(key, value, 1_767_225_600_000L);
        String text = store.toPrometheusText();
        assertThat(text.split("\n", -1)).as("one line plus the final empty string: %s", text).hasSize(2);
        assertThat(text).doesNotContain("\r");

        PrometheusTextParser.Result r = PrometheusTextParser.parse(text, 10);
        assertThat(r.problems()).isEmpty();
        assertThat(r.badLines()).isZero();
        List<PrometheusTextParser.Sample> samples = r.samples();
        assertThat(samples).hasSize(1);
        assertThat(samples.get(0).key()).isEqualTo(key);
        assertThat(samples.get(0).key().name()).isEqualTo(name);
        assertThat(samples.get(0).key().labels()).isEqualTo(expectedLabels);
        assertThat(samples.get(0).value()).isEqualTo(value);
    }
}
