/** Implementation details (cgroup v1/v2 drivers, procfs parsing); not API, may change without notice. */
package dev.helix.nexus.heal.internal;
