package dev.helix.nexus.detect.anomaly;

import dev.helix.nexus.core.spi.Detector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Contextual anomaly detector: a streaming learner of "contexts" (if these facts held at the previous step, these
 * facts hold now) that scores how badly the current step was predicted. The idea follows Smirnov's Contextual
 * Anomaly Detector (CAD OSE, 2016 NAB competition entry, 69.9 on NAB's standard profile); this is an independent
 * Java implementation with a causal value encoding.
 *
 * <p><b>Facts.</b> A value is quantised into {@code 2^bits} levels, {@code 2^bits - 1} equal steps over the value
 * grid [lo, hi]; the level's binary digits become {@code bits} sensor facts ("digit k is 0/1"). The left side of
 * step t is the sensor facts of step t-1 plus up to {@code maxActiveNeurons} "neuron" facts: the ids of the contexts
 * that were fully confirmed at step t-1, which gives the model higher-order memory.
 *
 * <p><b>Causal grid.</b> CAD OSE as published quantises over the whole file's min/max (NAB's {@code inputMin} /
 * {@code inputMax}, a look-ahead). Here the grid is the range <em>seen so far</em>: it is first fixed after
 * {@code learnSamples} samples (earlier samples score 0), and whenever a value falls more than
 * {@code widenTolerance}·(hi − lo) outside it, the grid is widened to include that value and the model is
 * <em>rebuilt</em>: all contexts are forgotten and the last {@code history} samples are replayed on the new grid
 * (their outputs are discarded), so every level keeps one meaning within a model, as with a known range. The
 * sample that widened the grid is then scored by the rebuilt model (it sits on an extreme level it has rarely or
 * never seen, so it is usually surprising). Row t is therefore scored from rows &le; t only.
 *
 * <p><b>Contexts.</b> A context is a pair (left fact set, right fact set). At every step
 * <ol>
 *   <li>the zero-level context (whole previous left group, whole current sensor set) is looked up or created;</li>
 *   <li>a context is <em>selected</em> when its left set is contained in the previous left group, and
 *       <em>active</em> when, in addition, its right set is contained in the current sensor facts; each selected
 *       context accumulates how many of its right facts came true (its prediction weight);</li>
 *   <li>when the zero-level context is new, the intersections of the current step with older zero-level contexts
 *       (partially matching left and right parts, left part at most {@code maxLeftSemiContext} facts) are stored as
 *       new, more general contexts;</li>
 *   <li>the best-weighted fully matching contexts of the new left group predict the next sensor facts.</li>
 * </ol>
 * Raw score = (1 − active/selected + newContexts/candidateContexts) / 2, i.e. the share of predictions that failed
 * averaged with the share of this step's context candidates that were never seen; it is 0 when every sensor fact of
 * the step had been predicted. <b>Alarm suppression</b> ({@link RestMode}), so that one incident yields one alarm:
 * with {@link RestMode#SLIDING} (CAD OSE's rule) the output is 0 while any raw score of the previous
 * {@code restPeriod} samples reached {@code alarmLevel} (0.75, CAD OSE's base threshold), so a model that keeps being
 * surprised stays silent for as long as that lasts; with {@link RestMode#HOLD_OFF} only a <em>reported</em> alarm
 * silences the next {@code restPeriod} samples, so the detector is never blind for longer than that. In both modes
 * the first {@code restPeriod} samples scored by the model (from the one that fixes the grid) are its warm-up
 * (score 0).
 *
 * <p><b>Calibration.</b> The score is a share of failed predictions, not a probability; the catalogued verdict
 * threshold is {@code alarmLevel}, the level the algorithm itself treats as an alarm.
 *
 * <p><b>Cost.</b> Memory: O({@code history}) for the replay ring plus the learned contexts, which grow with the
 * stream's novelty. They are bounded: when more than {@link #CONTEXTS_PER_HISTORY}·{@code history} contexts exist
 * (64,512 for the catalogued history of 2,016), the model is rebuilt from the kept history, as on a grid widening, so
 * a long-running stream cannot grow without bound (a replay of {@code history} noisy samples learns roughly 11
 * contexts per sample, well under the bound; the largest NAB file, art_noisy, ends at 44,167 contexts, so the bound
 * does not change any NAB result). Time per sample is linear in the number
 * of stored semi-contexts sharing a fact with the current step, so this detector is <em>not</em> O(1) per sample, and
 * a grid widening costs a replay of up to {@code history} samples (widenings become rare once the range is known);
 * it allocates when it learns contexts. NaN/±Inf input is ignored (score 0, state unchanged). Deterministic (no
 * randomness). Not thread-safe.
 */
public final class ContextualAnomalyDetector implements Detector {

    /** How an alarm silences the following samples. */
    public enum RestMode {
        /** CAD OSE: silent while any raw score of the last {@code restPeriod} samples reached the alarm level. */
        SLIDING,
        /** Silent for {@code restPeriod} samples after each reported alarm; raw scores during the rest are ignored. */
        HOLD_OFF
    }

    /** Learned contexts allowed per sample of history before the model is rebuilt (the memory bound). */
    public static final int CONTEXTS_PER_HISTORY = 32;

    /** A set of facts (sorted, distinct) used as a hash key. */
    private record FactSet(int[] facts) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FactSet f && Arrays.equals(facts, f.facts);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(facts);
        }

        @Override
        public String toString() {
            return Arrays.toString(facts);
        }
    }

    /** One side (left or right) of one or more contexts, with its crossing state for the current step. */
    private static final class Semi {
        final int[] facts;
        final int[] matched;
        int matchedCount;
        int stamp = -1;
        /** Left semi-contexts only: right semi id → context id, in creation order. */
        final Map<Integer, Integer> contexts;

        Semi(int[] facts, boolean left) {
            this.facts = facts;
            this.matched = new int[facts.length];
            this.contexts = left ? new LinkedHashMap<>() : null;
        }

        boolean full() {
            return matchedCount == facts.length;
        }
    }

    private static final class Context {
        final int id;
        final int[] right;
        long predicted;
        long confirmed;
        int activations;
        boolean zeroLevel;

        Context(int id, int[] right, boolean zeroLevel) {
            this.id = id;
            this.right = right;
            this.zeroLevel = zeroLevel;
        }
    }

    /** Per-side index: fact set → semi id, fact → semis containing it, and the semis crossed at the last step. */
    private static final class Side {
        final boolean left;
        final Map<FactSet, Integer> ids = new HashMap<>();
        final List<Semi> semis = new ArrayList<>();
        final Map<Integer, List<Semi>> byFact = new HashMap<>();
        final List<Semi> crossed = new ArrayList<>();

        Side(boolean left) {
            this.left = left;
        }

        int getOrCreate(int[] facts) {
            FactSet key = new FactSet(facts);
            Integer id = ids.get(key);
            if (id != null) {
                return id;
            }
            int nid = semis.size();
            Semi s = new Semi(facts, left);
            semis.add(s);
            ids.put(key, nid);
            for (int f : facts) {
                byFact.computeIfAbsent(f, k -> new ArrayList<>()).add(s);
            }
            return nid;
        }

        /** Marks, for every semi, which of its facts are in {@code facts}; fills {@link #crossed}. */
        void cross(int[] facts, int step) {
            for (Semi s : crossed) {
                s.matchedCount = 0;
            }
            crossed.clear();
            for (int f : facts) {
                List<Semi> list = byFact.get(f);
                if (list == null) {
                    continue;
                }
                for (Semi s : list) {
                    if (s.stamp != step) {
                        s.stamp = step;
                        s.matchedCount = 0;
                        crossed.add(s);
                    }
                    s.matched[s.matchedCount++] = f;
                }
            }
        }
    }

    private static final int NEURON_BASE = 1 << 16;

    private final String name;
    private final int bits;
    private final int learnSamples;
    private final double widenTolerance;
    private final int maxLeftSemiContext;
    /** Bound on learned contexts; past it the model is rebuilt from the kept history ({@link #CONTEXTS_PER_HISTORY}). */
    private final int maxContexts;
    private final int maxActiveNeurons;
    private final double alarmLevel;
    private final int restPeriod;
    private final RestMode restMode;

    private Side leftSide;
    private Side rightSide;
    private List<Context> contexts;
    private int newContextId;
    private int[] leftGroup;
    private Set<Integer> lastPredictions;
    private final double[] historyRing;
    private int historyHead;
    private int historySize;
    private double seenLo;
    private double seenHi;
    private double gridLo;
    private double gridHi;
    private boolean fixedRange;
    private long rebuilds;
    private long modelSamples;
    private int step;
    private int resting;
    private long count;
    private boolean anomalous;

    /**
     * @param name               detector name
     * @param bits               sensor facts per sample: the binary digits of one of 2^bits levels (CAD OSE: 3)
     * @param learnSamples       samples seen before the first grid is fixed (the range needs some history)
     * @param history            samples kept and replayed into a fresh model when the grid is widened
     * @param widenTolerance     a value more than this fraction of the range outside it widens the grid; values
     *                           closer are clipped to the edge level
     * @param maxLeftSemiContext largest left part of a learned (non-zero-level) context (CAD OSE: 7)
     * @param maxActiveNeurons   confirmed contexts fed back as facts (CAD OSE: 15)
     * @param alarmLevel         raw score that counts as an alarm and starts a rest period (CAD OSE: 0.75)
     * @param restPeriod         samples with output 0 after an alarm, and at start
     */
    public ContextualAnomalyDetector(String name, int bits, int learnSamples, int history, double widenTolerance,
                                     int maxLeftSemiContext, int maxActiveNeurons, double alarmLevel,
                                     int restPeriod) {
        this(name, bits, learnSamples, history, widenTolerance, maxLeftSemiContext, maxActiveNeurons, alarmLevel,
                restPeriod, RestMode.SLIDING);
    }

    /**
     * As {@link #ContextualAnomalyDetector(String, int, int, int, double, int, int, double, int)} (which uses
     * {@link RestMode#SLIDING}), with an explicit rest rule.
     *
     * @param restMode how an alarm silences the following {@code restPeriod} samples
     */
    public ContextualAnomalyDetector(String name, int bits, int learnSamples, int history, double widenTolerance,
                                     int maxLeftSemiContext, int maxActiveNeurons, double alarmLevel,
                                     int restPeriod, RestMode restMode) {
        if (restMode == null) {
            throw new IllegalArgumentException("restMode must not be null");
        }
        this.restMode = restMode;
        if (bits < 1 || bits > 12) {
            throw new IllegalArgumentException("bits must be in [1, 12], got " + bits);
        }
        if (learnSamples < 2 || history < learnSamples || !(widenTolerance >= 0)) {
            throw new IllegalArgumentException("invalid CAD grid: learnSamples=" + learnSamples + ", history="
                    + history + ", widenTolerance=" + widenTolerance);
        }
        if (maxLeftSemiContext < 1 || maxActiveNeurons < 0 || restPeriod < 0) {
            throw new IllegalArgumentException("invalid CAD sizes: maxLeftSemiContext=" + maxLeftSemiContext
                    + ", maxActiveNeurons=" + maxActiveNeurons + ", restPeriod=" + restPeriod);
        }
        if (!(alarmLevel > 0 && alarmLevel <= 1)) {
            throw new IllegalArgumentException("alarmLevel must be in (0, 1], got " + alarmLevel);
        }
        this.name = name;
        this.bits = bits;
        this.learnSamples = learnSamples;
        this.widenTolerance = widenTolerance;
        this.maxLeftSemiContext = maxLeftSemiContext;
        this.maxActiveNeurons = maxActiveNeurons;
        this.alarmLevel = alarmLevel;
        this.restPeriod = restPeriod;
        this.historyRing = new double[history];
        this.maxContexts = CONTEXTS_PER_HISTORY * history;
        reset();
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Declares the value range in advance, as NAB's harness allows (its {@code inputMin}/{@code inputMax} of the
     * whole file). That is a look-ahead, so no catalogued configuration uses it; it exists only to check this
     * implementation against CAD OSE's published setting. Must be called before the first sample; the grid then
     * never changes.
     */
    public void primeRange(double knownMin, double knownMax) {
        if (count > 0 || !(knownMin <= knownMax)) {
            throw new IllegalStateException("primeRange needs min <= max and a fresh detector");
        }
        gridLo = knownMin;
        gridHi = knownMax;
        fixedRange = true;
    }

    /** The bound on learned contexts: {@link #CONTEXTS_PER_HISTORY} times {@code history}. */
    public int maxContexts() {
        return maxContexts;
    }

    /** The rest rule of this detector. */
    public RestMode restMode() {
        return restMode;
    }

    /** Number of contexts learned so far (for tests and diagnostics). */
    public int contextCount() {
        return contexts.size();
    }

    /** How many times the grid was (re)built from the history (for tests and diagnostics). */
    public long rebuilds() {
        return rebuilds;
    }

    @Override
    public double update(double value) {
        anomalous = false;
        if (!Double.isFinite(value)) {
            return 0.0;
        }
        count++;
        seenLo = Math.min(seenLo, value);
        seenHi = Math.max(seenHi, value);
        double raw = 0.0;
        if (!fixedRange) {
            boolean gridless = Double.isNaN(gridLo);
            if (gridless && count >= learnSamples && seenHi > seenLo) {
                gridLo = seenLo;
                gridHi = seenHi;
                rebuild();
                gridless = false;
                resting = restPeriod; // the initial rest starts with the model
            } else if (!gridless) {
                double tol = (gridHi - gridLo) * widenTolerance;
                if (value > gridHi + tol || value < gridLo - tol) {
                    gridLo = Math.min(gridLo, value);
                    gridHi = Math.max(gridHi, value);
                    rebuild();
                }
            }
            if (!gridless) {
                raw = rawScore(value);
                modelSamples++;
            }
        } else {
            raw = rawScore(value);
            modelSamples++;
        }
        if (contexts.size() > maxContexts) {
            rebuild(); // memory bound: forget, relearn the kept history (this sample is scored already)
        }
        if (historySize == historyRing.length) {
            historyRing[historyHead] = value;
            historyHead = (historyHead + 1) % historyRing.length;
        } else {
            historyRing[(historyHead + historySize) % historyRing.length] = value;
            historySize++;
        }
        return output(raw);
    }

    /** Forgets all contexts and relearns the kept history on the current grid (outputs of the replay are dropped). */
    private void rebuild() {
        rebuilds++;
        resetModel();
        for (int i = 0; i < historySize; i++) {
            rawScore(historyRing[(historyHead + i) % historyRing.length]);
        }
    }

    /** The grid level of {@code value}: 2^bits - 1 equal steps over [gridLo, gridHi], clipped. */
    private int level(double value) {
        int top = (1 << bits) - 1;
        double range = gridHi - gridLo;
        if (!(range > 0)) {
            return 0;
        }
        double l = Math.floor((value - gridLo) / (range / top));
        return (int) Math.max(0, Math.min(top, l));
    }

    private int[] sensorFacts(int level) {
        int[] f = new int[bits];
        for (int b = 0; b < bits; b++) {
            f[b] = 2 * b + ((level >> b) & 1);
        }
        return f;
    }

    /** Learns one sample and returns its raw score (0 when every sensor fact had been predicted). */
    private double rawScore(double value) {
        int[] sensors = sensorFacts(level(value));
        boolean surprise = false;
        for (int f : sensors) {
            if (!lastPredictions.contains(f)) {
                surprise = true;
                break;
            }
        }
        double[] parts = step(sensors);
        return surprise ? (1.0 - parts[0] + parts[1]) / 2.0 : 0.0;
    }

    /**
     * Applies the rest period: an alarm-level raw score ({@link RestMode#SLIDING}) or a reported alarm
     * ({@link RestMode#HOLD_OFF}) silences the next {@code restPeriod} samples.
     */
    private double output(double raw) {
        double out;
        if (resting > 0) {
            resting--;
            out = 0.0;
        } else {
            out = raw;
        }
        if (raw >= alarmLevel && (restMode == RestMode.SLIDING || out >= alarmLevel)) {
            resting = Math.max(resting, restPeriod);
        }
        anomalous = out >= alarmLevel;
        return out;
    }

    /** One learning step; returns {share of selected contexts confirmed, share of candidate contexts new}. */
    private double[] step(int[] sensors) {
        step++;
        Set<FactSet> candidates = new HashSet<>();
        boolean newZero = false;
        if (leftGroup.length > 0) {
            candidates.add(pairKey(leftGroup, sensors));
            newZero = addContext(leftGroup, sensors, true);
        }
        rightSide.cross(sensors, step);
        // review the left semi-contexts crossed at the previous step against the current sensors
        List<Context> active = new ArrayList<>();
        List<int[][]> potential = new ArrayList<>();
        int selected = 0;
        for (Semi l : leftSide.crossed) {
            for (Map.Entry<Integer, Integer> e : l.contexts.entrySet()) {
                int cid = e.getValue();
                if (cid == newContextId) {
                    continue;
                }
                Context c = contexts.get(cid);
                Semi r = rightSide.semis.get(e.getKey());
                int rMatched = r.stamp == step ? r.matchedCount : 0;
                if (l.full()) {
                    selected++;
                    c.predicted += r.facts.length;
                    if (rMatched > 0) {
                        c.confirmed += rMatched;
                        if (rMatched == r.facts.length) {
                            c.activations++;
                            active.add(c);
                        } else if (c.zeroLevel && newZero && l.matchedCount <= maxLeftSemiContext) {
                            potential.add(new int[][] {Arrays.copyOf(l.matched, l.matchedCount),
                                    Arrays.copyOf(r.matched, rMatched)});
                        }
                    }
                } else if (c.zeroLevel && newZero && rMatched > 0 && l.matchedCount <= maxLeftSemiContext) {
                    potential.add(new int[][] {Arrays.copyOf(l.matched, l.matchedCount),
                            Arrays.copyOf(r.matched, rMatched)});
                }
            }
        }
        newContextId = -1;
        for (int[][] p : potential) {
            candidates.add(pairKey(p[0], p[1]));
        }
        double confirmedShare = selected > 0 ? active.size() / (double) selected : 0.0;
        // strongest confirmed contexts become neuron facts of the next left group
        active.sort((a, b) -> a.activations != b.activations ? Integer.compare(a.activations, b.activations)
                : Integer.compare(a.id, b.id));
        int from = Math.max(0, active.size() - maxActiveNeurons);
        int[] group = new int[sensors.length + active.size() - from];
        System.arraycopy(sensors, 0, group, 0, sensors.length);
        for (int i = from; i < active.size(); i++) {
            group[sensors.length + i - from] = NEURON_BASE + active.get(i).id;
        }
        Arrays.sort(group);
        leftGroup = group;
        // store the generalised contexts, then cross the left side with the new group and predict
        int added = 0;
        for (int[][] p : potential) {
            if (addContext(p[0], p[1], false)) {
                added++;
            }
        }
        leftSide.cross(group, step);
        double best = 0.0;
        List<Context> predictors = new ArrayList<>();
        for (Semi l : leftSide.crossed) {
            if (!l.full()) {
                continue;
            }
            for (int cid : l.contexts.values()) {
                Context c = contexts.get(cid);
                double w = c.predicted > 0 ? c.confirmed / (double) c.predicted : 0.0;
                if (w > best) {
                    best = w;
                    predictors.clear();
                    predictors.add(c);
                } else if (w == best) {
                    predictors.add(c);
                }
            }
        }
        lastPredictions = new HashSet<>();
        for (Context c : predictors) {
            for (int f : c.right) {
                lastPredictions.add(f);
            }
        }
        if (newZero) {
            added++;
        }
        double newShare = newZero && !candidates.isEmpty() ? added / (double) candidates.size() : 0.0;
        return new double[] {confirmedShare, newShare};
    }

    private static FactSet pairKey(int[] left, int[] right) {
        int[] k = new int[left.length + 1 + right.length];
        System.arraycopy(left, 0, k, 0, left.length);
        k[left.length] = Integer.MIN_VALUE;
        System.arraycopy(right, 0, k, left.length + 1, right.length);
        return new FactSet(k);
    }

    /** Looks up or creates the context (left, right); returns true if it was created. */
    private boolean addContext(int[] left, int[] right, boolean zeroLevel) {
        int lid = leftSide.getOrCreate(left);
        int rid = rightSide.getOrCreate(right);
        Semi l = leftSide.semis.get(lid);
        Integer cid = l.contexts.get(rid);
        if (cid == null) {
            int id = contexts.size();
            contexts.add(new Context(id, rightSide.semis.get(rid).facts, zeroLevel));
            l.contexts.put(rid, id);
            if (zeroLevel) {
                newContextId = id;
            }
            return true;
        }
        if (zeroLevel) {
            contexts.get(cid).zeroLevel = true;
        }
        return false;
    }

    @Override
    public boolean isAnomalous() {
        return anomalous;
    }

    /** True until the value grid exists and during the initial rest period that starts with it. */
    @Override
    public boolean isWarmingUp() {
        return Double.isNaN(gridLo) || modelSamples < restPeriod;
    }

    @Override
    public void reset() {
        resetModel();
        historyHead = 0;
        historySize = 0;
        seenLo = Double.POSITIVE_INFINITY;
        seenHi = Double.NEGATIVE_INFINITY;
        gridLo = Double.NaN;
        gridHi = Double.NaN;
        fixedRange = false;
        rebuilds = 0;
        modelSamples = 0;
        resting = restPeriod;
        count = 0;
        anomalous = false;
    }

    private void resetModel() {
        leftSide = new Side(true);
        rightSide = new Side(false);
        contexts = new ArrayList<>();
        newContextId = -1;
        leftGroup = new int[0];
        lastPredictions = new HashSet<>();
        step = 0;
    }
}
