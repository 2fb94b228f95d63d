/** Implementation details of nexus-telemetry; not API, may change without notice. */
package dev.helix.nexus.telemetry.internal;
