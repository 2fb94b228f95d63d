package dev.helix.nexus.detect.behavior;

import java.util.List;

/**
 * A pattern with its confidence in [0, 1] and the evidence (human-readable facts with the measured values) behind it.
 */
public record BehaviorVerdict(BehaviorPattern pattern, double confidence, List<String> evidence) {
    public BehaviorVerdict {
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in [0,1], got " + confidence);
        }
        evidence = List.copyOf(evidence);
    }
}
