package dev.helix.nexus.telemetry.internal;

import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of every NEXUS sensor: runs one sample, collects problems instead of throwing, counts what was produced and
 * derives {@link SensorHealth}: healthy when there was no problem, degraded when there were problems but some
 * values were produced, failed when there were problems and nothing was produced.
 *
 * <p>An unexpected {@link RuntimeException}, {@link StackOverflowError} or {@link InternalError} (which the JDK
 * throws from some management calls, e.g. {@code getOpenFileDescriptorCount} where {@code /proc/self/fd} cannot be
 * opened) from a subclass is caught and reported as {@code "internal error"}, so the tick never sees it and the
 * health reflects this tick rather than a stale one; tests assert that garbage input never takes that path.
 *
 * <p>Not thread-safe: sample from one thread. {@link #health()} may be read from any thread (volatile).
 */
public abstract class AbstractSensor implements Sensor {

    /** Prefix of the reason when a subclass threw; tests check garbage never gets here. */
    public static final String INTERNAL_ERROR = "internal error";

    private final String name;
    private final String defaultSource;
    private final List<String> problems = new ArrayList<>();
    private String problemSource;
    private final CountingSink counting = new CountingSink();
    private volatile SensorHealth health;
    private ProcFileReader reader;

    protected AbstractSensor(String name, String defaultSource) {
        this.name = name;
        this.defaultSource = defaultSource;
        this.health = SensorHealth.degraded(defaultSource, "not sampled yet");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final SensorHealth health() {
        return health;
    }

    @Override
    public final void sample(MetricSink sink, long timestampMillis) {
        run(sink, timestampMillis, null);
    }

    /** Runs one sample; {@code text} is handed to {@link #doSample} (null when reading the real source). */
    protected final void run(MetricSink sink, long timestampMillis, String text) {
        problems.clear();
        problemSource = null;
        counting.target = sink;
        counting.finite = 0;
        try {
            doSample(counting, timestampMillis, text);
        } catch (RuntimeException | StackOverflowError | InternalError e) {
            problem(defaultSource, INTERNAL_ERROR + ": " + e);
        } finally {
            counting.target = null;
        }
        health = computeHealth(counting.finite);
    }

    private SensorHealth computeHealth(long produced) {
        if (problems.isEmpty()) {
            return SensorHealth.healthy(defaultSource);
        }
        StringBuilder reason = new StringBuilder();
        for (int i = 0; i < problems.size() && i < 3; i++) {
            if (i > 0) {
                reason.append("; ");
            }
            reason.append(problems.get(i));
        }
        if (problems.size() > 3) {
            reason.append(" (+").append(problems.size() - 3).append(" more)");
        }
        String src = problemSource == null ? defaultSource : problemSource;
        return produced > 0 ? SensorHealth.degraded(src, reason.toString()) : SensorHealth.failed(src, reason.toString());
    }

    /**
     * Reads one sample into the sink.
     *
     * @param text for file sensors, the file content to parse instead of reading the file (tests, replay); else null
     */
    protected abstract void doSample(MetricSink sink, long timestampMillis, String text);

    /** Records a problem for this tick; the first problem's source names the health source. */
    protected final void problem(Object source, String reason) {
        if (problemSource == null) {
            problemSource = String.valueOf(source);
        }
        if (problems.size() < 50) {
            problems.add(Texts.abbreviate(reason));
        }
    }

    /**
     * Records a value about the sensor itself (e.g. {@code scrape_up}, a scrape duration) that must not count as
     * data from the source when deciding between DEGRADED and FAILED.
     */
    protected final void recordMeta(MetricSink sink, MetricKey key, double value, long timestampMillis) {
        MetricSink target = sink == counting && counting.target != null ? counting.target : sink;
        target.record(key, value, timestampMillis);
    }

    /** Number of problems so far in this tick. */
    protected final int problemCount() {
        return problems.size();
    }

    /**
     * Reads a file (through {@link #reader()}, kept open when the sensor enabled {@link ProcFileReader#keepOpen},
     * as ISO-8859-1 text), recording a problem when it is unreadable, or missing and {@code required}.
     *
     * @return its text or null
     */
    protected final String read(Path file, boolean required) {
        try {
            int n = reader().readKept(file);
            String t = n < 0 ? null : reader().text(n);
            if (t == null && required) {
                problem(file, file + " does not exist");
            }
            return t;
        } catch (IOException e) {
            problem(file, file + ": " + Texts.describe(e));
            return null;
        }
    }

    /**
     * Reads a file into {@link #reader()}'s buffer as {@link #read} does, without making a String.
     *
     * @return the number of bytes in {@code reader().buffer()}, or -1 (missing or unreadable; a problem is recorded
     *     when unreadable, or missing and {@code required})
     */
    protected final int readBytes(Path file, boolean required) {
        try {
            int n = reader().readKept(file);
            if (n < 0 && required) {
                problem(file, file + " does not exist");
            }
            return n;
        } catch (IOException e) {
            problem(file, file + ": " + Texts.describe(e));
            return -1;
        }
    }

    /**
     * This sensor's reusable file reader (created on first use): read kernel files through it to avoid a buffer
     * and stream per file. Tick thread only.
     */
    protected final ProcFileReader reader() {
        if (reader == null) {
            reader = new ProcFileReader();
        }
        return reader;
    }

    /** Closes the files this sensor keeps open (see {@link ProcFileReader#keepOpen}); subclasses call it too. */
    @Override
    public void close() {
        if (reader != null) {
            reader.closeKept();
        }
    }

    /** Counts finite values passing through to the real sink. Allocation-free. */
    private static final class CountingSink implements MetricSink {
        MetricSink target;
        long finite;

        @Override
        public void record(MetricKey key, double value, long timestampMillis) {
            if (!Double.isNaN(value) && !Double.isInfinite(value)) {
                finite++;
            }
            target.record(key, value, timestampMillis);
        }
    }
}
