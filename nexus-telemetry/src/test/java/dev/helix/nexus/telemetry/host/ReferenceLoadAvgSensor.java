package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.TextFileSensor;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;

/**
 * The String parser of this file as it was before the byte parser replaced it, kept as the reference the byte
 * parser is checked against ({@code ByteParserEquivalenceProperties}).
 *
 * <p>Original description:
 * Load averages and task counts from {@code /proc/loadavg} ({@code "0.19 0.05 0.01 1/86 4887"}).
 *
 * <p>Metrics: {@code host_load1}, {@code host_load5}, {@code host_load15}, {@code host_tasks_runnable},
 * {@code host_tasks} (all kernel scheduling entities, i.e. thread ids in use).
 *
 * <p>O(1) per tick. Not thread-safe (tick thread only).
 */
final class ReferenceLoadAvgSensor extends TextFileSensor {

    private static final MetricKey L1 = MetricKey.of("host_load1");
    private static final MetricKey L5 = MetricKey.of("host_load5");
    private static final MetricKey L15 = MetricKey.of("host_load15");
    private static final MetricKey RUNNABLE = MetricKey.of("host_tasks_runnable");
    private static final MetricKey TASKS = MetricKey.of("host_tasks");

    /** Reads {@code procRoot/loadavg}. */
    ReferenceLoadAvgSensor(Path procRoot) {
        super("proc-loadavg", procRoot.resolve("loadavg"));
    }

    @Override
    protected void parse(String text, MetricSink sink, long ts) {
        String[] f = Texts.fields(text);
        if (f.length < 4) {
            problem(file, "want 5 fields, got " + f.length);
        }
        MetricKey[] keys = {L1, L5, L15};
        for (int i = 0; i < 3 && i < f.length; i++) {
            double v = Texts.parseDouble(f[i]);
            if (Double.isNaN(v) || v < 0 || Double.isInfinite(v)) {
                problem(file, "bad load average '" + f[i] + "'");
            } else {
                sink.record(keys[i], v, ts);
            }
        }
        if (f.length >= 4) {
            int slash = f[3].indexOf('/');
            long run = slash > 0 ? Texts.parseLong(f[3].substring(0, slash)) : Texts.NOT_A_NUMBER;
            long all = slash > 0 ? Texts.parseLong(f[3].substring(slash + 1)) : Texts.NOT_A_NUMBER;
            if (run < 0 || all < 0) {
                problem(file, "bad task field '" + f[3] + "', want running/total");
            } else {
                sink.record(RUNNABLE, run, ts);
                sink.record(TASKS, all, ts);
            }
        }
    }
}
