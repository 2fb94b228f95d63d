/**
 * NEXUS Act: quarantine and healing enforced on real processes, cgroups and in-JVM components.
 *
 * <p>Entry point: {@link dev.helix.nexus.heal.NexusHeal} wires cgroup detection, start-up reconciliation, the
 * {@link dev.helix.nexus.heal.SafetyGate} (target rules in {@link dev.helix.nexus.heal.SafetyRules}), the quarantine
 * manager, the component registry and the checkpoint store. Subpackages hold the parts; {@code internal} is not API.
 */
package dev.helix.nexus.heal;
