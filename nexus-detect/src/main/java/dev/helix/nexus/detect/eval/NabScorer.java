package dev.helix.nexus.detect.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Java port of NAB v1.1's scoring ({@code nab/sweeper.py}, {@code nab/optimizer.py}, {@code nab/runner.py}), as
 * specified in {@code docs/evaluation.md} §1.3 and cross-checked against {@code tools/nab_score.py}:
 * probationary rows are not scored; each window contributes A_TP·σ(p)/σ(-1) of its earliest detected row (σ the
 * scaled sigmoid, p = -(R - i + 1)/W) or -A_FN if missed; every detected row outside windows adds its
 * (negative) weight A_FP·σ((i - R_prev)/(W_prev - 1)), or -A_FP before the first window. A row is detected iff its
 * score &ge; θ. Normalised score = 100·(S - S_null)/(S_perfect - S_null), with S_null = -A_FN·#windows and
 * S_perfect = A_TP·#windows.
 *
 * <p>{@link #oracle} reproduces NAB's optimiser: one θ shared by all files, chosen among 1.1 and every distinct score
 * by maximising the corpus score, i.e. tuned on the test labels. {@link #atThreshold} scores at a fixed θ.
 * Sweep O(R log R) for R scored rows. Immutable; thread-safe.
 */
public final class NabScorer {

    /** Label-side precomputation for one file and profile: per-row weight and window id (-1 outside, -2 probation). */
    private record Prepared(String key, double[] weight, int[] window, int windows, int probation) {
    }

    /**
     * Result at one threshold.
     *
     * @param threshold       θ
     * @param raw             raw corpus score
     * @param normalised      normalised score
     * @param perFileRaw      raw score per file key
     * @param tpRows          detected rows inside windows (scored rows only)
     * @param fpRows          detected rows outside windows
     * @param fnRows          undetected rows inside windows
     * @param tnRows          undetected rows outside windows
     * @param windowsDetected windows with at least one detected row
     * @param windows         total windows
     */
    public record Result(double threshold, double raw, double normalised, Map<String, Double> perFileRaw,
                         long tpRows, long fpRows, long fnRows, long tnRows, int windowsDetected, int windows) {
    }

    private final NabCorpus corpus;

    public NabScorer(NabCorpus corpus) {
        this.corpus = corpus;
    }

    /** NAB's scaled sigmoid: 2/(1 + e^{5x}) - 1 for x &le; 3, else -1. */
    public static double scaledSigmoid(double x) {
        if (x > 3.0) {
            return -1.0;
        }
        return 2.0 / (1.0 + Math.exp(5.0 * x)) - 1.0;
    }

    private List<Prepared> prepare(NabProfile p) {
        List<Prepared> out = new ArrayList<>();
        double maxTp = scaledSigmoid(-1.0);
        int base = 0;
        for (NabCorpus.NabFile f : corpus.files()) {
            int n = f.rows();
            double[] w = new double[n];
            int[] win = new int[n];
            int prob = f.probation();
            int wi = 0;
            int curL = -1;
            int curR = -1;
            double width = 0;
            int prevR = -1;
            double prevW = 0;
            List<int[]> ws = f.windows();
            for (int i = 0; i < n; i++) {
                if (curL < 0 && wi < ws.size() && i == ws.get(wi)[0]) {
                    curL = ws.get(wi)[0];
                    curR = ws.get(wi)[1];
                    width = curR - curL + 1.0;
                    wi++;
                }
                if (curL >= 0) {
                    w[i] = scaledSigmoid(-(curR - i + 1) / width) * p.tp() / maxTp;
                    win[i] = base + wi - 1;
                } else {
                    double unweighted = prevR < 0 ? -1.0 : scaledSigmoid(Math.abs(prevR - i) / (prevW - 1.0));
                    w[i] = unweighted * p.fp();
                    win[i] = -1;
                }
                if (i < prob) {
                    win[i] = -2;
                }
                if (curL >= 0 && i == curR) {
                    prevR = i;
                    prevW = width;
                    curL = -1;
                }
            }
            out.add(new Prepared(f.key(), w, win, ws.size(), prob));
            base += ws.size();
        }
        return out;
    }

    private double nullScore(NabProfile p) {
        return -p.fn() * corpus.windowCount();
    }

    private double perfectScore(NabProfile p) {
        return p.tp() * corpus.windowCount();
    }

    public double normalise(NabProfile p, double raw) {
        double nul = nullScore(p);
        return 100.0 * (raw - nul) / (perfectScore(p) - nul);
    }

    private static double[] scoresFor(Map<String, double[]> scores, NabCorpus.NabFile f) {
        double[] s = scores.get(f.key());
        if (s == null) {
            throw new IllegalArgumentException("no scores for " + f.key());
        }
        if (s.length != f.rows()) {
            throw new IllegalArgumentException(f.key() + ": " + s.length + " scores for " + f.rows() + " rows");
        }
        return s;
    }

    /** Scores every file at a fixed threshold θ (row detected iff score &ge; θ). */
    public Result atThreshold(Map<String, double[]> scores, NabProfile p, double threshold) {
        List<Prepared> prep = prepare(p);
        Map<String, Double> perFile = new LinkedHashMap<>();
        double total = 0;
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long tn = 0;
        int detected = 0;
        int k = 0;
        int base = 0;
        for (NabCorpus.NabFile f : corpus.files()) {
            Prepared pr = prep.get(k++);
            double[] s = scoresFor(scores, f);
            double[] best = new double[pr.windows()];
            Arrays.fill(best, Double.NEGATIVE_INFINITY);
            double fileScore = 0;
            for (int i = 0; i < s.length; i++) {
                int w = pr.window()[i];
                if (w == -2) {
                    continue;
                }
                boolean det = s[i] >= threshold;
                if (w == -1) {
                    if (det) {
                        fileScore += pr.weight()[i];
                        fp++;
                    } else {
                        tn++;
                    }
                } else {
                    if (det) {
                        tp++;
                        best[w - base] = Math.max(best[w - base], pr.weight()[i]);
                    } else {
                        fn++;
                    }
                }
            }
            for (double b : best) {
                if (b == Double.NEGATIVE_INFINITY) {
                    fileScore -= p.fn();
                } else {
                    fileScore += b;
                    detected++;
                }
            }
            base += pr.windows();
            perFile.put(f.key(), fileScore);
            total += fileScore;
        }
        return new Result(threshold, total, normalise(p, total), perFile, tp, fp, fn, tn, detected,
                corpus.windowCount());
    }

    /**
     * NAB's optimiser: the θ in {1.1} ∪ {distinct scores} maximising the corpus score (the highest such θ on ties,
     * like Python's {@code max}), then a full re-score at that θ. An oracle: it looks at the labels.
     */
    public Result oracle(Map<String, double[]> scores, NabProfile p) {
        List<Prepared> prep = prepare(p);
        int total = 0;
        for (Prepared pr : prep) {
            for (int w : pr.window()) {
                if (w != -2) {
                    total++;
                }
            }
        }
        double[] sc = new double[total];
        double[] wt = new double[total];
        int[] wn = new int[total];
        int r = 0;
        int k = 0;
        for (NabCorpus.NabFile f : corpus.files()) {
            Prepared pr = prep.get(k++);
            double[] s = scoresFor(scores, f);
            for (int i = 0; i < s.length; i++) {
                if (pr.window()[i] != -2) {
                    sc[r] = s[i];
                    wt[r] = pr.weight()[i];
                    wn[r] = pr.window()[i];
                    r++;
                }
            }
        }
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(sc[b], sc[a]));
        double[] parts = new double[corpus.windowCount()];
        Arrays.fill(parts, -p.fn());
        double cur = -p.fn() * corpus.windowCount();
        double bestT = 1.1;
        double bestS = cur;
        double curT = 1.1;
        for (int idx = 0; idx < total; idx++) {
            int i = order[idx];
            if (sc[i] != curT) {
                if (cur > bestS) {
                    bestS = cur;
                    bestT = curT;
                }
                curT = sc[i];
            }
            if (wn[i] == -1) {
                cur += wt[i];
            } else if (wt[i] > parts[wn[i]]) {
                cur += wt[i] - parts[wn[i]];
                parts[wn[i]] = wt[i];
            }
        }
        if (cur > bestS) {
            bestT = curT;
        }
        return atThreshold(scores, p, bestT);
    }
}
