package dev.helix.nexus.core.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What an {@link Action} really did, after verifying its effect.
 *
 * @param outcome  whether it worked
 * @param detail   a human-readable account: what changed, or why it failed
 * @param evidence measured values that show the effect (e.g. the limit read back from the cgroup)
 */
public record ActionResult(Outcome outcome, String detail, Map<String, Object> evidence) {

    /** How an action ended. */
    public enum Outcome {
        /** Done and verified. */
        SUCCEEDED,
        /** Attempted and failed, or not verified. */
        FAILED,
        /** Not attempted: refused by safety rules or the level, or only logged in dry-run. */
        SKIPPED
    }

    public ActionResult {
        Objects.requireNonNull(outcome, "outcome");
        detail = detail == null ? "" : detail;
        evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
    }

    public static ActionResult succeeded(String detail, Map<String, Object> evidence) {
        return new ActionResult(Outcome.SUCCEEDED, detail, evidence);
    }

    public static ActionResult failed(String detail) {
        return new ActionResult(Outcome.FAILED, detail, Map.of());
    }

    public static ActionResult skipped(String detail) {
        return new ActionResult(Outcome.SKIPPED, detail, Map.of());
    }

    public boolean succeeded() {
        return outcome == Outcome.SUCCEEDED;
    }
}
