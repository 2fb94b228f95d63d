package dev.helix.nexus.telemetry.internal;

import java.nio.charset.StandardCharsets;

/**
 * A reusable, allocation-free parser of {@code /proc/[pid]/stat} (or {@code task/[tid]/stat}) bytes, giving the
 * same fields as {@link PidStat#parse(String)} on the same bytes decoded as ISO-8859-1 and rejecting exactly the
 * same inputs (a property test compares the two).
 *
 * <p>After a successful {@link #parse} the public fields hold the values; the command name stays in the caller's
 * buffer as {@code [commFrom, commTo)} (at most 64 bytes, as in {@link PidStat}) and is only turned into a
 * {@link String} on demand ({@link #comm}). O(length) per parse. Not thread-safe (one instance per sensor).
 */
public final class StatLine {

    /** Maximum command-name length kept, as in {@link PidStat}. */
    public static final int MAX_COMM = 64;

    private final int[] starts = new int[22];
    private final int[] ends = new int[22];

    public long pid;
    public int commFrom;
    public int commTo;
    public char state;
    public long utimeTicks;
    public long stimeTicks;
    public long threads;
    public long startTime;
    public long rssPages;

    /**
     * Parses {@code b[0,len)}.
     *
     * @return false when it is not a well-formed stat line (the fields are then meaningless)
     */
    public boolean parse(byte[] b, int len) {
        int open = Bytes.indexOf(b, 0, len, (byte) '(');
        int close = Bytes.lastIndexOf(b, 0, len, (byte) ')');
        if (open <= 0 || close < open) {
            return false;
        }
        pid = Bytes.parseLong(b, 0, open);
        if (pid < 0) {
            return false;
        }
        commFrom = open + 1;
        commTo = Math.min(close, commFrom + MAX_COMM);
        int n = Bytes.fields(b, close + 1, len, starts, ends);
        // field 0 is the state (field 3 of the file); field k of the file is index k - 3
        if (n < 22 || ends[0] - starts[0] != 1) {
            return false;
        }
        utimeTicks = Bytes.parseLong(b, starts[11], ends[11]);
        stimeTicks = Bytes.parseLong(b, starts[12], ends[12]);
        threads = Bytes.parseLong(b, starts[17], ends[17]);
        startTime = Bytes.parseLong(b, starts[19], ends[19]);
        long rss = Bytes.parseLong(b, starts[21], ends[21]);
        if (utimeTicks < 0 || stimeTicks < 0 || threads < 0 || startTime < 0 || rss == Texts.NOT_A_NUMBER) {
            return false;
        }
        rssPages = Math.max(0, rss);
        state = (char) (b[starts[0]] & 0xFF);
        return true;
    }

    /** The state letter of a stat line without a full parse: the byte two after the last ')', or 0. O(length). */
    public static char stateOnly(byte[] b, int len) {
        int close = Bytes.lastIndexOf(b, 0, len, (byte) ')');
        return close > 0 && close + 2 < len ? (char) (b[close + 2] & 0xFF) : 0;
    }

    /** Whether the command name of the last parse equals {@code comm} (no allocation). */
    public boolean commEquals(byte[] b, String comm) {
        return Bytes.equalsLatin1(b, commFrom, commTo, comm);
    }

    /** The command name of the last parse as a new String. */
    public String comm(byte[] b) {
        return new String(b, commFrom, commTo - commFrom, StandardCharsets.ISO_8859_1);
    }
}
