/** cgroup v1 and v2 sensors and mount discovery from /proc/self/mountinfo. */
package dev.helix.nexus.telemetry.cgroup;
