package dev.helix.nexus.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.MetricKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The successor links of {@link CounterRates} are only a lookup shortcut: for any sequence of readings, in a stable
 * or changing order, with equal-but-distinct key instances, {@code forget} and {@code retainOnly} in between, every
 * rate equals that of a plain map from key to last reading (the rules of the class applied to it).
 */
class CounterRatesLookupProperties {

    /** op 0..5: rate key op; 6: forget key (arg % 6); 7: retain keys whose bit is set in arg. */
    record Step(int op, int arg, long value, int dt) {
    }

    @Property(tries = 400)
    void ratesEqualThoseOfAPlainMapOfLastReadings(@ForAll("steps") List<Step> steps) {
        MetricKey[] keys = new MetricKey[6];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = MetricKey.of("c_" + i, "k", "v");
        }
        CounterRates rates = new CounterRates();
        CounterRates arithmetic = new CounterRates(); // only for increase(): the wrap/reset rule itself
        Map<MetricKey, long[]> model = new HashMap<>(); // key -> {value, timestamp}
        long ts = 1_000;
        for (Step st : steps) {
            ts += st.dt();
            if (st.op() < 6) {
                MetricKey key = st.arg() % 3 == 0 ? MetricKey.of("c_" + st.op(), "k", "v") : keys[st.op()];
                double got = rates.rate(key, st.value(), ts);
                long[] prev = model.get(key);
                double want;
                if (prev == null) {
                    model.put(key, new long[] {st.value(), ts});
                    want = Double.NaN;
                } else if (ts - prev[1] <= 0) {
                    want = Double.NaN;
                } else {
                    long inc = arithmetic.increase(prev[0], st.value(), 64);
                    want = inc < 0 ? Double.NaN : Texts.unsignedToDouble(inc) * 1000.0 / (ts - prev[1]);
                    prev[0] = st.value();
                    prev[1] = ts;
                }
                assertThat(Double.valueOf(got)).as("rate at %d", ts).isEqualTo(Double.valueOf(want)); // equals: NaN == NaN
            } else if (st.op() == 6) {
                rates.forget(keys[st.arg() % 6]);
                model.remove(keys[st.arg() % 6]);
            } else {
                Set<MetricKey> live = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    if ((st.arg() & (1 << i)) != 0) {
                        live.add(keys[i]);
                    }
                }
                rates.retainOnly(live);
                model.keySet().retainAll(live);
            }
            assertThat(rates.size()).isEqualTo(model.size());
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> random = Combinators.combine(
                Arbitraries.integers().between(0, 7).edgeCases(e -> e.add(6)),
                Arbitraries.integers().between(0, 63),
                Arbitraries.longs().between(0, 5_000),
                Arbitraries.integers().between(0, 3)).as(Step::new);
        // a stable order (0..4, as sensors rate every tick) interleaved with random steps
        Arbitrary<List<Step>> tick = Arbitraries.longs().between(0, 5_000).map(v -> List.of(
                new Step(0, 1, v, 1000), new Step(1, 1, v + 7, 0), new Step(2, 1, v / 2, 0), new Step(3, 1, v, 0),
                new Step(4, 1, v * 3, 0)));
        Arbitrary<List<Step>> chunk = Arbitraries.oneOf(random.list().ofMaxSize(6), tick);
        return chunk.list().ofMaxSize(15).map(l -> l.stream().flatMap(List::stream).toList());
    }
}
