/** Micro-rollback: bounded, aged checkpoints per component and verified exact restores. */
package dev.helix.nexus.heal.checkpoint;
