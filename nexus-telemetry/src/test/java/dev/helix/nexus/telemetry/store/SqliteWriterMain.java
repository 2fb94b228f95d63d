package dev.helix.nexus.telemetry.store;

import dev.helix.nexus.core.spi.MetricKey;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child of {@link SqliteCrashTest}: writes batches of {@code batchSize} samples (value = batch number) forever,
 * printing {@code committed N} after each commit, until it is killed.
 */
public final class SqliteWriterMain {

    private SqliteWriterMain() {
    }

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        int batchSize = Integer.parseInt(args[1]);
        MetricKey[] keys = new MetricKey[7];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = MetricKey.of("crash_series", "n", Integer.toString(i));
        }
        SqliteTelemetryStore store = SqliteTelemetryStore.open(db, new SqliteTelemetryStore.Config(batchSize,
                Duration.ofDays(365), Duration.ofMinutes(1), Duration.ofDays(365)));
        long ts = 1_767_225_600_000L;
        for (long batch = 0; ; batch++) {
            for (int i = 0; i < batchSize; i++) {
                store.record(keys[i % keys.length], batch, ts++); // the last record of the batch commits it
            }
            System.out.println("committed " + batch);
            System.out.flush();
        }
    }
}
