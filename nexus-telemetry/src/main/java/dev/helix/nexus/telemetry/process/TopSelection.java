package dev.helix.nexus.telemetry.process;

/**
 * The processes {@link ProcessSensor} reports: the top N by CPU (only those with CPU above 0), by RSS (all), and by
 * RSS growth (only those growing), as the union in that order, each process once. Chosen by one bounded selection
 * pass per ranking (insertion into an array of at most N) instead of sorting all processes three times.
 *
 * <p>The result is exactly what the sensor's former three stable sorts of one list gave: after sorting by CPU,
 * then by RSS, then by growth (each descending, each stable), ties in a ranking were ordered by the earlier sorts.
 * So the orders used here are: CPU (NaN as -1), then position; RSS, then CPU, then position; growth (NaN as
 * -infinity), then RSS, then CPU, then position — where position is the index in the input, which is the order the
 * processes were visited. A property test compares this with the sorts.
 *
 * <p>O(processes × N) comparisons at worst, O(processes) typically; no allocation once the scratch arrays have
 * grown to N. Not thread-safe (one instance per sensor).
 */
final class TopSelection {

    private int[] top = new int[0];
    private boolean[] chosen = new boolean[0];
    // the candidates handed in through clear/add, and the picked indices, grown to the largest candidate count seen
    private double[] cpuIn = new double[0];
    private long[] rssIn = new long[0];
    private double[] growthIn = new double[0];
    private int[] pickedOut = new int[0];
    private int candidates;

    /** Forgets the candidates of the last selection and makes room for {@code n} new ones. */
    void clear(int n) {
        if (cpuIn.length < n) {
            int size = Math.max(n, 2 * cpuIn.length);
            cpuIn = new double[size];
            rssIn = new long[size];
            growthIn = new double[size];
            pickedOut = new int[size];
        }
        candidates = 0;
    }

    /** Adds the next candidate (position = the number added before it since {@link #clear}). */
    void add(double cpu, long rss, double growth) {
        cpuIn[candidates] = cpu;
        rssIn[candidates] = rss;
        growthIn[candidates] = growth;
        candidates++;
    }

    /**
     * Selects among the candidates added since {@link #clear} as {@link #select(double[], long[], double[], int, int,
     * int[])} does; {@link #picked} gives the result.
     *
     * @return how many were picked
     */
    int select(int topN) {
        return select(cpuIn, rssIn, growthIn, candidates, topN, pickedOut);
    }

    /** The position of the {@code r}-th picked candidate in report order, after {@link #select(int)}. */
    int picked(int r) {
        return pickedOut[r];
    }

    /**
     * Selects the reported processes among {@code n} described by {@code cpu}, {@code rss} and {@code growth}
     * (index = position), writing their indices in report order to {@code out} (length at least
     * {@code min(n, 3 × topN)}).
     *
     * @return how many indices were written
     */
    int select(double[] cpu, long[] rss, double[] growth, int n, int topN, int[] out) {
        if (top.length < topN) {
            top = new int[topN];
        }
        if (chosen.length < n) {
            chosen = new boolean[Math.max(n, 2 * chosen.length)];
        }
        java.util.Arrays.fill(chosen, 0, n, false);
        int count = 0;
        for (int ranking = 0; ranking < 3; ranking++) {
            int k = 0;
            for (int i = 0; i < n; i++) {
                if ((ranking == 0 && !(cpu[i] > 0)) || (ranking == 2 && !(growth[i] > 0))) {
                    continue; // idle (or not rated yet) for this ranking
                }
                // position j where i goes: after every kept entry that ranks at least as high (earlier wins ties)
                int j = k;
                while (j > 0 && compare(ranking, i, top[j - 1], cpu, rss, growth) > 0) {
                    j--;
                }
                if (j >= topN) {
                    continue;
                }
                int last = Math.min(k, topN - 1);
                System.arraycopy(top, j, top, j + 1, last - j);
                top[j] = i;
                if (k < topN) {
                    k++;
                }
            }
            for (int r = 0; r < k; r++) {
                int i = top[r];
                if (!chosen[i]) {
                    chosen[i] = true;
                    out[count++] = i;
                }
            }
        }
        return count;
    }

    /** Positive when {@code a} ranks strictly above {@code b} in {@code ranking} on the values alone. */
    private static int compare(int ranking, int a, int b, double[] cpu, long[] rss, double[] growth) {
        if (ranking == 2) {
            int c = Double.compare(growthKey(growth[a]), growthKey(growth[b]));
            if (c != 0) {
                return c;
            }
        }
        if (ranking >= 1) {
            int c = Long.compare(rss[a], rss[b]);
            if (c != 0) {
                return c;
            }
        }
        return Double.compare(cpuKey(cpu[a]), cpuKey(cpu[b]));
    }

    private static double cpuKey(double v) {
        return Double.isNaN(v) ? -1 : v;
    }

    private static double growthKey(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }
}
