/** Linux host sensors over /proc (CPU, load, memory, paging, zone watermarks, PSI, disks, IRQs, network, kernel limits). Every sensor takes the proc root as a Path so tests can use fixture trees. */
package dev.helix.nexus.telemetry.host;
