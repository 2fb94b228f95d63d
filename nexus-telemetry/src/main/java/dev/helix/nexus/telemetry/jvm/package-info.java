/** The sensor of the own JVM through the platform MXBeans. */
package dev.helix.nexus.telemetry.jvm;
