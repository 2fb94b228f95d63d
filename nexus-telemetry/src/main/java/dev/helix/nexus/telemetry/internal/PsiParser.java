package dev.helix.nexus.telemetry.internal;

/**
 * Parses a pressure-stall-information file ({@code /proc/pressure/io}, {@code <cgroup>/memory.pressure}):
 * <pre>
 * some avg10=0.54 avg60=0.34 avg300=0.08 total=1028415
 * full avg10=0.45 avg60=0.29 avg300=0.07 total=876461
 * </pre>
 *
 * <p>Stateless; O(length); the String form allocates for tokenising, the byte form only two small index arrays.
 * Thread-safe.
 */
public final class PsiParser {

    /** Index of "some" values in the output array; "full" starts at {@link #FULL}. */
    public static final int SOME = 0;
    /** Offset of the "full" line: avg10, avg60, avg300, total at FULL..FULL+3. */
    public static final int FULL = 4;

    private PsiParser() {
    }

    /**
     * Fills {@code out[8]} with some avg10, avg60, avg300, total(µs), full avg10, avg60, avg300, total; NaN for
     * anything absent.
     *
     * @return null when fine, else the first problem found (the values that did parse are kept)
     */
    public static String parse(String text, double[] out) {
        java.util.Arrays.fill(out, Double.NaN);
        String problem = null;
        int lines = 0;
        for (String line : text.split("\n")) {
            String[] f = Texts.fields(line);
            if (f.length == 0) {
                continue;
            }
            int base;
            if (f[0].equals("some")) {
                base = SOME;
            } else if (f[0].equals("full")) {
                base = FULL;
            } else {
                problem = problem != null ? problem : "unknown line '" + line + "'";
                continue;
            }
            lines++;
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                String k = eq > 0 ? f[i].substring(0, eq) : "";
                String v = eq > 0 ? f[i].substring(eq + 1) : "";
                int slot = switch (k) {
                    case "avg10" -> 0;
                    case "avg60" -> 1;
                    case "avg300" -> 2;
                    case "total" -> 3;
                    default -> -1;
                };
                double d = slot == 3 ? Texts.unsignedToDouble(Texts.parseLong(v)) : Texts.parseDouble(v);
                if (slot == 3 && Texts.parseLong(v) == Texts.NOT_A_NUMBER) {
                    d = Double.NaN;
                }
                if (slot < 0 || Double.isNaN(d) || d < 0 || Double.isInfinite(d) || (slot < 3 && d > 100)) {
                    problem = problem != null ? problem : "bad field '" + f[i] + "'";
                    continue;
                }
                out[base + slot] = d;
            }
            if (Double.isNaN(out[base + 3])) {
                problem = problem != null ? problem : "no total= in '" + line + "'";
            }
        }
        if (lines == 0 && problem == null) {
            problem = "no some/full lines";
        }
        return problem;
    }

    /**
     * {@link #parse(String, double[])} of the Latin-1 bytes {@code b[0,len)}, in place: the same values and the same
     * problem text (checked by a property test), allocating two small index arrays, plus a String only for a problem
     * message or a number that is not a plain decimal. O(len).
     */
    public static String parse(byte[] b, int len, double[] out) {
        java.util.Arrays.fill(out, Double.NaN);
        int[] starts = new int[8];
        int[] ends = new int[8];
        String problem = null;
        int lines = 0;
        for (int from = 0; from < len; from = Bytes.lineEnd(b, from, len) + 1) {
            int end = Bytes.lineEnd(b, from, len);
            int n = Bytes.fields(b, from, end, starts, ends);
            if (n == 0) {
                continue;
            }
            if (n > starts.length) {
                starts = new int[n];
                ends = new int[n];
                Bytes.fields(b, from, end, starts, ends);
            }
            int base;
            if (Bytes.equalsLatin1(b, starts[0], ends[0], "some")) {
                base = SOME;
            } else if (Bytes.equalsLatin1(b, starts[0], ends[0], "full")) {
                base = FULL;
            } else {
                problem = problem != null ? problem : "unknown line '" + Bytes.latin1(b, from, end) + "'";
                continue;
            }
            lines++;
            for (int i = 1; i < n; i++) {
                int fs = starts[i];
                int fe = ends[i];
                int eq = Bytes.indexOf(b, fs, fe, (byte) '=');
                int slot = -1;
                if (eq > fs) {
                    if (Bytes.equalsLatin1(b, fs, eq, "avg10")) {
                        slot = 0;
                    } else if (Bytes.equalsLatin1(b, fs, eq, "avg60")) {
                        slot = 1;
                    } else if (Bytes.equalsLatin1(b, fs, eq, "avg300")) {
                        slot = 2;
                    } else if (Bytes.equalsLatin1(b, fs, eq, "total")) {
                        slot = 3;
                    }
                }
                double d = Double.NaN;
                if (slot == 3) {
                    long v = Bytes.parseLong(b, eq + 1, fe);
                    d = v == Texts.NOT_A_NUMBER ? Double.NaN : Texts.unsignedToDouble(v);
                } else if (slot >= 0) {
                    d = Bytes.parseDouble(b, eq + 1, fe);
                }
                if (slot < 0 || Double.isNaN(d) || d < 0 || Double.isInfinite(d) || (slot < 3 && d > 100)) {
                    problem = problem != null ? problem : "bad field '" + Bytes.latin1(b, fs, fe) + "'";
                    continue;
                }
                out[base + slot] = d;
            }
            if (Double.isNaN(out[base + 3])) {
                problem = problem != null ? problem : "no total= in '" + Bytes.latin1(b, from, end) + "'";
            }
        }
        if (lines == 0 && problem == null) {
            problem = "no some/full lines";
        }
        return problem;
    }
}
