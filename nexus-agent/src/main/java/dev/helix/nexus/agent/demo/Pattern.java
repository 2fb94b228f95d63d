package dev.helix.nexus.agent.demo;

/** The behaviour patterns the demo names. */
public enum Pattern {
    /** Memory (RSS) rises monotonically: a significant Mann-Kendall trend with real growth. */
    RESOURCE_LEAK("ResourceLeak"),
    /** The process uses (nearly) all the CPU it can get: one full core, or its cgroup cap. */
    CPU_BOUND("CpuBound");

    private final String label;

    Pattern(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
