package dev.helix.nexus.heal.action;

import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.heal.internal.ProcFs;

import java.time.Duration;
import java.util.Optional;

/**
 * Measures what a process really does, from {@code /proc/<pid>/stat}: CPU share over an interval (utime + stime),
 * scheduler state, and liveness. Stateless, thread-safe.
 */
public final class ProcessSampler {

    /** USER_HZ: clock ticks per second in {@code /proc/<pid>/stat} (100 on every Linux ABI NEXUS runs on). */
    public static final long TICKS_PER_SECOND = 100;

    private ProcessSampler() {
    }

    /**
     * CPU used by the process during {@code interval} in CPUs (1.0 = one core fully busy), or empty when the process
     * vanished. Sleeps on {@code clock} for the interval.
     */
    public static Optional<Double> cpuShare(long pid, Duration interval, EngineClock clock) throws InterruptedException {
        Optional<ProcFs.Stat> a = ProcFs.stat(pid);
        long t0 = clock.monotonicNanos();
        clock.sleepNanos(interval.toNanos());
        Optional<ProcFs.Stat> b = ProcFs.stat(pid);
        long t1 = clock.monotonicNanos();
        if (a.isEmpty() || b.isEmpty() || t1 <= t0) {
            return Optional.empty();
        }
        double cpuSeconds = (double) (b.get().cpuTicks() - a.get().cpuTicks()) / TICKS_PER_SECOND;
        return Optional.of(cpuSeconds / ((t1 - t0) / 1e9));
    }

    /** utime + stime in ticks, or -1 when the process is gone. */
    public static long cpuTicks(long pid) {
        return ProcFs.stat(pid).map(ProcFs.Stat::cpuTicks).orElse(-1L);
    }

    /** The one-letter scheduler state (R, S, D, T, Z, ...), or '?' when the process is gone. */
    public static char state(long pid) {
        return ProcFs.stat(pid).map(ProcFs.Stat::state).orElse('?');
    }

    /** True when the pid exists and is not a zombie. */
    public static boolean alive(long pid) {
        char s = state(pid);
        return s != '?' && s != 'Z' && s != 'X';
    }
}
