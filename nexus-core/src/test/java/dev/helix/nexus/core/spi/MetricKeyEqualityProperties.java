package dev.helix.nexus.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The equality/hash contract of {@link MetricKey} with its cached label hash: equal keys if and only if same name and
 * same labels, whatever order the labels were handed in, and {@code labels()} is still a sorted, unmodifiable map
 * that compares and hashes like any map with the same entries.
 */
class MetricKeyEqualityProperties {

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.of("m", "host_cpu_seconds", "process_rss_bytes", "a:b");
    }

    @Provide
    Arbitrary<Map<String, String>> labelMaps() {
        Arbitrary<String> labelNames = Arbitraries.of("cpu", "mode", "pid", "comm", "dev", "_", "a1", "Z");
        Arbitrary<String> values = Arbitraries.strings().withChars("ab0\"\\\n é").ofMaxLength(4);
        return Arbitraries.maps(labelNames, values).ofMaxSize(5);
    }

    @Property
    void keysFromTheSameNameAndLabelsInAnyInsertionOrderAreEqualWithEqualHashes(
            @ForAll("names") String name, @ForAll("labelMaps") Map<String, String> labels, @ForAll long seed) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(labels.entrySet());
        Collections.shuffle(entries, new Random(seed));
        Map<String, String> shuffled = new LinkedHashMap<>();
        entries.forEach(e -> shuffled.put(e.getKey(), e.getValue()));
        String[] pairs = new String[2 * entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            pairs[2 * i] = entries.get(i).getKey();
            pairs[2 * i + 1] = entries.get(i).getValue();
        }

        MetricKey a = new MetricKey(name, new HashMap<>(labels));
        MetricKey b = new MetricKey(name, shuffled);
        MetricKey c = MetricKey.of(name, pairs);
        MetricKey d = new MetricKey(name, a.labels()); // shares a's labels

        for (MetricKey other : List.of(b, c, d)) {
            assertThat(other).isEqualTo(a);
            assertThat(a).isEqualTo(other);
            assertThat(other.hashCode()).isEqualTo(a.hashCode());
            assertThat(other.labels().hashCode()).isEqualTo(labels.hashCode());
            assertThat(other.toString()).isEqualTo(a.toString());
        }
        assertThat(a.labels()).isEqualTo(labels);
        assertThat(labels).isEqualTo(a.labels());
        assertThat(a.labels()).containsExactlyEntriesOf(new TreeMap<>(labels));
    }

    @Property
    void keysWithADifferentNameOrDifferentLabelsAreNotEqual(
            @ForAll("names") String name1, @ForAll("labelMaps") Map<String, String> labels1,
            @ForAll("names") String name2, @ForAll("labelMaps") Map<String, String> labels2) {
        MetricKey a = new MetricKey(name1, labels1);
        MetricKey b = new MetricKey(name2, labels2);
        boolean same = name1.equals(name2) && labels1.equals(labels2);
        assertThat(a.equals(b)).isEqualTo(same);
        assertThat(b.equals(a)).isEqualTo(same);
        if (same) {
            assertThat(a.hashCode()).isEqualTo(b.hashCode());
        }
    }

    @Property
    void aKeyWithOneLabelValueChangedIsNotEqualEvenWhenTheLabelHashesCollide(
            @ForAll("labelMaps") Map<String, String> labels, @ForAll @IntRange(min = 0, max = 4) int which) {
        if (labels.isEmpty()) {
            return;
        }
        // "Aa" and "BB" have the same String hash: the cached hashes are equal, the keys must still differ
        List<String> names = new ArrayList<>(new TreeMap<>(labels).keySet());
        String label = names.get(which % names.size());
        Map<String, String> x = new HashMap<>(labels);
        Map<String, String> y = new HashMap<>(labels);
        x.put(label, "Aa");
        y.put(label, "BB");
        MetricKey kx = new MetricKey("m", x);
        MetricKey ky = new MetricKey("m", y);
        assertThat(kx.hashCode()).isEqualTo(ky.hashCode());
        assertThat(kx).isNotEqualTo(ky);
        assertThat(kx.labels()).isNotEqualTo(ky.labels());
    }

    @Property
    void labelsAreASortedUnmodifiableMap(@ForAll("labelMaps") Map<String, String> labels) {
        if (labels.isEmpty()) {
            assertThat(new MetricKey("m", labels).labels()).isEmpty();
            return;
        }
        Map<String, String> view = new MetricKey("m", labels).labels();
        assertThat(view).isInstanceOf(SortedMap.class);
        SortedMap<String, String> sorted = (SortedMap<String, String>) view;
        TreeMap<String, String> expected = new TreeMap<>(labels);
        assertThat(sorted.firstKey()).isEqualTo(expected.firstKey());
        assertThat(sorted.lastKey()).isEqualTo(expected.lastKey());
        assertThat(sorted.comparator()).isNull();
        assertThat(new ArrayList<>(sorted.keySet())).containsExactlyElementsOf(expected.keySet());
        assertThat(sorted.tailMap(expected.firstKey())).isEqualTo(expected);
        assertThatThrownBy(() -> view.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.remove(expected.firstKey())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.entrySet().iterator().next().setValue("v"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> sorted.headMap(expected.lastKey()).clear())
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(view::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThat(view).isEqualTo(expected);
    }

    @Property
    void changingTheMapHandedInDoesNotChangeTheKey(@ForAll("labelMaps") Map<String, String> labels) {
        Map<String, String> mine = new HashMap<>(labels);
        MetricKey k = new MetricKey("m", mine);
        int hash = k.hashCode();
        MetricKey copy = new MetricKey("m", new HashMap<>(labels));
        mine.put("late", "v");
        assertThat(k.hashCode()).isEqualTo(hash);
        assertThat(k).isEqualTo(copy);
        assertThat(k.labels()).doesNotContainKey("late");
    }

    @Property
    void aSortedMapWithAnotherComparatorIsCopiedInNaturalLabelNameOrder(
            @ForAll("labelMaps") Map<String, String> labels) {
        TreeMap<String, String> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
        reversed.putAll(labels);
        MetricKey k = new MetricKey("m", reversed);
        assertThat(new ArrayList<>(k.labels().keySet())).containsExactlyElementsOf(new TreeMap<>(labels).keySet());
        assertThat(k).isEqualTo(new MetricKey("m", labels));
        if (!labels.isEmpty()) {
            assertThat(((SortedMap<String, String>) k.labels()).comparator()).isNull();
        }
    }
}
