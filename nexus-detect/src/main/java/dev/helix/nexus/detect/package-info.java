/**
 * NEXUS detection: streaming anomaly detectors ({@link dev.helix.nexus.detect.anomaly}), the honest evaluation harness
 * for NAB and SMD ({@link dev.helix.nexus.detect.eval}), behaviour-pattern classification
 * ({@link dev.helix.nexus.detect.behavior}) and {@link dev.helix.nexus.detect.DetectorCatalog}, the named fixed
 * configurations with their committed thresholds. {@code internal} is not API.
 */
package dev.helix.nexus.detect;
