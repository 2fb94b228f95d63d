package dev.helix.nexus.detect.behavior;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Rule-based behaviour-pattern classifier. Each rule maps its features through linear ramps r(x; lo, hi) (0 below lo,
 * 1 above hi) and combines conditions with a fuzzy AND (minimum) and OR (maximum), so a confidence says how far past
 * the textbook symptom thresholds the observation is. Thresholds (documented per rule) come from common Linux
 * performance triage practice (Gregg, "Systems Performance", 2nd ed., USE method; the kernel's PSI documentation),
 * not from any data set:
 * <ul>
 *   <li>CPU_BOUND: busy CPU (user+system 0.70 → 0.90; system counts as 0 when not split out) with a queue (run queue
 *       0.8 → 1.5 per core) and little iowait (0.05 → 0.15 rules it out), or, where iowait is not measured (a
 *       process), few threads in D state (0.1 → 0.3);</li>
 *   <li>IO_BOUND: waiting on I/O by any of three measures, iowait 0.10 → 0.30, PSI io "some" 0.10 → 0.40 (robust to
 *       other CPU load, which hides iowait), or threads in D state 0.10 → 0.30 on average (the per-process
 *       analogue of iowait, with its thresholds: a thread blocked on I/O 30% of the time); unless the waiting is
 *       paging (then it is thrashing);</li>
 *   <li>MEMORY_PRESSURE: memory 0.85 → 0.95 used, or swap-out 10 → 100 pages/s, or PSI memory "full"
 *       0.02 → 0.10;</li>
 *   <li>THRASHING: paging, i.e. swap-in and swap-out both 50 → 500 pages/s, or major faults while memory is full
 *       (PSI memory "full" 0.05 → 0.25, or memory used 0.90 → 0.98 of its limit: without swap the evicted pages are
 *       file pages that must be read back), and major faults 50 → 500/s, with little useful user CPU
 *       (user 0.4 → 0.2);</li>
 *   <li>INTERRUPT_STORM: interrupts 20k → 100k per core per second, or system CPU 0.3 → 0.6 with user CPU low;</li>
 *   <li>DEADLOCK: the JVM reports deadlocked threads (0 → 2: a cycle needs two), or ≥ 2 blocked threads (1 → 3),
 *       throughput ≈ 0 and CPU idle (total 0.2 → 0.05): stuck, not busy;</li>
 *   <li>RESOURCE_LEAK: Mann-Kendall increasing trend on the resource history, p 0.05 → 0.001, n ≥ 10, and material
 *       growth: the Sen slope over the window 1% → 5% of the median level (a page of RSS jitter is not a leak).</li>
 * </ul>
 * NORMAL gets confidence 1 - max(other confidences). Results are sorted by confidence, highest first, and include
 * every pattern with confidence &gt; 0 (NORMAL always); ties go to the more specific diagnosis (thrashing before
 * memory pressure and I/O, interrupt storm before CPU-bound). O(h²) for a resource history of h samples (the
 * Mann-Kendall test), O(1) otherwise. Stateless and thread-safe.
 */
public final class BehaviorClassifier {

    /** Classifies one observation; never empty, first element is the most confident pattern. */
    public List<BehaviorVerdict> classify(BehaviorFeatures f) {
        List<BehaviorVerdict> out = new ArrayList<>();
        double sys = known(f.cpuSystem()) ? f.cpuSystem() : 0;
        double cpu = f.cpuUser() + sys;

        if (known(f.cpuUser(), f.runQueuePerCore())) {
            // iowait means idle CPUs waiting on I/O; without it (a process) its threads in D state say the same
            double io = 1 - (known(f.ioWait()) ? ramp(f.ioWait(), 0.05, 0.15) : ramp(f.dStateThreads(), 0.1, 0.3));
            double c = min(ramp(cpu, 0.70, 0.90), ramp(f.runQueuePerCore(), 0.8, 1.5), io);
            add(out, BehaviorPattern.CPU_BOUND, c, fmt("CPU busy %.0f%%", cpu * 100),
                    fmt("run queue %.2f per core", f.runQueuePerCore()), fmt("iowait %.0f%%", f.ioWait() * 100),
                    fmt("%.2f threads in D state on average", f.dStateThreads()));
        }
        double swapping = known(f.swapInPerSec(), f.swapOutPerSec())
                ? ramp(Math.min(f.swapInPerSec(), f.swapOutPerSec()), 50, 500) : 0;
        double refaulting = ramp(f.memoryFullStall(), 0.05, 0.25);
        double faulting = ramp(f.majorFaultsPerSec(), 50, 500);
        double full = ramp(f.memoryUsed(), 0.90, 0.98);
        double paging = Math.max(swapping, min(Math.max(refaulting, full), faulting));
        if (known(f.ioWait()) || known(f.ioSomeStall()) || known(f.dStateThreads())) {
            double waiting = Math.max(ramp(f.ioWait(), 0.10, 0.30),
                    Math.max(ramp(f.ioSomeStall(), 0.10, 0.40), ramp(f.dStateThreads(), 0.10, 0.30)));
            double c = min(waiting, 1 - paging);
            add(out, BehaviorPattern.IO_BOUND, c, fmt("iowait %.0f%%", f.ioWait() * 100),
                    fmt("PSI io some %.0f%%", f.ioSomeStall() * 100),
                    fmt("%.2f threads in D state on average", f.dStateThreads()),
                    fmt("swap-in/out %.0f/%.0f pages/s", f.swapInPerSec(), f.swapOutPerSec()));
        }
        if (known(f.memoryUsed()) || known(f.swapOutPerSec()) || known(f.memoryFullStall())) {
            double c = Math.max(ramp(f.memoryUsed(), 0.85, 0.95),
                    Math.max(ramp(f.swapOutPerSec(), 10, 100), ramp(f.memoryFullStall(), 0.02, 0.10)));
            add(out, BehaviorPattern.MEMORY_PRESSURE, c, fmt("memory used %.0f%%", f.memoryUsed() * 100),
                    fmt("swap-out %.0f pages/s", f.swapOutPerSec()),
                    fmt("PSI memory full %.1f%%", f.memoryFullStall() * 100));
        }
        if (known(f.majorFaultsPerSec(), f.cpuUser())) {
            double c = min(paging, faulting, 1 - ramp(f.cpuUser(), 0.2, 0.4));
            add(out, BehaviorPattern.THRASHING, c,
                    fmt("swap-in/out %.0f/%.0f pages/s", f.swapInPerSec(), f.swapOutPerSec()),
                    fmt("PSI memory full %.1f%%", f.memoryFullStall() * 100),
                    fmt("memory used %.0f%%", f.memoryUsed() * 100),
                    fmt("major faults %.0f/s", f.majorFaultsPerSec()), fmt("user CPU only %.0f%%", f.cpuUser() * 100));
        }
        if (known(f.interruptsPerCore()) || known(f.cpuSystem(), f.cpuUser())) {
            double irq = known(f.interruptsPerCore()) ? ramp(f.interruptsPerCore(), 20_000, 100_000) : 0;
            double kernel = known(f.cpuSystem(), f.cpuUser())
                    ? min(ramp(f.cpuSystem(), 0.3, 0.6), 1 - ramp(f.cpuUser(), 0.2, 0.5)) : 0;
            add(out, BehaviorPattern.INTERRUPT_STORM, Math.max(irq, kernel),
                    fmt("%.0f interrupts/s per core", f.interruptsPerCore()),
                    fmt("system CPU %.0f%% vs user %.0f%%", f.cpuSystem() * 100, f.cpuUser() * 100));
        }
        double jvm = ramp(f.deadlockedThreads(), 0, 2);
        double stuck = 0;
        if (known(f.blockedThreads(), f.cpuUser())) {
            double stalled = known(f.throughputPerSec()) ? (f.throughputPerSec() <= 1e-9 ? 1 : 0) : 0.5;
            stuck = min(ramp(f.blockedThreads(), 1, 3), stalled, 1 - ramp(cpu, 0.05, 0.2));
        }
        if (known(f.deadlockedThreads()) || known(f.blockedThreads(), f.cpuUser())) {
            add(out, BehaviorPattern.DEADLOCK, Math.max(jvm, stuck),
                    fmt("JVM reports %.0f deadlocked threads", f.deadlockedThreads()),
                    fmt("%.0f blocked threads", f.blockedThreads()),
                    fmt("throughput %.2f/s", f.throughputPerSec()), fmt("CPU only %.0f%%", cpu * 100));
        }
        double[] h = f.resourceHistory();
        if (h.length >= 10) {
            MannKendall.Result mk = MannKendall.test(h);
            double level = Math.abs(median(h));
            double growth = level > 0 ? mk.slope() * (mk.n() - 1) / level : (mk.slope() > 0 ? 1 : 0);
            double c = mk.s() > 0 && mk.n() >= 10
                    ? min(ramp(-Math.log10(Math.max(mk.p(), 1e-300)), -Math.log10(0.05), 3), ramp(growth, 0.01, 0.05))
                    : 0;
            add(out, BehaviorPattern.RESOURCE_LEAK, c,
                    fmt("Mann-Kendall S=%d Z=%.2f p=%.2g over %d samples", mk.s(), mk.z(), mk.p(), mk.n()),
                    fmt("Sen slope %.4g per sample, %+.1f%% of the median level over the window", mk.slope(),
                            growth * 100));
        }
        double worst = 0;
        for (BehaviorVerdict v : out) {
            worst = Math.max(worst, v.confidence());
        }
        out.add(new BehaviorVerdict(BehaviorPattern.NORMAL, 1 - worst,
                List.of(worst == 0 ? "no symptom rule fired" : fmt("strongest symptom confidence %.2f", worst))));
        // ties go to the more specific diagnosis (thrashing implies memory pressure, etc.)
        out.sort(Comparator.comparingDouble(BehaviorVerdict::confidence).reversed()
                .thenComparingInt(v -> specificity(v.pattern())));
        return out;
    }

    private static double median(double[] h) {
        double[] x = java.util.Arrays.stream(h).filter(Double::isFinite).sorted().toArray();
        if (x.length == 0) {
            return Double.NaN;
        }
        int m = x.length;
        return m % 2 == 1 ? x[m / 2] : 0.5 * (x[m / 2 - 1] + x[m / 2]);
    }

    private static int specificity(BehaviorPattern p) {
        return switch (p) {
            case THRASHING -> 0;
            case DEADLOCK -> 1;
            case INTERRUPT_STORM -> 2;
            case RESOURCE_LEAK -> 3;
            case MEMORY_PRESSURE -> 4;
            case IO_BOUND -> 5;
            case CPU_BOUND -> 6;
            case NORMAL -> 7;
        };
    }

    /** The most confident pattern. */
    public BehaviorVerdict top(BehaviorFeatures f) {
        return classify(f).get(0);
    }

    /** Adds a verdict when {@code c > 0}; evidence about a feature that was not measured (printed NaN) is left out. */
    private static void add(List<BehaviorVerdict> out, BehaviorPattern p, double c, String... evidence) {
        if (c > 0) {
            List<String> facts = new ArrayList<>(evidence.length);
            for (String e : evidence) {
                if (!e.contains("NaN")) {
                    facts.add(e);
                }
            }
            out.add(new BehaviorVerdict(p, Math.min(1, c), facts));
        }
    }

    /** Linear ramp: 0 at or below lo, 1 at or above hi (lo &lt; hi); for lo &gt; hi the ramp decreases. */
    static double ramp(double x, double lo, double hi) {
        if (!Double.isFinite(x)) {
            return 0;
        }
        double v = (x - lo) / (hi - lo);
        return v <= 0 ? 0 : (v >= 1 ? 1 : v);
    }

    private static double min(double... v) {
        double m = 1;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static boolean known(double... v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    private static String fmt(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }
}
