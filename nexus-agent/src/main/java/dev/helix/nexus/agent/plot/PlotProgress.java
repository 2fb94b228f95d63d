package dev.helix.nexus.agent.plot;

import dev.helix.nexus.core.clock.EngineClock;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints one line per {@code every} plots written, always one for the last, and then where the plots went.
 * Not thread-safe: one instance per plotting run, called from one thread.
 */
final class PlotProgress {
    private final PrintStream out;
    private final String what;
    private final int total;
    private final int every;
    private final EngineClock clock;
    private final long t0;
    private int done;

    /**
     * @param out   where lines go; {@code null} for silence
     * @param what  prefix naming the data set, for example {@code nab}
     * @param total how many plots will be written
     * @param every print after every this many plots (&ge; 1)
     * @param clock source of elapsed time
     */
    PlotProgress(PrintStream out, String what, int total, int every, EngineClock clock) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, got " + every);
        }
        this.out = out;
        this.what = what;
        this.total = total;
        this.every = every;
        this.clock = clock;
        this.t0 = clock.monotonicNanos();
    }

    /** Records one written plot and prints a line if it is the {@code every}-th or the last. */
    void plotted() {
        done++;
        if (out != null && (done % every == 0 || done == total)) {
            out.printf(Locale.ROOT, "[plot %s] %d/%d plots written (%.1f s)%n", what, done, total, elapsed());
        }
    }

    /** Prints where the plots are. */
    void finished(java.nio.file.Path dir) {
        if (out != null) {
            out.printf(Locale.ROOT, "[plot %s] %d plots in %s (%.1f s)%n", what, done, dir, elapsed());
        }
    }

    private double elapsed() {
        return (clock.monotonicNanos() - t0) / 1e9;
    }
}
