package dev.helix.nexus.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The immutable engine configuration. Defaults are the {@code DEFAULT_*} constants; {@link #validate()} reports every
 * problem at once; {@link Builder#build()} refuses an invalid configuration with all its problems.
 *
 * <p>Loaded from YAML by {@link ConfigLoader}, whose keys are exactly these component names.
 *
 * @param tickDuration         period of the tick loop
 * @param enableSense          run the Sense domain (sensors)
 * @param enableUnderstand     run the Understand domain (anomaly detection, patterns)
 * @param enableReason         run the Reason domain (prediction, diagnosis)
 * @param enableDecide         run the Decide domain (choosing actions)
 * @param enableAct            run the Act domain (executing actions through the safety gate)
 * @param enableMemory         run the Memory domain (history, events)
 * @param enableReflect        run the Reflect domain (NEXUS watching itself)
 * @param maxBusQueue          bound on messages queued on the bus
 * @param enableSafety         enforce the safety rules (never PID 1, never NEXUS itself, the protect-list, budget)
 * @param enableTelemetry      export NEXUS's own metrics
 * @param level                how far NEXUS may go, 0 to 6
 * @param confirmationWindow   below Autonomous, how long a proposed action waits for approval or veto
 * @param dryRun               log the exact actions that would be taken, change nothing
 * @param actionBudgetPerMinute at most this many actions per minute
 * @param protect              process names, pids or cgroup paths never acted on
 * @param dataDir              where the event log, status file and store live
 * @param jvmTargets           other JVMs to read over JMX: process ids (Attach API) or {@code service:jmx:} URLs;
 *                             replaced by {@code -Dnexus.jvm.targets} / {@code NEXUS_JVM_TARGETS} when set
 *                             ({@link SenseTargets})
 * @param scrapeTargets        Prometheus/OpenMetrics text endpoints to scrape, each with its timeout and interval;
 *                             replaced by {@code -Dnexus.scrape.targets} / {@code NEXUS_SCRAPE_TARGETS} when set
 */
public record NexusConfig(
        Duration tickDuration,
        boolean enableSense,
        boolean enableUnderstand,
        boolean enableReason,
        boolean enableDecide,
        boolean enableAct,
        boolean enableMemory,
        boolean enableReflect,
        int maxBusQueue,
        boolean enableSafety,
        boolean enableTelemetry,
        NexusLevel level,
        Duration confirmationWindow,
        boolean dryRun,
        int actionBudgetPerMinute,
        List<String> protect,
        Path dataDir,
        List<String> jvmTargets,
        List<SenseTargets.ScrapeTarget> scrapeTargets) {

    public static final Duration DEFAULT_TICK_DURATION = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_BUS_QUEUE = 10_000;
    public static final NexusLevel DEFAULT_LEVEL = NexusLevel.DETECTION;
    public static final Duration DEFAULT_CONFIRMATION_WINDOW = Duration.ofSeconds(30);
    public static final int DEFAULT_ACTION_BUDGET_PER_MINUTE = 10;
    public static final Path DEFAULT_DATA_DIR = Path.of(System.getProperty("user.home", "."), ".nexus");

    static final Duration MAX_TICK_DURATION = Duration.ofHours(1);
    static final int MAX_BUS_QUEUE = 10_000_000;

    public NexusConfig {
        protect = protect == null ? List.of() : List.copyOf(protect);
        jvmTargets = jvmTargets == null ? List.of() : List.copyOf(jvmTargets);
        scrapeTargets = scrapeTargets == null ? List.of() : List.copyOf(scrapeTargets);
    }

    /** The defaults. */
    public static NexusConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** True when the domain is enabled. */
    public boolean isEnabled(Domain d) {
        return switch (d) {
            case SENSE -> enableSense;
            case UNDERSTAND -> enableUnderstand;
            case REASON -> enableReason;
            case DECIDE -> enableDecide;
            case ACT -> enableAct;
            case MEMORY -> enableMemory;
            case REFLECT -> enableReflect;
        };
    }

    /** Every problem with this configuration; empty when valid. */
    public List<ConfigProblem> validate() {
        return validate("");
    }

    /** Every problem, each tagged with {@code source}. */
    public List<ConfigProblem> validate(String source) {
        List<ConfigProblem> p = new ArrayList<>();
        if (tickDuration == null || tickDuration.isZero() || tickDuration.isNegative()
                || tickDuration.compareTo(MAX_TICK_DURATION) > 0) {
            p.add(new ConfigProblem(source, 0, "tickDuration", Durations.format(tickDuration),
                    "must be a positive duration of at most 1h, such as 250ms, 1s or 2m"));
        }
        if (maxBusQueue < 1 || maxBusQueue > MAX_BUS_QUEUE) {
            p.add(new ConfigProblem(source, 0, "maxBusQueue", Integer.toString(maxBusQueue),
                    "must be an integer from 1 to " + MAX_BUS_QUEUE));
        }
        if (level == null) {
            p.add(new ConfigProblem(source, 0, "level", "null", "must be 0-6 or one of " + NexusLevel.allowedNames()));
        }
        if (confirmationWindow == null || confirmationWindow.isNegative()) {
            p.add(new ConfigProblem(source, 0, "confirmationWindow", Durations.format(confirmationWindow),
                    "must be a duration of zero or more, such as 0s or 30s"));
        }
        if (actionBudgetPerMinute < 1) {
            p.add(new ConfigProblem(source, 0, "actionBudgetPerMinute", Integer.toString(actionBudgetPerMinute),
                    "must be an integer of at least 1"));
        }
        for (String s : protect) {
            if (s == null || s.isBlank()) {
                p.add(new ConfigProblem(source, 0, "protect", String.valueOf(s), "entries must be non-blank names, pids or cgroup paths"));
            }
        }
        if (dataDir == null) {
            p.add(new ConfigProblem(source, 0, "dataDir", "null", "must be a directory path"));
        }
        for (String target : jvmTargets) {
            String problem = SenseTargets.jvmTargetProblem(target);
            if (problem != null) {
                p.add(new ConfigProblem(source, 0, "jvmTargets", target, problem));
            }
        }
        for (SenseTargets.ScrapeTarget t : scrapeTargets) {
            for (String problem : t.problems()) {
                p.add(new ConfigProblem(source, 0, "scrapeTargets", String.valueOf(t.url()), problem));
            }
        }
        return p;
    }

    /**
     * Fluent builder of {@link NexusConfig}, starting from the defaults. Not thread-safe.
     */
    public static final class Builder {
        private Duration tickDuration = DEFAULT_TICK_DURATION;
        private boolean enableSense = true;
        private boolean enableUnderstand = true;
        private boolean enableReason = true;
        private boolean enableDecide = true;
        private boolean enableAct = true;
        private boolean enableMemory = true;
        private boolean enableReflect = true;
        private int maxBusQueue = DEFAULT_MAX_BUS_QUEUE;
        private boolean enableSafety = true;
        private boolean enableTelemetry = true;
        private NexusLevel level = DEFAULT_LEVEL;
        private Duration confirmationWindow = DEFAULT_CONFIRMATION_WINDOW;
        private boolean dryRun;
        private int actionBudgetPerMinute = DEFAULT_ACTION_BUDGET_PER_MINUTE;
        private List<String> protect = List.of();
        private Path dataDir = DEFAULT_DATA_DIR;
        private List<String> jvmTargets = List.of();
        private List<SenseTargets.ScrapeTarget> scrapeTargets = List.of();

        Builder() {
        }

        Builder(NexusConfig c) {
            tickDuration = c.tickDuration;
            enableSense = c.enableSense;
            enableUnderstand = c.enableUnderstand;
            enableReason = c.enableReason;
            enableDecide = c.enableDecide;
            enableAct = c.enableAct;
            enableMemory = c.enableMemory;
            enableReflect = c.enableReflect;
            maxBusQueue = c.maxBusQueue;
            enableSafety = c.enableSafety;
            enableTelemetry = c.enableTelemetry;
            level = c.level;
            confirmationWindow = c.confirmationWindow;
            dryRun = c.dryRun;
            actionBudgetPerMinute = c.actionBudgetPerMinute;
            protect = c.protect;
            dataDir = c.dataDir;
            jvmTargets = c.jvmTargets;
            scrapeTargets = c.scrapeTargets;
        }

        public Builder tickDuration(Duration v) { tickDuration = v; return this; }
        public Builder enableSense(boolean v) { enableSense = v; return this; }
        public Builder enableUnderstand(boolean v) { enableUnderstand = v; return this; }
        public Builder enableReason(boolean v) { enableReason = v; return this; }
        public Builder enableDecide(boolean v) { enableDecide = v; return this; }
        public Builder enableAct(boolean v) { enableAct = v; return this; }
        public Builder enableMemory(boolean v) { enableMemory = v; return this; }
        public Builder enableReflect(boolean v) { enableReflect = v; return this; }
        public Builder maxBusQueue(int v) { maxBusQueue = v; return this; }
        public Builder enableSafety(boolean v) { enableSafety = v; return this; }
        public Builder enableTelemetry(boolean v) { enableTelemetry = v; return this; }
        public Builder level(NexusLevel v) { level = v; return this; }
        public Builder confirmationWindow(Duration v) { confirmationWindow = v; return this; }
        public Builder dryRun(boolean v) { dryRun = v; return this; }
        public Builder actionBudgetPerMinute(int v) { actionBudgetPerMinute = v; return this; }
        public Builder protect(List<String> v) { protect = Objects.requireNonNullElse(v, List.of()); return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder jvmTargets(List<String> v) { jvmTargets = Objects.requireNonNullElse(v, List.of()); return this; }
        public Builder scrapeTargets(List<SenseTargets.ScrapeTarget> v) {
            scrapeTargets = Objects.requireNonNullElse(v, List.of());
            return this;
        }

        /** Enables or disables one domain. */
        public Builder enable(Domain d, boolean on) {
            switch (d) {
                case SENSE -> enableSense = on;
                case UNDERSTAND -> enableUnderstand = on;
                case REASON -> enableReason = on;
                case DECIDE -> enableDecide = on;
                case ACT -> enableAct = on;
                case MEMORY -> enableMemory = on;
                case REFLECT -> enableReflect = on;
            }
            return this;
        }

        /** The configuration, without validation (for tools that report problems themselves). */
        public NexusConfig buildUnchecked() {
            return new NexusConfig(tickDuration, enableSense, enableUnderstand, enableReason, enableDecide, enableAct,
                    enableMemory, enableReflect, maxBusQueue, enableSafety, enableTelemetry, level, confirmationWindow,
                    dryRun, actionBudgetPerMinute, protect, dataDir, jvmTargets, scrapeTargets);
        }

        /**
         * The configuration.
         *
         * @throws InvalidConfigException listing every problem when invalid
         */
        public NexusConfig build() {
            NexusConfig c = buildUnchecked();
            List<ConfigProblem> problems = c.validate("builder");
            if (!problems.isEmpty()) {
                throw new InvalidConfigException(problems);
            }
            return c;
        }
    }
}
