/** Durable telemetry: an embedded SQLite store for samples, downsampled history, events and the action audit. */
package dev.helix.nexus.telemetry.store;
