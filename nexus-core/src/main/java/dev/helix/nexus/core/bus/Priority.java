package dev.helix.nexus.core.bus;

/** Message priority on the bus: higher priorities are delivered first and dropped last. */
public enum Priority {
    LOW, NORMAL, HIGH, CRITICAL
}
