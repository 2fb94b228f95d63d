/** The cgroup abstraction: {@link dev.helix.nexus.heal.cgroup.CgroupDriver}, detection in
 * {@link dev.helix.nexus.heal.cgroup.Cgroups}; every NEXUS group lives under {@code nexus/}. */
package dev.helix.nexus.heal.cgroup;
