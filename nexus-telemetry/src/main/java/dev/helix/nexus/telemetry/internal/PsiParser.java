package dev.helix.nexus.telemetry.internal;

/**
 * Parses a pressure-stall-information file ({@code /proc/pressure/io}, {@code <cgroup>/memory.pressure}):
 * <pre>
 * some avg10=0.54 avg60=0.34 avg300=0.08 total=1028415
 * full avg10=0.45 avg60=0.29 avg300=0.07 total=876461
 * </pre>
 *
 * <p>Stateless; O(length); allocation only for tokenising. Thread-safe.
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
}
