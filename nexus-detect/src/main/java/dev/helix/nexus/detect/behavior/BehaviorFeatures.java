package dev.helix.nexus.detect.behavior;

/**
 * One observation window of a host or process, the input of {@link BehaviorClassifier}. Rates are per second over
 * the window; shares are in [0, 1]. Use {@code NaN} for a feature that is not measured: rules needing it are skipped.
 *
 * @param cpuUser            user CPU share (all cores)
 * @param cpuSystem          system + irq + softirq CPU share
 * @param ioWait             iowait share
 * @param runQueuePerCore    runnable tasks per core (load)
 * @param memoryUsed         used / total memory, excluding reclaimable cache
 * @param swapInPerSec       pages swapped in per second
 * @param swapOutPerSec      pages swapped out per second
 * @param majorFaultsPerSec  major page faults per second
 * @param interruptsPerCore  hardware + soft interrupts per second per core
 * @param blockedThreads     threads blocked on monitors/locks (e.g. from a JVM thread dump)
 * @param throughputPerSec   work completed per second (requests, transactions); NaN if unknown
 * @param resourceHistory    recent samples of a resource that should stay bounded (heap after GC, open file
 *                           descriptors, RSS), oldest first; may be empty
 */
public record BehaviorFeatures(double cpuUser, double cpuSystem, double ioWait, double runQueuePerCore,
                               double memoryUsed, double swapInPerSec, double swapOutPerSec, double majorFaultsPerSec,
                               double interruptsPerCore, double blockedThreads, double throughputPerSec,
                               double[] resourceHistory) {
    public BehaviorFeatures {
        resourceHistory = resourceHistory == null ? new double[0] : resourceHistory.clone();
    }

    @Override
    public double[] resourceHistory() {
        return resourceHistory.clone();
    }

    /** A quiet host: low CPU, no swapping, moderate memory, no blocked threads, empty history. */
    public static BehaviorFeatures idle() {
        return new BehaviorFeatures(0.05, 0.02, 0.0, 0.1, 0.4, 0, 0, 0, 1000, 0, Double.NaN, new double[0]);
    }
}
