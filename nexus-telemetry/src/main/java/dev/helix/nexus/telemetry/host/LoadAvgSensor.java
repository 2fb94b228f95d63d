package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.ByteFileSensor;
import dev.helix.nexus.telemetry.internal.Bytes;
import dev.helix.nexus.telemetry.internal.Texts;
import java.nio.file.Path;

/**
 * Load averages and task counts from {@code /proc/loadavg} ({@code "0.19 0.05 0.01 1/86 4887"}).
 *
 * <p>Metrics: {@code host_load1}, {@code host_load5}, {@code host_load15}, {@code host_tasks_runnable},
 * {@code host_tasks} (all kernel scheduling entities, i.e. thread ids in use).
 *
 * <p>O(1) per tick; parsed in place, allocation-free on well-formed input. Not thread-safe (tick thread only).
 */
public final class LoadAvgSensor extends ByteFileSensor {

    private static final MetricKey[] LOADS = {MetricKey.of("host_load1"), MetricKey.of("host_load5"),
            MetricKey.of("host_load15")};
    private static final MetricKey RUNNABLE = MetricKey.of("host_tasks_runnable");
    private static final MetricKey TASKS = MetricKey.of("host_tasks");

    private final int[] starts = new int[4];
    private final int[] ends = new int[4];

    /** Reads {@code procRoot/loadavg}. */
    public LoadAvgSensor(Path procRoot) {
        super("proc-loadavg", procRoot.resolve("loadavg"));
    }

    @Override
    protected void parse(byte[] b, int len, MetricSink sink, long ts) {
        int nf = Bytes.fields(b, 0, len, starts, ends);
        if (nf < 4) {
            problem(file, "want 5 fields, got " + nf);
        }
        for (int i = 0; i < 3 && i < nf; i++) {
            double v = Bytes.parseDouble(b, starts[i], ends[i]);
            if (Double.isNaN(v) || v < 0 || Double.isInfinite(v)) {
                problem(file, "bad load average '" + Bytes.latin1(b, starts[i], ends[i]) + "'");
            } else {
                sink.record(LOADS[i], v, ts);
            }
        }
        if (nf >= 4) {
            int s = starts[3];
            int e = ends[3];
            int slash = Bytes.indexOf(b, s, e, (byte) '/');
            long run = slash > s ? Bytes.parseLong(b, s, slash) : Texts.NOT_A_NUMBER;
            long all = slash > s ? Bytes.parseLong(b, slash + 1, e) : Texts.NOT_A_NUMBER;
            if (run < 0 || all < 0) {
                problem(file, "bad task field '" + Bytes.latin1(b, s, e) + "', want running/total");
            } else {
                sink.record(RUNNABLE, run, ts);
                sink.record(TASKS, all, ts);
            }
        }
    }
}
