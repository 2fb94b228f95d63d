package dev.helix.nexus.core.testkit;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fake {@link Action} that counts {@link #execute()} and {@link #revert()} calls and, when given a journal, appends
 * {@code "execute:<name>"} / {@code "revert:<name>"} to it so that tests can check the order across actions.
 */
public class RecordingAction implements Action {

    private final String name;
    private final NexusLevel requiredLevel;
    private final ComponentId target;
    private final List<String> journal;
    private final AtomicInteger executions = new AtomicInteger();
    private final AtomicInteger reverts = new AtomicInteger();
    private volatile Supplier<ActionResult> onExecute = () -> ActionResult.succeeded("done", Map.of());
    private volatile Runnable duringExecute = () -> { };

    public RecordingAction(String name, NexusLevel requiredLevel) {
        this(name, requiredLevel, null);
    }

    public RecordingAction(String name, NexusLevel requiredLevel, List<String> journal) {
        this.name = name;
        this.requiredLevel = requiredLevel;
        this.target = ComponentId.cgroup("test/" + name);
        this.journal = journal;
    }

    /** Makes {@link #execute()} return what {@code result} supplies. */
    public RecordingAction returning(Supplier<ActionResult> result) {
        this.onExecute = result;
        return this;
    }

    /** Runs {@code r} inside {@link #execute()}, before returning. */
    public RecordingAction during(Runnable r) {
        this.duringExecute = r;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ComponentId target() {
        return target;
    }

    @Override
    public NexusLevel requiredLevel() {
        return requiredLevel;
    }

    @Override
    public String describe() {
        return "test action " + name + " on " + target;
    }

    @Override
    public ActionResult execute() {
        executions.incrementAndGet();
        if (journal != null) {
            journal.add("execute:" + name);
        }
        duringExecute.run();
        return onExecute.get();
    }

    @Override
    public ActionResult revert() {
        reverts.incrementAndGet();
        if (journal != null) {
            journal.add("revert:" + name);
        }
        return ActionResult.succeeded("reverted " + name, Map.of());
    }

    public int executions() {
        return executions.get();
    }

    public int reverts() {
        return reverts.get();
    }

    @Override
    public String toString() {
        return name;
    }
}
