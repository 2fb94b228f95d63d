/**
 * Behaviour-pattern classification of the host, processes and cgroups (normal, CPU-bound, I/O-bound, memory
 * pressure, thrashing, interrupt storm, deadlock, resource leak via Mann-Kendall) with confidences and evidence:
 * {@link dev.helix.nexus.detect.behavior.BehaviorFeatureExtractor} turns a window of telemetry samples into
 * {@link dev.helix.nexus.detect.behavior.BehaviorFeatures} per {@link dev.helix.nexus.detect.behavior.BehaviorSubject},
 * and {@link dev.helix.nexus.detect.behavior.BehaviorClassifier} judges them.
 */
package dev.helix.nexus.detect.behavior;
