package dev.helix.nexus.heal.healing;

import dev.helix.nexus.heal.component.ManagedComponent;
import dev.helix.nexus.heal.quarantine.QuarantinePlan;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How to heal one {@link ManagedComponent}: its reset hook, its factory, its health check (on the <em>current</em>
 * primary, so it stays right after a hard restart), its fallback's health check, the name its state is checkpointed
 * under, and its quarantine plan. Immutable; use the {@code with*} methods.
 */
public final class HealingTarget<T> {

    private final ManagedComponent<T> component;
    private final Consumer<? super T> resetHook;
    private final Supplier<? extends T> factory;
    private final Predicate<? super T> health;
    private final Predicate<? super T> fallbackHealth;
    private final String checkpointName;
    private final QuarantinePlan quarantinePlan;

    private HealingTarget(ManagedComponent<T> component, Consumer<? super T> resetHook, Supplier<? extends T> factory,
                          Predicate<? super T> health, Predicate<? super T> fallbackHealth, String checkpointName,
                          QuarantinePlan quarantinePlan) {
        this.component = Objects.requireNonNull(component, "component");
        this.resetHook = resetHook;
        this.factory = factory;
        this.health = health;
        this.fallbackHealth = fallbackHealth;
        this.checkpointName = checkpointName == null ? component.name() : checkpointName;
        this.quarantinePlan = quarantinePlan;
    }

    /**
     * A target with no hooks: health is the component's spec health check, state is checkpointed under the
     * component's name, the fallback counts as healthy, the quarantine plan is a default {@code JvmQuarantinePlan}.
     */
    public static <T> HealingTarget<T> of(ManagedComponent<T> component) {
        return new HealingTarget<>(component, null, null, null, null, null, null);
    }

    /** Soft reset: called on the current primary. */
    public HealingTarget<T> withResetHook(Consumer<? super T> hook) {
        return new HealingTarget<>(component, hook, factory, health, fallbackHealth, checkpointName, quarantinePlan);
    }

    /** Hard restart: makes a fresh primary. */
    public HealingTarget<T> withFactory(Supplier<? extends T> f) {
        return new HealingTarget<>(component, resetHook, f, health, fallbackHealth, checkpointName, quarantinePlan);
    }

    /** Health of the current primary (replaces the spec's health check, which may hold on to an old instance). */
    public HealingTarget<T> withHealth(Predicate<? super T> h) {
        return new HealingTarget<>(component, resetHook, factory, h, fallbackHealth, checkpointName, quarantinePlan);
    }

    /** Health of the fallback, checked after a substitution (default: healthy). */
    public HealingTarget<T> withFallbackHealth(Predicate<? super T> h) {
        return new HealingTarget<>(component, resetHook, factory, health, h, checkpointName, quarantinePlan);
    }

    /** The name the component's state is registered under in the {@code CheckpointStore}. */
    public HealingTarget<T> withCheckpointName(String name) {
        return new HealingTarget<>(component, resetHook, factory, health, fallbackHealth, name, quarantinePlan);
    }

    public HealingTarget<T> withQuarantinePlan(QuarantinePlan plan) {
        return new HealingTarget<>(component, resetHook, factory, health, fallbackHealth, checkpointName, plan);
    }

    public ManagedComponent<T> component() {
        return component;
    }

    public String name() {
        return component.name();
    }

    Consumer<? super T> resetHook() {
        return resetHook;
    }

    Supplier<? extends T> factory() {
        return factory;
    }

    String checkpointName() {
        return checkpointName;
    }

    QuarantinePlan quarantinePlan() {
        return quarantinePlan;
    }

    /** Health of the current primary; a throwing check counts as unhealthy. */
    public boolean primaryHealthy() {
        try {
            return health == null ? component.primaryHealthy() : health.test(component.primary());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Health of the fallback (false without one); a throwing check counts as unhealthy. */
    public boolean fallbackHealthy() {
        T fb = component.spec().fallback();
        if (fb == null) {
            return false;
        }
        try {
            return fallbackHealth == null || fallbackHealth.test(fb);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
