/** In-JVM components isolated by resilience4j circuit breakers and bulkheads, hot-swapped to known-good fallbacks. */
package dev.helix.nexus.heal.component;
