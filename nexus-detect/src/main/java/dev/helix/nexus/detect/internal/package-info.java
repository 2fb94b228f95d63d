/** Implementation details of nexus-detect (sorted windows, forest storage, JSON/CSV readers, numerics); not API. */
package dev.helix.nexus.detect.internal;
