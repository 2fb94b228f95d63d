/**
 * PNG plots of evaluation outputs ({@code nexus eval nab|smd --plot}): the input series, the detector's score, the
 * labels and the alerts, built only from the files an evaluation writes plus the data directory, so the plotting
 * code knows nothing about detectors. Rendering uses XChart on offscreen images; the JVM is put into headless mode
 * before the first AWT class is touched.
 */
package dev.helix.nexus.agent.plot;
