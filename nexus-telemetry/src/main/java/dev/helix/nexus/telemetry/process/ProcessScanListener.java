package dev.helix.nexus.telemetry.process;

/**
 * Receives, from a {@link ProcessSensor} it is attached to ({@link ProcessSensor#scanListener}), the fields of every
 * {@code /proc/[pid]/stat} line that sensor reads in a tick, so that another consumer of the same fields need not
 * read the files a second time. Per tick: {@link #scanStarted}, then {@link #process} once per process whose stat
 * was read and parsed (in no particular order, each pid at most once), then {@link #scanFinished}. While a listener
 * is attached the sensor reads every process's stat every tick (its idle re-check, which leaves idle processes unread
 * on some ticks, is suspended), so a complete scan names every process under the proc root.
 *
 * <p>Calls come on the sampling thread, inside the sensor's tick: an implementation must be cheap, must not
 * allocate per process (to keep the scan allocation-free), must not throw, and must not keep the sensor waiting.
 */
public interface ProcessScanListener {

    /** A scan for the tick stamped {@code ts} begins; earlier {@link #process} calls belong to earlier ticks. */
    void scanStarted(long ts);

    /**
     * One process of the current scan.
     *
     * @param pid       process id
     * @param startTime start time since boot in clock ticks (field 22), which tells a reused pid apart
     * @param cpuTicks  utime + stime in clock ticks (fields 14 and 15), all threads of the process
     * @param threads   thread count (field 20; 0 is possible for a process being reaped)
     * @param comm      command name between the first '(' and the last ')', at most {@code StatLine.MAX_COMM}
     *                  characters; the same String instance while the command name does not change
     */
    void process(long pid, long startTime, long cpuTicks, long threads, String comm);

    /**
     * The scan of the tick stamped {@code ts} is over.
     *
     * @param complete true when every process under the proc root was visited; false when the listing failed
     *                 (then the {@link #process} calls of this tick cover only part of the processes, or none)
     */
    void scanFinished(long ts, boolean complete);
}
