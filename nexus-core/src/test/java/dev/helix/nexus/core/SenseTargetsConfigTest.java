package dev.helix.nexus.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code jvmTargets} and {@code scrapeTargets} keys, their validation, and the property/environment override. */
class SenseTargetsConfigTest {

    @Test
    void targetsAreReadFromYamlWithPerEndpointTimeoutAndInterval() {
        ConfigLoader.Result r = ConfigLoader.parse("""
                jvmTargets: [4242, "service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi"]
                scrapeTargets:
                  - http://127.0.0.1:9100/metrics
                  - {url: "https://10.0.0.5:8443/metrics", timeout: 500ms, interval: 15s}
                """, "nexus.yaml");
        assertThat(r.problems()).isEmpty();
        assertThat(r.config().jvmTargets()).containsExactly("4242", "service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi");
        assertThat(r.config().scrapeTargets()).containsExactly(
                new SenseTargets.ScrapeTarget("http://127.0.0.1:9100/metrics", Duration.ofSeconds(2), Duration.ZERO),
                new SenseTargets.ScrapeTarget("https://10.0.0.5:8443/metrics", Duration.ofMillis(500),
                        Duration.ofSeconds(15)));
    }

    @Test
    void everyBadEntryIsItsOwnProblemNamingTheKeyTheEntryAndTheLine() {
        ConfigLoader.Result r = ConfigLoader.parse("""
                level: 2
                jvmTargets:
                  - 4242
                  - bogus
                  - -3
                  - "service:jmx:nope"
                  - [1]
                scrapeTargets:
                  - http://127.0.0.1:9100/metrics
                  - ftp://x/metrics
                  - {url: "http://127.0.0.1:9200/metrics", timeout: 0s, interval: -5s}
                  - {url: "http://127.0.0.1:9300/metrics", tiemout: 1s}
                  - {timeout: 1s}
                """, "nexus.yaml");
        assertThat(r.problems()).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "nexus.yaml:2: jvmTargets = 'bogus': 'bogus' is neither a positive process id nor a service:jmx: URL",
                "nexus.yaml:2: jvmTargets = '-3': '-3' is neither a positive process id nor a service:jmx: URL",
                "nexus.yaml:2: jvmTargets = 'service:jmx:nope': 'service:jmx:nope' is not a valid JMX service URL: "
                        + "Missing \"://\" after protocol name",
                "nexus.yaml:2: jvmTargets = '[1]': entry 5 must be a process id or a service:jmx: URL, got a list",
                "nexus.yaml:8: scrapeTargets = 'ftp://x/metrics': scrape target 'ftp://x/metrics' is not an http(s) URL",
                "nexus.yaml:8: scrapeTargets = 'http://127.0.0.1:9200/metrics': timeout 0s of "
                        + "'http://127.0.0.1:9200/metrics' must be a positive duration of at most 1m, such as 500ms or 2s",
                "nexus.yaml:8: scrapeTargets = 'http://127.0.0.1:9200/metrics': interval -5s of "
                        + "'http://127.0.0.1:9200/metrics' must be a duration from 0 (every tick) to 1h, such as 15s",
                "nexus.yaml:8: scrapeTargets = 'http://127.0.0.1:9300/metrics': entry 4 has unknown key(s) [tiemout];"
                        + " known: url, timeout, interval (did you mean 'timeout'?)",
                "nexus.yaml:8: scrapeTargets = '{\"timeout\":\"1s\"}': entry 5 has no url (text), e.g. "
                        + "{url: http://host:9100/metrics}");
    }

    @Test
    void setOverridesTheFileAndTheBuilderRefusesBadTargets() {
        ConfigLoader.Result r = ConfigLoader.load(null, List.of("jvmTargets=[77, 0]", "scrapeTargets=[http://h:1/m]"));
        assertThat(r.problems()).extracting(ConfigProblem::toString)
                .containsExactly("--set: jvmTargets = '0': '0' is neither a positive process id nor a service:jmx: URL");
        assertThat(r.config().scrapeTargets()).containsExactly(SenseTargets.ScrapeTarget.of("http://h:1/m"));
        assertThatThrownBy(() -> NexusConfig.builder().jvmTargets(List.of("x")).build())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("jvmTargets = 'x'");
    }

    @Test
    void showOutputReadsBackToTheSameConfiguration() throws Exception {
        NexusConfig c = NexusConfig.builder().jvmTargets(List.of("4242"))
                .scrapeTargets(List.of(new SenseTargets.ScrapeTarget("http://a:1/m", Duration.ofMillis(750),
                        Duration.ofSeconds(30)), SenseTargets.ScrapeTarget.of("http://b:2/m"))).build();
        Map<String, Object> shown = ConfigLoader.describe(c);
        String yaml = new ObjectMapper(new YAMLFactory()).writeValueAsString(shown);
        ConfigLoader.Result back = ConfigLoader.parse(yaml, "shown");
        assertThat(back.problems()).isEmpty();
        assertThat(back.config()).isEqualTo(c);
    }

    @Test
    void propertyBeatsEnvironmentBlankIsUnsetAndEntriesAreSplitAndStripped() {
        Map<String, String> props = new java.util.HashMap<>();
        Map<String, String> env = new java.util.HashMap<>();
        assertThat(SenseTargets.override("p", "E", props::get, env::get)).isEmpty();
        env.put("E", " 1, ,service:jmx:rmi:///jndi/rmi://h:9/jmxrmi ");
        assertThat(SenseTargets.override("p", "E", props::get, env::get)).contains(
                new SenseTargets.Override("E", List.of("1", "service:jmx:rmi:///jndi/rmi://h:9/jmxrmi")));
        props.put("p", "  ");
        assertThat(SenseTargets.override("p", "E", props::get, env::get)).get()
                .extracting(SenseTargets.Override::origin).isEqualTo("E");
        props.put("p", "2");
        assertThat(SenseTargets.override("p", "E", props::get, env::get))
                .contains(new SenseTargets.Override("-Dp", List.of("2")));
    }
}
