/**
 * Evaluation harness: {@link dev.helix.nexus.detect.eval.NabScorer} (port of NAB v1.1's scorer, oracle sweep and
 * fixed-threshold modes), {@link dev.helix.nexus.detect.eval.NabEvaluation} and
 * {@link dev.helix.nexus.detect.eval.SmdEvaluation} (the entry points the CLI calls). Malformed input raises
 * {@link dev.helix.nexus.detect.eval.MalformedDataException} naming file and line.
 */
package dev.helix.nexus.detect.eval;
