package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.bus.Message;
import dev.helix.nexus.core.bus.Priority;
import dev.helix.nexus.core.spi.Action;
import dev.helix.nexus.core.spi.ActionResult;

/** Submits each action it receives to the {@link ActionGate} and runs due pending actions. Tick thread only. */
public final class ActDomain implements DomainHandler {

    private final ActionGate gate;

    public ActDomain(ActionGate gate) {
        this.gate = gate;
    }

    @Override
    public Domain domain() {
        return Domain.ACT;
    }

    @Override
    public void onTick(TickContext ctx) {
        gate.level(ctx.level());
        gate.poll();
        for (Message m : ctx.inbox()) {
            if (m.payload() instanceof Action a) {
                ActionResult r = gate.submit(a);
                ctx.send(Domain.MEMORY, Priority.NORMAL, r);
            }
        }
    }
}
