package dev.helix.nexus.core.engine;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.bus.Message;
import dev.helix.nexus.core.bus.Priority;
import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.spi.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Asks the {@link DecisionPolicy} what to do with this tick's findings and sends each action to Act. Tick thread only. */
public final class DecideDomain implements DomainHandler {

    private final DecisionPolicy policy;

    public DecideDomain(DecisionPolicy policy) {
        this.policy = policy;
    }

    @Override
    public Domain domain() {
        return Domain.DECIDE;
    }

    @Override
    public void onTick(TickContext ctx) {
        if (ctx.inbox().isEmpty()) {
            return;
        }
        List<Object> findings = new ArrayList<>(ctx.inbox().size());
        for (Message m : ctx.inbox()) {
            findings.add(m.payload());
        }
        for (Action a : policy.decide(findings, ctx)) {
            ctx.event(new NexusEvent(ctx.timestampMillis(), EventCategory.DECISION, "decision", a.target().toString(),
                    "decided: " + a.describe(), Map.of("action", a.name(), "findings", findings.size())));
            ctx.send(Domain.ACT, Priority.HIGH, a);
        }
    }
}
