package dev.helix.nexus.heal.degrade;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Graceful degradation of registered optional features. Under pressure (a value in [0, 1], e.g. memory or CPU
 * saturation) at or above {@code shedAbove}, {@link #onPressure} proposes shedding the enabled feature with the lowest
 * priority, one per {@code step}; once pressure has stayed at or below {@code restoreBelow} for {@code restoreAfter},
 * it proposes restoring the shed feature with the highest priority, one per {@code step}. The proposals are
 * {@link Action}s (names {@code degrade.shed} / {@code degrade.restore}, target {@code jvm:<feature>}, level
 * CORRECTION) for the engine's ActionGate; each verifies through {@link Feature#enabled()} and reverts by doing the
 * opposite. {@link #level()} is how many features are shed now (0 = full service).
 *
 * <p>Time comes from the injected clock. Thread-safe: public methods synchronize; toggles are called from the thread
 * that executes the action.
 */
public final class DegradationManager {

    /** An optional feature that can be switched off and on. */
    public interface Feature {
        void disable();

        void enable();

        boolean enabled();
    }

    private record Entry(String name, int priority, Feature feature) { }

    private final EngineClock clock;
    private final double shedAbove;
    private final double restoreBelow;
    private final long restoreAfterNanos;
    private final long stepNanos;
    private final Map<String, Entry> features = new LinkedHashMap<>();
    private long calmSince = -1;
    private long lastProposal = Long.MIN_VALUE / 2;

    public DegradationManager(EngineClock clock, double shedAbove, double restoreBelow, Duration restoreAfter,
                              Duration step) {
        if (!(restoreBelow < shedAbove)) {
            throw new IllegalArgumentException("restoreBelow " + restoreBelow + " must be below shedAbove " + shedAbove);
        }
        this.clock = Objects.requireNonNull(clock);
        this.shedAbove = shedAbove;
        this.restoreBelow = restoreBelow;
        this.restoreAfterNanos = restoreAfter.toNanos();
        this.stepNanos = step.toNanos();
    }

    /** Registers an optional feature; lower priority is shed first and restored last. */
    public synchronized void register(String name, int priority, Feature feature) {
        if (features.putIfAbsent(name, new Entry(name, priority, Objects.requireNonNull(feature))) != null) {
            throw new IllegalArgumentException("feature '" + name + "' is already registered");
        }
    }

    /** How many registered features are off now. */
    public synchronized int level() {
        return (int) features.values().stream().filter(e -> !safeEnabled(e)).count();
    }

    /** Names of the features that are off now. */
    public synchronized List<String> shed() {
        return features.values().stream().filter(e -> !safeEnabled(e)).map(Entry::name).toList();
    }

    private static boolean safeEnabled(Entry e) {
        try {
            return e.feature.enabled();
        } catch (RuntimeException ex) {
            return false;
        }
    }

    /** The action to propose for this pressure sample, if any (see the class comment). */
    public synchronized Optional<Action> onPressure(double pressure) {
        long now = clock.monotonicNanos();
        if (pressure >= shedAbove) {
            calmSince = -1;
            if (now - lastProposal < stepNanos) {
                return Optional.empty();
            }
            Optional<Entry> victim = features.values().stream().filter(DegradationManager::safeEnabled)
                    .min(Comparator.comparingInt(Entry::priority));
            victim.ifPresent(v -> lastProposal = now);
            return victim.map(v -> toggle(v, false, String.format(java.util.Locale.ROOT, "pressure %.2f >= %.2f",
                    pressure, shedAbove)));
        }
        if (pressure > restoreBelow) {
            calmSince = -1;
            return Optional.empty();
        }
        if (calmSince < 0) {
            calmSince = now;
        }
        if (now - calmSince < restoreAfterNanos || now - lastProposal < stepNanos) {
            return Optional.empty();
        }
        Optional<Entry> back = features.values().stream().filter(e -> !safeEnabled(e))
                .max(Comparator.comparingInt(Entry::priority));
        back.ifPresent(b -> lastProposal = now);
        return back.map(b -> toggle(b, true, String.format(java.util.Locale.ROOT,
                "pressure %.2f <= %.2f for %s", pressure, restoreBelow, Duration.ofNanos(restoreAfterNanos))));
    }

    private static Action toggle(Entry e, boolean on, String reason) {
        return new Action() {
            private boolean changed;

            @Override public String name() { return on ? "degrade.restore" : "degrade.shed"; }
            @Override public ComponentId target() { return ComponentId.jvm(e.name()); }
            @Override public NexusLevel requiredLevel() { return NexusLevel.CORRECTION; }

            @Override
            public String describe() {
                return (on ? "restore" : "shed") + " optional feature " + e.name() + " (priority " + e.priority()
                        + ") because " + reason;
            }

            @Override
            public synchronized ActionResult execute() {
                if (e.feature().enabled() == on) {
                    return ActionResult.skipped(e.name() + " is already " + (on ? "on" : "off"));
                }
                set(on);
                if (e.feature().enabled() != on) {
                    return ActionResult.failed(e.name() + " still " + (on ? "off" : "on") + " after the toggle");
                }
                changed = true;
                return ActionResult.succeeded(e.name() + (on ? " restored" : " shed"), Map.of("enabled", on));
            }

            @Override
            public synchronized ActionResult revert() {
                if (!changed) {
                    return ActionResult.succeeded("nothing to undo", Map.of());
                }
                set(!on);
                changed = false;
                return e.feature().enabled() == !on
                        ? ActionResult.succeeded(e.name() + (on ? " shed again" : " restored"), Map.of("enabled", !on))
                        : ActionResult.failed(e.name() + " did not toggle back");
            }

            private void set(boolean v) {
                if (v) {
                    e.feature().enable();
                } else {
                    e.feature().disable();
                }
            }
        };
    }

    /**
     * Survival mode: one HEALING-level {@link Action} ({@code degrade.survival}, target {@code jvm:<target>}) that
     * sheds every optional feature still enabled and verifies each is off; SKIPPED when none is enabled. Revert turns
     * back on the features it shed.
     */
    public Action shedAllAction(String target, String reason) {
        DegradationManager self = this;
        return new Action() {
            private final List<Entry> shedByMe = new ArrayList<>();

            @Override public String name() { return "degrade.survival"; }
            @Override public ComponentId target() { return ComponentId.jvm(target); }
            @Override public NexusLevel requiredLevel() { return NexusLevel.HEALING; }

            @Override
            public String describe() {
                return "survival mode: shed every optional feature (" + String.join(", ", features()) + ") because "
                        + reason;
            }

            @Override
            public synchronized ActionResult execute() {
                List<Entry> on;
                synchronized (self) {
                    on = features.values().stream().filter(DegradationManager::safeEnabled).toList();
                }
                if (on.isEmpty()) {
                    return ActionResult.skipped("no optional feature is enabled");
                }
                List<String> stillOn = new ArrayList<>();
                List<String> shedNames = new ArrayList<>();
                for (Entry e : on) {
                    try {
                        e.feature().disable();
                    } catch (RuntimeException ex) {
                        // verified below
                    }
                    if (safeEnabled(e)) {
                        stillOn.add(e.name());
                    } else {
                        shedByMe.add(e);
                        shedNames.add(e.name());
                    }
                }
                if (!stillOn.isEmpty()) {
                    return ActionResult.failed("still on after shedding: " + stillOn + " (shed " + shedNames + ")");
                }
                return ActionResult.succeeded("shed " + shedNames, Map.of("shed", List.copyOf(shedNames)));
            }

            @Override
            public synchronized ActionResult revert() {
                List<String> failed = new ArrayList<>();
                for (Entry e : shedByMe) {
                    try {
                        e.feature().enable();
                    } catch (RuntimeException ex) {
                        // verified below
                    }
                    if (!safeEnabled(e)) {
                        failed.add(e.name());
                    }
                }
                shedByMe.clear();
                return failed.isEmpty() ? ActionResult.succeeded("features restored", Map.of())
                        : ActionResult.failed("could not restore " + failed);
            }
        };
    }

    /** The registered feature names, in registration order. */
    public synchronized List<String> features() {
        return new ArrayList<>(features.keySet());
    }
}
