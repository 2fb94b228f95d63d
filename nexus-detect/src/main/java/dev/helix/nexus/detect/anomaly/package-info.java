/**
 * Streaming detectors implementing {@link dev.helix.nexus.core.spi.Detector}: rolling Z-score, robust median/MAD
 * Z-score, rolling IQR (Tukey fences), Isolation Forest (streaming with periodic refit, or batch-fitted and frozen),
 * PCA Q/T² (batch-fitted), consensus fusion, and the post-processors anomaly likelihood, differencing and alarm
 * hold-off. All scores are continuous in [0, 1]; NaN/±Inf input is ignored (score 0, state unchanged); all are
 * single-writer, not thread-safe, and allocation-free per sample after warm-up (verified by {@code AllocationTest}).
 */
package dev.helix.nexus.detect.anomaly;
