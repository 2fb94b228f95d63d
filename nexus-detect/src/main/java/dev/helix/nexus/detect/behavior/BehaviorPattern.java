package dev.helix.nexus.detect.behavior;

/** Behaviour patterns a host or process can show. */
public enum BehaviorPattern {
    NORMAL,
    CPU_BOUND,
    IO_BOUND,
    MEMORY_PRESSURE,
    INTERRUPT_STORM,
    DEADLOCK,
    RESOURCE_LEAK,
    THRASHING
}
