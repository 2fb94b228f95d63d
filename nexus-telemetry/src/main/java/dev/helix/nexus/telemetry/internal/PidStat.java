package dev.helix.nexus.telemetry.internal;

/**
 * The fields NEXUS uses from {@code /proc/[pid]/stat} or {@code /proc/[pid]/task/[tid]/stat}.
 *
 * <p>The command name is between the first '(' and the <em>last</em> ')' because it may itself contain spaces and
 * parentheses. Immutable, thread-safe.
 *
 * @param pid        process id
 * @param comm       command name (at most 64 chars kept)
 * @param state      state letter: R, S, D, Z, T, t, X, I, ...
 * @param utimeTicks user CPU time in clock ticks
 * @param stimeTicks system CPU time in clock ticks
 * @param threads    number of threads
 * @param startTime  start time after boot in clock ticks (with the pid, identifies a process across pid reuse)
 * @param rssPages   resident set size in pages
 */
public record PidStat(long pid, String comm, char state, long utimeTicks, long stimeTicks, long threads,
                      long startTime, long rssPages) {

    /** Parses one stat line; null when it is not a well-formed stat line. O(length). */
    public static PidStat parse(String text) {
        if (text == null) {
            return null;
        }
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        if (open <= 0 || close < open) {
            return null;
        }
        long pid = Texts.parseLong(text.substring(0, open).strip());
        if (pid < 0) {
            return null;
        }
        String comm = text.substring(open + 1, close);
        if (comm.length() > 64) {
            comm = comm.substring(0, 64);
        }
        String[] f = Texts.fields(text.substring(close + 1));
        // f[0] is field 3 (state); field n is f[n - 3]
        if (f.length < 22 || f[0].length() != 1) {
            return null;
        }
        long utime = Texts.parseLong(f[11]);
        long stime = Texts.parseLong(f[12]);
        long threads = Texts.parseLong(f[17]);
        long start = Texts.parseLong(f[19]);
        long rss = Texts.parseLong(f[21]);
        if (utime < 0 || stime < 0 || threads < 0 || start < 0 || rss == Texts.NOT_A_NUMBER) {
            return null;
        }
        return new PidStat(pid, comm, f[0].charAt(0), utime, stime, threads, start, Math.max(0, rss));
    }
}
