package dev.helix.nexus.detect.behavior;

/**
 * One observation window of a host, process or cgroup, the input of {@link BehaviorClassifier}. Rates are per second
 * over the window; shares are in [0, 1]. Use {@code NaN} for a feature that is not measured: rules needing it are
 * skipped (a process, for example, has no iowait of its own and no swap counters).
 *
 * @param cpuUser            user CPU share (all cores of a host; of its own ceiling for a process or cgroup); for a
 *                           subject whose user/system split is unknown, its whole CPU share with {@code cpuSystem} NaN
 * @param cpuSystem          system + irq + softirq CPU share; NaN when not split out
 * @param ioWait             iowait share
 * @param runQueuePerCore    runnable tasks per core (for a process or cgroup: the host's, i.e. the contention it sees)
 * @param memoryUsed         used / total memory excluding reclaimable cache (host), or usage / limit (cgroup)
 * @param swapInPerSec       pages swapped in per second
 * @param swapOutPerSec      pages swapped out per second
 * @param majorFaultsPerSec  major page faults per second
 * @param interruptsPerCore  hardware + soft interrupts per second per core
 * @param blockedThreads     threads blocked on monitors/locks (e.g. from a JVM thread dump)
 * @param throughputPerSec   work completed per second (requests, transactions); NaN if unknown
 * @param resourceHistory    recent samples of a resource that should stay bounded (heap after GC, open file
 *                           descriptors, RSS), oldest first; may be empty
 * @param memoryFullStall    PSI memory "full": share of wall time in which every non-idle task of the subject was
 *                           stalled on memory (reclaim, refaults, swap-in), 0..1
 * @param ioSomeStall        PSI io "some": share of wall time in which at least one task was stalled on I/O, 0..1
 * @param dStateThreads      mean number of threads in uninterruptible sleep (state D, almost always waiting on I/O)
 * @param deadlockedThreads  threads the JVM reports as deadlocked (ThreadMXBean.findDeadlockedThreads); NaN when the
 *                           subject is not a JVM or was not inspected
 */
public record BehaviorFeatures(double cpuUser, double cpuSystem, double ioWait, double runQueuePerCore,
                               double memoryUsed, double swapInPerSec, double swapOutPerSec, double majorFaultsPerSec,
                               double interruptsPerCore, double blockedThreads, double throughputPerSec,
                               double[] resourceHistory, double memoryFullStall, double ioSomeStall,
                               double dStateThreads, double deadlockedThreads) {
    public BehaviorFeatures {
        resourceHistory = resourceHistory == null ? new double[0] : resourceHistory.clone();
    }

    /** The features of the original set, with the pressure-stall, D-state and JVM-deadlock features unknown (NaN). */
    public BehaviorFeatures(double cpuUser, double cpuSystem, double ioWait, double runQueuePerCore,
                            double memoryUsed, double swapInPerSec, double swapOutPerSec, double majorFaultsPerSec,
                            double interruptsPerCore, double blockedThreads, double throughputPerSec,
                            double[] resourceHistory) {
        this(cpuUser, cpuSystem, ioWait, runQueuePerCore, memoryUsed, swapInPerSec, swapOutPerSec, majorFaultsPerSec,
                interruptsPerCore, blockedThreads, throughputPerSec, resourceHistory, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN);
    }

    @Override
    public double[] resourceHistory() {
        return resourceHistory.clone();
    }

    /** Every feature unknown (NaN) and an empty history; the start of a {@code with...} chain. */
    public static BehaviorFeatures unknown() {
        double n = Double.NaN;
        return new BehaviorFeatures(n, n, n, n, n, n, n, n, n, n, n, null, n, n, n, n);
    }

    /** A quiet host: low CPU, no swapping, moderate memory, no blocked threads, empty history. */
    public static BehaviorFeatures idle() {
        return new BehaviorFeatures(0.05, 0.02, 0.0, 0.1, 0.4, 0, 0, 0, 1000, 0, Double.NaN, new double[0]);
    }

    /** A copy with the PSI stall shares set. */
    public BehaviorFeatures withStalls(double memoryFull, double ioSome) {
        return new BehaviorFeatures(cpuUser, cpuSystem, ioWait, runQueuePerCore, memoryUsed, swapInPerSec,
                swapOutPerSec, majorFaultsPerSec, interruptsPerCore, blockedThreads, throughputPerSec, resourceHistory,
                memoryFull, ioSome, dStateThreads, deadlockedThreads);
    }

    /** A copy with the D-state thread mean and the JVM-deadlocked thread count set. */
    public BehaviorFeatures withThreads(double dState, double deadlocked) {
        return new BehaviorFeatures(cpuUser, cpuSystem, ioWait, runQueuePerCore, memoryUsed, swapInPerSec,
                swapOutPerSec, majorFaultsPerSec, interruptsPerCore, blockedThreads, throughputPerSec, resourceHistory,
                memoryFullStall, ioSomeStall, dState, deadlocked);
    }
}
