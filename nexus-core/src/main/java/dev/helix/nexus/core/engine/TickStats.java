package dev.helix.nexus.core.engine;

/**
 * Measured tick timing, a consistent snapshot.
 *
 * @param ticks          ticks run
 * @param overruns       ticks that took longer than the tick duration
 * @param skipped        scheduled ticks skipped because the loop fell behind
 * @param lastNanos      duration of the last tick
 * @param p50Nanos       median tick duration
 * @param p99Nanos       99th percentile tick duration
 * @param maxNanos       longest tick
 * @param budgetNanos    the tick duration
 */
public record TickStats(long ticks, long overruns, long skipped, long lastNanos, long p50Nanos, long p99Nanos,
                        long maxNanos, long budgetNanos) {
}
