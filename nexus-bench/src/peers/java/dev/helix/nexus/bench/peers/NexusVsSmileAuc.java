package dev.helix.nexus.bench.peers;

import dev.helix.nexus.bench.detect.SmdData;
import dev.helix.nexus.detect.internal.IsolationForest;
import java.util.Locale;

/**
 * Prints the ROC AUC of NEXUS's and Smile's Isolation Forests on SMD machine-1-6 (test rows against the SMD test
 * labels), both with 100 trees, subsample 256, depth limit 8, fitted on the same training rows (the first
 * {@code fitRows}, default 2048 as in the benchmarks; pass {@code all} for every training row). Seeds: NEXUS 42 plus
 * four more to show the seed spread; Smile is unseeded (its own default random stream), so it is run five times.
 *
 * <p>Run: {@code java -cp nexus-bench/target/benchmarks-peers.jar dev.helix.nexus.bench.peers.NexusVsSmileAuc [rows|all]}
 */
public final class NexusVsSmileAuc {
    private NexusVsSmileAuc() {
    }

    public static void main(String[] args) {
        SmdData data = SmdData.load();
        int fitRows = args.length > 0 && args[0].equals("all") ? data.train.length
                : (args.length > 0 ? Integer.parseInt(args[0]) : 2048);
        fitRows = Math.min(fitRows, data.train.length);
        int dims = data.dims();
        int pos = 0;
        for (int l : data.labels) {
            pos += l;
        }
        System.out.printf(Locale.ROOT, "data: %s, %d dims, fit on first %d train rows, %d test rows (%d anomalous)%n",
                data.source, dims, fitRows, data.test.length, pos);
        double[] flat = SmdData.flatten(data.train, fitRows);
        double[] testFlat = SmdData.flatten(data.test, data.test.length);
        double[] s = new double[data.test.length];
        for (long seed : new long[] {42, 1, 2, 3, 4}) {
            IsolationForest f = new IsolationForest(dims, 100, 256, fitRows, seed);
            long t0 = System.nanoTime();
            f.fit(flat, fitRows);
            long t1 = System.nanoTime();
            for (int i = 0; i < s.length; i++) {
                s[i] = f.score(testFlat, i * dims);
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "nexus seed %d: AUC %.4f (fit %.1f ms, scoring %d rows %.1f ms, one shot)%n",
                    seed, SmdData.auc(s, data.labels), (t1 - t0) / 1e6, s.length, (t2 - t1) / 1e6);
        }
        double[][] rows = new double[fitRows][];
        System.arraycopy(data.train, 0, rows, 0, fitRows);
        smile.anomaly.IsolationForest.Options opt =
                new smile.anomaly.IsolationForest.Options(100, 8, 256.0 / fitRows, 0);
        for (int run = 0; run < 5; run++) {
            long t0 = System.nanoTime();
            smile.anomaly.IsolationForest f = smile.anomaly.IsolationForest.fit(rows, opt);
            long t1 = System.nanoTime();
            for (int i = 0; i < s.length; i++) {
                s[i] = f.score(data.test[i]);
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "smile run %d: AUC %.4f (fit %.1f ms, scoring %d rows %.1f ms, one shot)%n",
                    run, SmdData.auc(s, data.labels), (t1 - t0) / 1e6, s.length, (t2 - t1) / 1e6);
        }
    }
}
