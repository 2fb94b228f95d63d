package dev.helix.nexus.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Name checks and the text form of {@link MetricKey}. */
class MetricKeyTest {

    @Test
    void aLabelNameWithACharacterOutsideThePrometheusSetIsRejectedNamingNameAndCharacter() {
        assertThatThrownBy(() -> MetricKey.of("host_disk_reads", "dev-name", "vda"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label name 'dev-name' of 'host_disk_reads'")
                .hasMessageContaining("'-' U+002D at index 3");
        assertThatThrownBy(() -> MetricKey.of("m", "a:b", "v")).as("a colon is for metric names only")
                .hasMessageContaining("label name 'a:b'").hasMessageContaining("':' U+003A at index 1");
        assertThatThrownBy(() -> MetricKey.of("m", "0cpu", "v"))
                .hasMessageContaining("'0' U+0030 at index 0 (a name may not start with a digit)");
        assertThatThrownBy(() -> MetricKey.of("m", "", "v")).hasMessageContaining("label name '' of 'm'")
                .hasMessageContaining("it is empty");
        assertThatThrownBy(() -> MetricKey.of("m", "caf\u00e9", "v")).hasMessageContaining("U+00E9 at index 3");
        assertThatThrownBy(() -> MetricKey.of("m", "a\tb", "v")).as("a control character is named by code only")
                .hasMessageContaining("character U+0009 at index 1");
    }

    @Test
    void aMetricNameOutsideThePrometheusSetIsRejectedNamingTheCharacter() {
        assertThatThrownBy(() -> MetricKey.of("jvm.heap"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metric name 'jvm.heap'").hasMessageContaining("'.' U+002E at index 3");
        assertThatThrownBy(() -> MetricKey.of("9lives")).hasMessageContaining("index 0");
        assertThatThrownBy(() -> MetricKey.of("")).hasMessageContaining("it is empty");
    }

    @Test
    void validNamesConstructIncludingColonsInMetricNamesAndReservedLookingLabels() {
        MetricKey k = MetricKey.of("job:rate_5m:sum", "__name_like", "x", "_", "y", "Z9", "z");
        assertThat(k.labels()).containsOnlyKeys("__name_like", "_", "Z9");
        assertThat(MetricKey.isValidLabelName("cpu")).isTrue();
        assertThat(MetricKey.isValidLabelName("cpu.0")).isFalse();
        assertThat(MetricKey.isValidLabelName(null)).isFalse();
    }

    @Test
    void aNullLabelValueOrNameIsRejectedNamingTheLabel() {
        Map<String, String> labels = new HashMap<>();
        labels.put("pid", null);
        assertThatThrownBy(() -> new MetricKey("process_rss_bytes", labels)).isInstanceOf(NullPointerException.class)
                .hasMessage("label 'pid' of 'process_rss_bytes' has a null value");
        Map<String, String> nullName = new HashMap<>();
        nullName.put(null, "v");
        assertThatThrownBy(() -> new MetricKey("m", nullName)).isInstanceOf(NullPointerException.class)
                .hasMessage("a label name of 'm' is null");
    }

    @Test
    void textFormEscapesBackslashQuoteLineFeedAndCarriageReturnAndKeepsOtherCharacters() {
        MetricKey k = MetricKey.of("process_info", "cmdline", "a\\b \"q\"\nline2\rcr\ttab\u0000nul\u00e9", "pid", "7");
        String expected = "process_info{cmdline=\"a\\\\b \\\"q\\\"\\nline2\\rcr\ttab\u0000nul\u00e9\",pid=\"7\"}";
        assertThat(k.toString()).isEqualTo(expected).doesNotContain("\n", "\r");
        StringBuilder sb = new StringBuilder("> ");
        k.appendTo(sb);
        assertThat(sb.toString()).isEqualTo("> " + expected);
        StringBuilder raw = new StringBuilder();
        k.appendTo(raw, false);
        assertThat(raw.toString()).as("the exposition format's own escaping leaves CR raw")
                .isEqualTo(expected.replace("\\r", "\r"));
    }
}
