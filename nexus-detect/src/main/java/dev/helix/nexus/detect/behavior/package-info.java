/**
 * Rule-based behaviour-pattern classification (CPU-bound, I/O-bound, memory pressure, thrashing, interrupt storm,
 * deadlock, resource leak via Mann-Kendall) with confidences and evidence.
 */
package dev.helix.nexus.detect.behavior;
