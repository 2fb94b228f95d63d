package dev.helix.nexus.core;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.management.remote.JMXServiceURL;

/**
 * The rules for the external sources NEXUS senses besides its own host: other JVMs read over JMX ({@link
 * NexusConfig#jvmTargets()}) and Prometheus/OpenMetrics text endpoints ({@link NexusConfig#scrapeTargets()}), and
 * where their lists come from.
 *
 * <p><b>Precedence</b>, per list: the system property ({@value #JVM_PROPERTY} / {@value #SCRAPE_PROPERTY}), else the
 * environment variable ({@value #JVM_ENV} / {@value #SCRAPE_ENV}), else the configuration key ({@code jvmTargets} /
 * {@code scrapeTargets}, from the YAML file, then {@code --set}). A property or variable that is set and not blank
 * replaces the configured list as a whole (no merging); it is a comma-separated list of entries, a scrape entry being
 * a bare URL with the default timeout and interval. A blank one is treated as unset.
 *
 * <p>Stateless; every method is O(entries) and thread-safe.
 */
public final class SenseTargets {

    /** System property listing the JVMs to read over JMX; overrides {@value #JVM_ENV} and {@code jvmTargets}. */
    public static final String JVM_PROPERTY = "nexus.jvm.targets";
    /** Environment variable listing the JVMs to read over JMX; overrides {@code jvmTargets}. */
    public static final String JVM_ENV = "NEXUS_JVM_TARGETS";
    /** System property listing scrape URLs; overrides {@value #SCRAPE_ENV} and {@code scrapeTargets}. */
    public static final String SCRAPE_PROPERTY = "nexus.scrape.targets";
    /** Environment variable listing scrape URLs; overrides {@code scrapeTargets}. */
    public static final String SCRAPE_ENV = "NEXUS_SCRAPE_TARGETS";

    private SenseTargets() {
    }

    /**
     * A list given by a system property or an environment variable, replacing the configured one.
     *
     * @param origin  {@code -Dnexus.jvm.targets}, {@code NEXUS_JVM_TARGETS}, ...: named in every problem
     * @param entries the non-blank comma-separated entries, stripped
     */
    public record Override(String origin, List<String> entries) {
        public Override {
            Objects.requireNonNull(origin, "origin");
            entries = List.copyOf(entries);
        }
    }

    /** The JVM-target override of this process ({@link System#getProperty}, {@link System#getenv}), if any. */
    public static Optional<Override> jvmOverride() {
        return override(JVM_PROPERTY, JVM_ENV, System::getProperty, System::getenv);
    }

    /** The scrape-target override of this process, if any. */
    public static Optional<Override> scrapeOverride() {
        return override(SCRAPE_PROPERTY, SCRAPE_ENV, System::getProperty, System::getenv);
    }

    /**
     * The override given by {@code property} (looked up with {@code properties}) or else {@code env} (looked up with
     * {@code environment}); empty when both are unset or blank.
     */
    public static Optional<Override> override(String property, String env, UnaryOperator<String> properties,
                                              UnaryOperator<String> environment) {
        String p = properties.apply(property);
        if (p != null && !p.isBlank()) {
            return Optional.of(new Override("-D" + property, split(p)));
        }
        String e = environment.apply(env);
        if (e != null && !e.isBlank()) {
            return Optional.of(new Override(env, split(e)));
        }
        return Optional.empty();
    }

    private static List<String> split(String spec) {
        List<String> out = new ArrayList<>();
        for (String raw : spec.split(",")) {
            String entry = raw.strip();
            if (!entry.isEmpty()) {
                out.add(entry);
            }
        }
        return out;
    }

    /**
     * What is wrong with one JVM target, or null when it is a positive process id or a valid {@code service:jmx:}
     * URL.
     */
    public static String jvmTargetProblem(String entry) {
        if (entry == null || entry.isBlank()) {
            return "'" + entry + "' is blank: give a process id or a service:jmx: URL";
        }
        if (entry.startsWith("service:jmx:")) {
            try {
                new JMXServiceURL(entry);
                return null;
            } catch (MalformedURLException e) {
                return "'" + entry + "' is not a valid JMX service URL: " + e.getMessage();
            }
        }
        try {
            if (Long.parseLong(entry) > 0) {
                return null;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        return "'" + entry + "' is neither a positive process id nor a service:jmx: URL";
    }

    /** What is wrong with one scrape URL, or null when it is an absolute http(s) URL with a host. */
    public static String scrapeUrlProblem(String url) {
        URI u;
        try {
            u = new URI(url == null ? "" : url);
        } catch (URISyntaxException e) {
            return "scrape target '" + url + "' is not a URL: " + e.getMessage();
        }
        String scheme = u.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            return "scrape target '" + url + "' is not an http(s) URL";
        }
        if (u.getHost() == null || u.getAuthority() == null) {
            return "scrape target '" + url + "' has no host";
        }
        return null;
    }

    /**
     * Every problem of the overrides currently set in this process (property or environment), each naming the
     * property or variable and the entry; for {@code nexus config check}. Empty when none is set or all are valid.
     */
    public static List<ConfigProblem> overrideProblems() {
        List<ConfigProblem> out = new ArrayList<>();
        jvmOverride().ifPresent(o -> {
            for (String e : o.entries()) {
                String p = jvmTargetProblem(e);
                if (p != null) {
                    out.add(new ConfigProblem(o.origin(), 0, "jvmTargets", e, p));
                }
            }
        });
        scrapeOverride().ifPresent(o -> {
            for (String e : o.entries()) {
                String p = scrapeUrlProblem(e);
                if (p != null) {
                    out.add(new ConfigProblem(o.origin(), 0, "scrapeTargets", e, p));
                }
            }
        });
        return out;
    }

    /**
     * One Prometheus/OpenMetrics text endpoint to scrape.
     *
     * @param url      absolute http(s) URL with a host, e.g. {@code http://127.0.0.1:9100/metrics}
     * @param timeout  connect timeout and deadline of one whole request; also how long the last good scrape is
     *                 republished while the endpoint does not answer ({@code 2 × timeout})
     * @param interval least time between the starts of two scrapes; {@link Duration#ZERO}: one per tick
     */
    public record ScrapeTarget(String url, Duration timeout, Duration interval) {

        /** Default {@link #timeout}. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
        /** Default {@link #interval}: every tick. */
        public static final Duration DEFAULT_INTERVAL = Duration.ZERO;
        static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);
        static final Duration MAX_INTERVAL = Duration.ofHours(1);

        /** {@code url} with the default timeout and interval. */
        public static ScrapeTarget of(String url) {
            return new ScrapeTarget(url, DEFAULT_TIMEOUT, DEFAULT_INTERVAL);
        }

        /** Every problem of this target, each a sentence naming the URL; empty when valid. */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            String u = scrapeUrlProblem(url);
            if (u != null) {
                p.add(u);
            }
            if (timeout == null || timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
                p.add("timeout " + Durations.format(timeout) + " of '" + url
                        + "' must be a positive duration of at most 1m, such as 500ms or 2s");
            }
            if (interval == null || interval.isNegative() || interval.compareTo(MAX_INTERVAL) > 0) {
                p.add("interval " + Durations.format(interval) + " of '" + url
                        + "' must be a duration from 0 (every tick) to 1h, such as 15s");
            }
            return p;
        }
    }
}
