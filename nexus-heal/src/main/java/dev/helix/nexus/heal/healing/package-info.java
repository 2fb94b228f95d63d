/**
 * Healing of in-JVM components: {@link dev.helix.nexus.heal.healing.HealingEngine} walks an escalation chain of
 * {@link dev.helix.nexus.heal.healing.HealingStrategy strategies} through the safety gate, verifying health after each.
 */
package dev.helix.nexus.heal.healing;
