package dev.helix.nexus.telemetry.host;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.ProcFileReader;
import dev.helix.nexus.telemetry.internal.CounterRates;
import dev.helix.nexus.telemetry.internal.PsiParser;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Host pressure stall information from {@code /proc/pressure/{cpu,memory,io}}.
 *
 * <p>Metrics, labels {@code resource} (cpu, memory, io) and {@code kind} (some, full):
 * {@code host_pressure_avg10_percent}, {@code host_pressure_avg60_percent}, {@code host_pressure_avg300_percent}
 * and {@code host_pressure_stall_fraction} (the rate of the {@code total} stall-time counter in seconds of stall per
 * second, 0..1 for "full"; "some" can exceed it briefly across CPUs). Without PSI (kernel without CONFIG_PSI or
 * booted {@code psi=0}) the sensor fails with that reason.
 *
 * <p>O(1) per tick: three small files, each one kept-open pread parsed in place ({@link PsiParser#parse(byte[], int,
 * double[])}). Not thread-safe (tick thread only).
 */
public final class PressureSensor extends AbstractSensor {

    static final String[] RESOURCES = {"cpu", "memory", "io"};
    private static final String[] KINDS = {"some", "full"};

    private final Path dir;
    private final Path[] files;
    private final MetricKey[][] keys = new MetricKey[RESOURCES.length * 2][4];
    private final CounterRates rates = new CounterRates();
    private final double[] values = new double[8];

    /** Reads {@code procRoot/pressure/*}. */
    public PressureSensor(Path procRoot) {
        super("proc-pressure", procRoot.resolve("pressure").toString());
        this.dir = procRoot.resolve("pressure");
        this.files = new Path[RESOURCES.length];
        for (int r = 0; r < RESOURCES.length; r++) {
            files[r] = dir.resolve(RESOURCES[r]);
        }
        if (ProcFileReader.isKernelFileSystem(procRoot)) {
            reader().keepOpen(RESOURCES.length); // re-read with one pread each per tick
        }
        for (int r = 0; r < RESOURCES.length; r++) {
            for (int k = 0; k < 2; k++) {
                MetricKey[] row = keys[r * 2 + k];
                String[] l = {"kind", KINDS[k], "resource", RESOURCES[r]};
                row[0] = MetricKey.of("host_pressure_avg10_percent", l);
                row[1] = MetricKey.of("host_pressure_avg60_percent", l);
                row[2] = MetricKey.of("host_pressure_avg300_percent", l);
                row[3] = MetricKey.of("host_pressure_stall_fraction", l);
            }
        }
    }

    @Override
    protected void doSample(MetricSink sink, long ts, String ignored) {
        for (int r = 0; r < RESOURCES.length; r++) {
            Path f = files[r];
            int before = problemCount();
            int n = readBytes(f, false);
            if (n < 0) {
                // checked only on failure, not with a stat of the directory every tick
                if (!Files.isDirectory(dir)) {
                    problem(dir, dir + " missing: kernel without PSI (CONFIG_PSI) or booted with psi=0");
                    return;
                }
                if (problemCount() == before) {
                    problem(f, f + " does not exist");
                }
                continue;
            }
            String p = PsiParser.parse(reader().buffer(), n, values);
            if (p != null) {
                problem(f, f + ": " + p);
            }
            for (int k = 0; k < 2; k++) {
                MetricKey[] row = keys[r * 2 + k];
                int base = k * PsiParser.FULL;
                for (int i = 0; i < 3; i++) {
                    if (!Double.isNaN(values[base + i])) {
                        sink.record(row[i], values[base + i], ts);
                    }
                }
                if (!Double.isNaN(values[base + 3])) {
                    sink.record(row[3], rates.rate(row[3], (long) values[base + 3], ts) / 1e6, ts);
                }
            }
        }
    }
}
