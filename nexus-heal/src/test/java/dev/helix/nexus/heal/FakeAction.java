package dev.helix.nexus.heal;

import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;
import dev.helix.nexus.core.spi.ComponentId;

import java.util.List;
import java.util.Map;

/** An action that records execute/revert calls into a shared journal. */
final class FakeAction implements Action {

    final String name;
    final ComponentId target;
    final NexusLevel level;
    final List<String> journal;
    ActionResult.Outcome outcome = ActionResult.Outcome.SUCCEEDED;
    boolean throwOnExecute;
    boolean keepOnStop;
    int executed;
    int reverted;

    FakeAction(String name, ComponentId target, NexusLevel level, List<String> journal) {
        this.name = name;
        this.target = target;
        this.level = level;
        this.journal = journal;
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
        return level;
    }

    @Override
    public String describe() {
        return "fake " + name + " on " + target;
    }

    @Override
    public ActionResult execute() {
        executed++;
        journal.add("exec " + name);
        if (throwOnExecute) {
            throw new IllegalStateException("boom");
        }
        return new ActionResult(outcome, name, Map.of("n", executed));
    }

    @Override
    public boolean revertOnStop() {
        return !keepOnStop;
    }

    @Override
    public ActionResult revert() {
        reverted++;
        journal.add("revert " + name);
        return ActionResult.succeeded("reverted " + name, Map.of());
    }
}
