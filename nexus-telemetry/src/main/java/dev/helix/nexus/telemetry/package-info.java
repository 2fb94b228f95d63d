/**
 * NEXUS telemetry (the Sense domain): sensors for the Linux host ({@code host}), processes ({@code process}),
 * cgroups v1 and v2 ({@code cgroup}), the own JVM ({@code jvm}) and Prometheus endpoints ({@code prometheus}); the
 * ring-buffer {@link dev.helix.nexus.telemetry.TelemetryStore} with Prometheus text export; and
 * {@link dev.helix.nexus.telemetry.TelemetrySensors}, the factory of every sensor usable on this machine.
 * {@code internal} is not API.
 */
package dev.helix.nexus.telemetry;
