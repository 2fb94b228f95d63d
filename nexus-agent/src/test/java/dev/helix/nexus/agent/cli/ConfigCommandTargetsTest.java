package dev.helix.nexus.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nexus config check|show} with the {@code jvmTargets} and {@code scrapeTargets} keys. */
class ConfigCommandTargetsTest {

    @TempDir
    Path tmp;

    @Test
    void checkReportsEveryBadTargetEntryOnItsOwnLine() throws Exception {
        Path f = Files.writeString(tmp.resolve("nexus.yaml"), """
                jvmTargets: [4242, bogus]
                scrapeTargets:
                  - ftp://x/metrics
                  - {url: "http://127.0.0.1:9100/metrics", interval: 2h}
                """);
        String err = CliRun.nexus("config", "check", f.toString()).assertExit(ExitCodes.USAGE).err();
        assertThat(err.lines()).containsExactlyInAnyOrder(
                f + ":1: jvmTargets = 'bogus': 'bogus' is neither a positive process id nor a service:jmx: URL",
                f + ":2: scrapeTargets = 'ftp://x/metrics': scrape target 'ftp://x/metrics' is not an http(s) URL",
                f + ":2: scrapeTargets = 'http://127.0.0.1:9100/metrics': interval 7200s of "
                        + "'http://127.0.0.1:9100/metrics' must be a duration from 0 (every tick) to 1h, such as 15s");
    }

    @Test
    void showPrintsTheTargetsWithTheirTimeoutAndInterval() throws Exception {
        Path f = Files.writeString(tmp.resolve("nexus.yaml"), """
                jvmTargets: [4242]
                scrapeTargets: [{url: "http://127.0.0.1:9100/metrics", timeout: 750ms, interval: 15s}]
                """);
        String out = CliRun.nexus("config", "show", f.toString()).assertExit(ExitCodes.OK).out();
        assertThat(out).contains("jvmTargets:\n- 4242\n", "- url: http://127.0.0.1:9100/metrics\n  timeout: 750ms\n"
                + "  interval: 15s\n");
    }
}
