/** Prometheus/OpenMetrics text parsing and the scrape sensor that turns any endpoint into a Sensor. */
package dev.helix.nexus.telemetry.prometheus;
