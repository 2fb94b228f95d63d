package dev.helix.nexus.agent.live;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.engine.DomainHandler;
import dev.helix.nexus.core.engine.TickContext;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.detect.behavior.BehaviorClassifier;
import dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor;
import dev.helix.nexus.detect.behavior.BehaviorPattern;
import dev.helix.nexus.detect.behavior.BehaviorSubject;
import dev.helix.nexus.detect.behavior.BehaviorVerdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Behaviour patterns in the live agent: a {@link BehaviorFeatureExtractor} fed with every sample of the Sense domain
 * ({@link #sink()}, attached with {@code NexusEngine.Builder.sampleSink}) keeps the last {@code window} ticks; every
 * {@code every} ticks this handler (Understand domain, so it runs from level Detection up) classifies the host, the
 * processes the sensors report and the cgroups with {@link BehaviorClassifier}, and writes a
 * {@link EventCategory#DETECTION} event of type {@value #TYPE} when a subject's state changes, with the pattern, its
 * confidence, the previous state and the classifier's evidence.
 *
 * <p><b>State.</b> A subject's state is its leading non-Normal pattern when that has confidence ≥ {@value #ENTER};
 * it keeps that state while the pattern's confidence stays ≥ {@value #STAY} and no other pattern leads with
 * ≥ {@value #ENTER} (hysteresis, so a confidence hovering around 0.5 does not flap); otherwise it is Normal, but a
 * subject returns to Normal only after ceil(window / every) classifications in a row said so, i.e. once the whole
 * window it was diagnosed on has been replaced by symptom-free ticks (a leak that grows in bursts is not "over" at
 * its first flat stretch). Every subject starts Normal, so a subject that is and stays Normal never produces an
 * event; a change back to Normal does.
 * Subjects that left the window (a process that exited) are forgotten.
 *
 * <p><b>Leaks need persistence.</b> ResourceLeak becomes a subject's state only after it has led (confidence ≥
 * {@value #ENTER}) in {@value #LEAK_CONFIRMATIONS} classifications in a row, i.e. after growth over
 * {@code window + (LEAK_CONFIRMATIONS - 1) · every} ticks (140 s at the defaults and a 1 s tick). A window of 30
 * ticks cannot tell a leak from start-up growth — a JVM expanding its heap, filling caches and compiling for its
 * first minute or two — which levels off; a leak keeps growing. The other patterns are about the present and enter
 * at once.
 *
 * <p><b>Bounded cost and output.</b> Only the host, the {@code top} highest-ranked processes and the {@code top}
 * highest-ranked cgroups may produce events in one classification ({@link #select} by {@link #RANKING}: strongest
 * non-Normal confidence, then mean CPU cores, then id; {@code nexus patterns} shows the same selection); the process
 * pool is already bounded by the process sensor, which reports its top N per ranking. A classification costs
 * O(window × subjects) for the features plus O(window²) per subject for the leak rule's Mann-Kendall test; the sink
 * costs O(1) per sample (the extractor allocates one frame per subject per tick). Not thread-safe: the tick thread
 * feeds the sink and runs the handler.
 */
public final class LivePatterns implements DomainHandler {

    /** Event type of a change of behaviour pattern. */
    public static final String TYPE = "pattern";
    /** Confidence at which a non-Normal pattern becomes a subject's state. */
    public static final double ENTER = 0.5;
    /** Confidence below which a subject's current non-Normal state ends. */
    public static final double STAY = 0.25;
    /** Classifications in a row that must lead with ResourceLeak before it becomes a subject's state. */
    public static final int LEAK_CONFIRMATIONS = 12;

    /**
     * Order of processes and cgroups, here and in {@code nexus patterns}: strongest non-Normal confidence first, then
     * more CPU cores (unknown last), then id, so equal inputs always come in the same order.
     */
    public static final Comparator<Subject> RANKING = Comparator.comparingDouble(Subject::symptom).reversed()
            .thenComparing(Comparator.comparingDouble(Subject::cpuOrMinus).reversed())
            .thenComparing(s -> s.subject().id());

    /**
     * One classified subject (an immutable value).
     *
     * @param subject  host, process or cgroup
     * @param name     the process name ({@code comm}), else the subject's id
     * @param cpuCores mean CPU cores used over the window (NaN for the host and when unknown)
     * @param verdicts the classifier's verdicts, most confident first (never empty)
     */
    public record Subject(BehaviorSubject subject, String name, double cpuCores, List<BehaviorVerdict> verdicts) {
        public Subject {
            verdicts = List.copyOf(verdicts);
            if (verdicts.isEmpty()) {
                throw new IllegalArgumentException("no verdict for " + subject);
            }
        }

        /** Confidence of the most confident pattern other than Normal (0 when none fired). O(verdicts). */
        public double symptom() {
            double m = 0;
            for (BehaviorVerdict v : verdicts) {
                if (v.pattern() != BehaviorPattern.NORMAL) {
                    m = Math.max(m, v.confidence());
                }
            }
            return m;
        }

        private double cpuOrMinus() {
            return Double.isNaN(cpuCores) ? -1 : cpuCores;
        }
    }

    private final BehaviorFeatureExtractor extractor;
    private final BehaviorClassifier classifier = new BehaviorClassifier();
    private final int every;
    private final int top;
    private final Map<BehaviorSubject, BehaviorPattern> state = new HashMap<>();
    private final Map<BehaviorSubject, Integer> normalStreak = new HashMap<>();
    private final Map<BehaviorSubject, Integer> leakStreak = new HashMap<>();
    private final int normalToClear;
    private long ticks;

    /**
     * @param window ticks of telemetry classified, ≥ 10 (the leak rule needs 10 samples)
     * @param every  classify every this many ticks, in [1, window]
     * @param top    processes and cgroups (each) that may produce events per classification, ≥ 1
     * @param ownPid pid the unlabelled {@code jvm_*} series of NEXUS's own JVM belong to, or 0 to ignore them
     */
    public LivePatterns(int window, int every, int top, long ownPid) {
        if (window < 10) {
            throw new IllegalArgumentException("window must be >= 10 ticks, got " + window);
        }
        if (every < 1 || every > window) {
            throw new IllegalArgumentException("every must be in [1, window=" + window + "] ticks, got " + every);
        }
        if (top < 1) {
            throw new IllegalArgumentException("top must be >= 1, got " + top);
        }
        this.extractor = new BehaviorFeatureExtractor(window, ownPid);
        this.every = every;
        this.top = top;
        this.normalToClear = (window + every - 1) / every;
    }

    /** The live defaults: classify every 10 ticks over the last 30, top 5 processes and cgroups, NEXUS's own pid. */
    public static LivePatterns standard() {
        return new LivePatterns(30, 10, 5, ProcessHandle.current().pid());
    }

    /** Where the engine's samples go (the extractor). */
    public MetricSink sink() {
        return extractor;
    }

    /** The current state of a subject (Normal when unknown). */
    public BehaviorPattern state(BehaviorSubject s) {
        return state.getOrDefault(s, BehaviorPattern.NORMAL);
    }

    /**
     * Every subject of the extractor's window with its verdicts, in {@link BehaviorFeatureExtractor#subjects()}
     * order. O(window × subjects) (the classification).
     */
    public static List<Subject> classify(BehaviorFeatureExtractor x, BehaviorClassifier classifier) {
        List<Subject> out = new ArrayList<>();
        x.classify(classifier).forEach((s, v) -> out.add(new Subject(s, x.name(s),
                s.kind() == BehaviorSubject.Kind.HOST ? Double.NaN : x.cpuCores(s), v)));
        return out;
    }

    /**
     * The subjects that count: the host(s) first, then the {@code top} highest-ranked processes, then the {@code top}
     * highest-ranked cgroups, each by {@link #RANKING}. O(s log s) for s subjects.
     */
    public static List<Subject> select(List<Subject> subjects, int top) {
        List<Subject> out = new ArrayList<>();
        for (BehaviorSubject.Kind kind : BehaviorSubject.Kind.values()) {
            subjects.stream().filter(s -> s.subject().kind() == kind).sorted(RANKING)
                    .limit(kind == BehaviorSubject.Kind.HOST ? Long.MAX_VALUE : top).forEach(out::add);
        }
        return out;
    }

    @Override
    public Domain domain() {
        return Domain.UNDERSTAND;
    }

    @Override
    public void onTick(TickContext ctx) {
        ticks++;
        if (ticks % every != 0 || extractor.ticks() < 2) {
            return;
        }
        List<Subject> classified = classify(extractor, classifier);
        Set<BehaviorSubject> present = new HashSet<>();
        classified.forEach(r -> present.add(r.subject()));
        state.keySet().retainAll(present);
        normalStreak.keySet().retainAll(present);
        leakStreak.keySet().retainAll(present);
        for (Subject r : select(classified, top)) {
            BehaviorSubject s = r.subject();
            BehaviorPattern before = state(s);
            BehaviorVerdict lead = r.verdicts().get(0);
            BehaviorVerdict now;
            boolean leads = lead.pattern() != BehaviorPattern.NORMAL && lead.confidence() >= ENTER;
            if (leads && lead.pattern() == BehaviorPattern.RESOURCE_LEAK) {
                int streak = leakStreak.merge(s, 1, Integer::sum);
                leads = before == BehaviorPattern.RESOURCE_LEAK || streak >= LEAK_CONFIRMATIONS;
            } else {
                leakStreak.remove(s);
            }
            if (leads) {
                now = lead;
            } else if (before != BehaviorPattern.NORMAL && confidence(r.verdicts(), before) >= STAY) {
                now = find(r.verdicts(), before);
            } else {
                now = find(r.verdicts(), BehaviorPattern.NORMAL);
            }
            if (now.pattern() == BehaviorPattern.NORMAL && before != BehaviorPattern.NORMAL
                    && normalStreak.merge(s, 1, Integer::sum) < normalToClear) {
                continue; // not yet a whole window without the symptom
            }
            if (now.pattern() != BehaviorPattern.NORMAL) {
                normalStreak.remove(s);
            }
            if (now.pattern() == before) {
                continue;
            }
            normalStreak.remove(s);
            state.put(s, now.pattern());
            emit(ctx, r, before, now);
        }
    }

    private void emit(TickContext ctx, Subject subject, BehaviorPattern before, BehaviorVerdict now) {
        BehaviorSubject s = subject.subject();
        String name = subject.name();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("kind", s.kind().name().toLowerCase(Locale.ROOT));
        ev.put("id", s.id());
        ev.put("name", name);
        ev.put("pattern", now.pattern().name());
        ev.put("label", label(now.pattern()));
        ev.put("confidence", now.confidence());
        ev.put("previous", before.name());
        ev.put("evidence", now.evidence());
        ev.put("windowTicks", extractor.ticks());
        String who = s.kind() == BehaviorSubject.Kind.PROCESS && !name.equals(s.id()) ? s + " " + name : s.toString();
        String reason = now.pattern() == BehaviorPattern.NORMAL
                ? String.format(Locale.ROOT, "%s is Normal again (was %s)", who, label(before))
                : String.format(Locale.ROOT, "%s is %s (confidence %.2f): %s", who, label(now.pattern()),
                        now.confidence(), String.join("; ", now.evidence()));
        String component = s.kind() == BehaviorSubject.Kind.HOST ? "host"
                : s.kind().name().toLowerCase(Locale.ROOT) + ":" + s.id();
        ctx.event(new NexusEvent(ctx.timestampMillis(), EventCategory.DETECTION, TYPE, component, reason, ev));
    }

    private static double confidence(List<BehaviorVerdict> verdicts, BehaviorPattern p) {
        for (BehaviorVerdict v : verdicts) {
            if (v.pattern() == p) {
                return v.confidence();
            }
        }
        return 0;
    }

    private static BehaviorVerdict find(List<BehaviorVerdict> verdicts, BehaviorPattern p) {
        for (BehaviorVerdict v : verdicts) {
            if (v.pattern() == p) {
                return v;
            }
        }
        throw new IllegalStateException("the classifier returned no " + p + " verdict"); // NORMAL is always there
    }

    /**
     * The pattern's name as the docs write it, used in events and by {@code nexus patterns}: {@code CPU_BOUND} is
     * {@code CpuBound}. O(length of the name); stateless.
     */
    public static String label(BehaviorPattern p) {
        StringBuilder b = new StringBuilder();
        for (String word : p.name().split("_")) {
            b.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }
}
