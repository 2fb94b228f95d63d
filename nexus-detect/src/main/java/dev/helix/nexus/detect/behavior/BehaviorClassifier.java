package dev.helix.nexus.detect.behavior;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Rule-based behaviour-pattern classifier. Each rule maps its features through linear ramps r(x; lo, hi) (0 below lo,
 * 1 above hi) and combines conditions with a fuzzy AND (minimum), so a confidence says how far past the textbook
 * symptom thresholds the observation is. Thresholds (documented per rule) come from common Linux performance
 * triage practice (Gregg, "Systems Performance", 2nd ed., USE method), not from any data set:
 * <ul>
 *   <li>CPU_BOUND: busy CPU (user+system 0.70 → 0.90) with a queue (run queue 0.8 → 1.5 per core) and low iowait;</li>
 *   <li>IO_BOUND: iowait 0.10 → 0.30 while swapping is low (otherwise it is thrashing);</li>
 *   <li>MEMORY_PRESSURE: memory 0.85 → 0.95 used, or swap-out 10 → 100 pages/s;</li>
 *   <li>THRASHING: swap-in and swap-out both 50 → 500 pages/s and major faults 50 → 500/s, with little useful
 *       user CPU (user 0.4 → 0.2);</li>
 *   <li>INTERRUPT_STORM: interrupts 20k → 100k per core per second, or system CPU 0.3 → 0.6 with user CPU low;</li>
 *   <li>DEADLOCK: ≥ 2 blocked threads (1 → 3), throughput ≈ 0 and CPU idle (total 0.2 → 0.05): stuck, not busy;</li>
 *   <li>RESOURCE_LEAK: Mann-Kendall increasing trend on the resource history, p 0.05 → 0.001, n ≥ 10.</li>
 * </ul>
 * NORMAL gets confidence 1 - max(other confidences). Results are sorted by confidence, highest first, and include
 * every pattern with confidence &gt; 0 (NORMAL always); ties go to the more specific diagnosis (thrashing before
 * memory pressure and I/O). Stateless and thread-safe.
 */
public final class BehaviorClassifier {

    /** Classifies one observation; never empty, first element is the most confident pattern. */
    public List<BehaviorVerdict> classify(BehaviorFeatures f) {
        List<BehaviorVerdict> out = new ArrayList<>();
        double cpu = f.cpuUser() + f.cpuSystem();

        if (known(f.cpuUser(), f.cpuSystem(), f.runQueuePerCore())) {
            double io = known(f.ioWait()) ? 1 - ramp(f.ioWait(), 0.05, 0.15) : 1;
            double c = min(ramp(cpu, 0.70, 0.90), ramp(f.runQueuePerCore(), 0.8, 1.5), io);
            add(out, BehaviorPattern.CPU_BOUND, c, fmt("CPU busy %.0f%%", cpu * 100),
                    fmt("run queue %.2f per core", f.runQueuePerCore()), fmt("iowait %.0f%%", f.ioWait() * 100));
        }
        double swapping = known(f.swapInPerSec(), f.swapOutPerSec())
                ? ramp(Math.min(f.swapInPerSec(), f.swapOutPerSec()), 50, 500) : 0;
        if (known(f.ioWait())) {
            double c = min(ramp(f.ioWait(), 0.10, 0.30), 1 - swapping);
            add(out, BehaviorPattern.IO_BOUND, c, fmt("iowait %.0f%%", f.ioWait() * 100),
                    fmt("swap-in/out %.0f/%.0f pages/s", f.swapInPerSec(), f.swapOutPerSec()));
        }
        if (known(f.memoryUsed())) {
            double so = known(f.swapOutPerSec()) ? ramp(f.swapOutPerSec(), 10, 100) : 0;
            double c = Math.max(ramp(f.memoryUsed(), 0.85, 0.95), so);
            add(out, BehaviorPattern.MEMORY_PRESSURE, c, fmt("memory used %.0f%%", f.memoryUsed() * 100),
                    fmt("swap-out %.0f pages/s", f.swapOutPerSec()));
        }
        if (known(f.swapInPerSec(), f.swapOutPerSec(), f.majorFaultsPerSec(), f.cpuUser())) {
            double c = min(swapping, ramp(f.majorFaultsPerSec(), 50, 500), 1 - ramp(f.cpuUser(), 0.2, 0.4));
            add(out, BehaviorPattern.THRASHING, c,
                    fmt("swap-in/out %.0f/%.0f pages/s", f.swapInPerSec(), f.swapOutPerSec()),
                    fmt("major faults %.0f/s", f.majorFaultsPerSec()), fmt("user CPU only %.0f%%", f.cpuUser() * 100));
        }
        if (known(f.interruptsPerCore()) || known(f.cpuSystem(), f.cpuUser())) {
            double irq = known(f.interruptsPerCore()) ? ramp(f.interruptsPerCore(), 20_000, 100_000) : 0;
            double sys = known(f.cpuSystem(), f.cpuUser())
                    ? min(ramp(f.cpuSystem(), 0.3, 0.6), 1 - ramp(f.cpuUser(), 0.2, 0.5)) : 0;
            add(out, BehaviorPattern.INTERRUPT_STORM, Math.max(irq, sys),
                    fmt("%.0f interrupts/s per core", f.interruptsPerCore()),
                    fmt("system CPU %.0f%% vs user %.0f%%", f.cpuSystem() * 100, f.cpuUser() * 100));
        }
        if (known(f.blockedThreads(), f.cpuUser(), f.cpuSystem())) {
            double stalled = known(f.throughputPerSec()) ? (f.throughputPerSec() <= 1e-9 ? 1 : 0) : 0.5;
            double c = min(ramp(f.blockedThreads(), 1, 3), stalled, 1 - ramp(cpu, 0.05, 0.2));
            add(out, BehaviorPattern.DEADLOCK, c, fmt("%.0f blocked threads", f.blockedThreads()),
                    fmt("throughput %.2f/s", f.throughputPerSec()), fmt("CPU only %.0f%%", cpu * 100));
        }
        double[] h = f.resourceHistory();
        if (h.length >= 10) {
            MannKendall.Result mk = MannKendall.test(h);
            double c = mk.s() > 0 ? ramp(-Math.log10(Math.max(mk.p(), 1e-300)), -Math.log10(0.05), 3) : 0;
            add(out, BehaviorPattern.RESOURCE_LEAK, c,
                    fmt("Mann-Kendall S=%d Z=%.2f p=%.2g over %d samples", mk.s(), mk.z(), mk.p(), mk.n()),
                    fmt("Sen slope %.4g per sample", mk.slope()));
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

    private static void add(List<BehaviorVerdict> out, BehaviorPattern p, double c, String... evidence) {
        if (c > 0) {
            out.add(new BehaviorVerdict(p, Math.min(1, c), List.of(evidence)));
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
