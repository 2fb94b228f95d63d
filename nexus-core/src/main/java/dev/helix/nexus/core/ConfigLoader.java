package dev.helix.nexus.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a {@link NexusConfig} from YAML and applies {@code key=value} overrides, collecting every problem (unknown
 * key, wrong type, bad value) with its file and line before failing, so one run shows them all.
 *
 * <p>The YAML is a flat mapping whose keys are the {@link NexusConfig} component names, e.g.
 * <pre>
 * tickDuration: 500ms
 * level: detection        # or 0-6
 * maxBusQueue: 10000
 * enableAct: false
 * protect: [sshd, systemd-journald]
 * jvmTargets: [4242, "service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi"]
 * scrapeTargets:
 *   - http://127.0.0.1:9100/metrics                 # timeout 2s, every tick
 *   - {url: http://10.0.0.5:8080/metrics, timeout: 500ms, interval: 15s}
 * </pre>
 * Keys not given keep their defaults. {@code jvmTargets} and {@code scrapeTargets} are replaced as a whole by their
 * system property or environment variable when one is set ({@link SenseTargets}). Every bad list entry is its own
 * problem, naming the key, the entry and its position. Stateless and thread-safe.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Every key the loader understands, in documentation order. */
    public static final List<String> KEYS = List.of("tickDuration", "enableSense", "enableUnderstand", "enableReason",
            "enableDecide", "enableAct", "enableMemory", "enableReflect", "maxBusQueue", "enableSafety",
            "enableTelemetry", "level", "confirmationWindow", "dryRun", "actionBudgetPerMinute", "protect", "dataDir",
            "jvmTargets", "scrapeTargets");

    /** Keys whose value is a list validated entry by entry: each bad entry is its own problem. */
    private static final java.util.Set<String> ENTRY_KEYS = java.util.Set.of("jvmTargets", "scrapeTargets");

    private ConfigLoader() {
    }

    /** The outcome of reading: a configuration (possibly invalid) and every problem found. */
    public record Result(NexusConfig config, List<ConfigProblem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }

        public boolean isValid() {
            return problems.isEmpty();
        }

        /** The configuration, or an {@link InvalidConfigException} carrying every problem. */
        public NexusConfig orThrow() {
            if (!problems.isEmpty()) {
                throw new InvalidConfigException(problems);
            }
            return config;
        }
    }

    /** Reads {@code file} over the defaults, then applies {@code overrides} ({@code key=value} strings). */
    public static Result load(Path file, List<String> overrides) {
        NexusConfig.Builder b = NexusConfig.builder();
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Where> lines = new java.util.HashMap<>();
        if (file != null && Files.isDirectory(file)) {
            problems.add(new ConfigProblem(file.toString(), 0, "(file)", "", "is a directory, not a YAML file"));
        } else if (file != null) {
            String name = file.toString();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                readYaml(r, name, b, problems, lines);
            } catch (NoSuchFileException e) {
                problems.add(new ConfigProblem(name, 0, "(file)", "", "file does not exist"));
            } catch (IOException e) {
                problems.add(new ConfigProblem(name, 0, "(file)", "", "cannot read: " + e.getMessage()));
            }
        }
        int before = problems.size();
        applyOverrides(overrides, b, problems);
        if (overrides != null) {
            // a value given with --set replaces the file's: its validation problems belong to --set, not to a line
            List<ConfigProblem> overrideProblems = problems.subList(before, problems.size());
            for (String o : overrides) {
                int eq = o.indexOf('=');
                String key = eq > 0 ? o.substring(0, eq).trim() : null;
                if (key != null && overrideProblems.stream().noneMatch(p -> p.key().equals(key))) {
                    lines.put(key, new Where("--set", 0, o.substring(eq + 1).trim()));
                }
            }
        }
        NexusConfig c = b.buildUnchecked();
        problems.addAll(withLines(c.validate(file == null ? "" : file.toString()), lines));
        return new Result(c, dedupe(problems));
    }

    /** Reads YAML text over the defaults. */
    public static Result parse(String yaml, String sourceName) {
        NexusConfig.Builder b = NexusConfig.builder();
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Where> lines = new java.util.HashMap<>();
        try {
            readYaml(new StringReader(yaml), sourceName, b, problems, lines);
        } catch (IOException e) {
            problems.add(new ConfigProblem(sourceName, 0, "(file)", "", "cannot read: " + e.getMessage()));
        }
        NexusConfig c = b.buildUnchecked();
        problems.addAll(withLines(c.validate(sourceName), lines));
        return new Result(c, dedupe(problems));
    }

    /** Applies {@code key=value} overrides to a builder, recording problems. */
    public static void applyOverrides(List<String> overrides, NexusConfig.Builder b, List<ConfigProblem> problems) {
        if (overrides == null) {
            return;
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                problems.add(new ConfigProblem("--set", 0, o, "", "overrides are written key=value, e.g. level=monitoring"));
                continue;
            }
            String key = o.substring(0, eq).trim();
            String raw = o.substring(eq + 1).trim();
            JsonNode node;
            try {
                node = YAML.readTree(raw.isEmpty() ? "\"\"" : raw);
                if (node == null || node.isMissingNode()) {
                    node = YAML.getNodeFactory().textNode(raw);
                }
            } catch (IOException e) {
                node = YAML.getNodeFactory().textNode(raw);
            }
            apply(key, node, raw, "--set", 0, b, problems);
        }
    }

    /** Where a key was given: the file or {@code --set}, its line (0 when none) and its value as written. */
    private record Where(String source, int line, String raw) {
    }

    /**
     * Gives validation problems the source, line and value as written of their key, when it was given in the file
     * or with {@code --set}.
     */
    private static List<ConfigProblem> withLines(List<ConfigProblem> problems, Map<String, Where> lines) {
        List<ConfigProblem> out = new ArrayList<>(problems.size());
        for (ConfigProblem p : problems) {
            Where w = lines.get(p.key());
            String value = ENTRY_KEYS.contains(p.key()) ? p.value() : w == null ? null : w.raw();
            out.add(w == null ? p : new ConfigProblem(w.source(), w.line(), p.key(), value, p.message()));
        }
        return out;
    }

    private static void readYaml(Reader r, String source, NexusConfig.Builder b, List<ConfigProblem> problems,
                                 Map<String, Where> lines) throws IOException {
        try (JsonParser p = YAML.getFactory().createParser(r)) {
            JsonToken t;
            try {
                t = p.nextToken();
            } catch (IOException e) {
                problems.add(syntax(source, e));
                return;
            }
            if (t == null) {
                return; // empty file: all defaults
            }
            if (t != JsonToken.START_OBJECT) {
                problems.add(new ConfigProblem(source, p.currentLocation().getLineNr(), "(document)", "",
                        "must be a mapping of key: value lines, e.g. 'tickDuration: 1s'"));
                return;
            }
            try {
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int line = p.currentLocation().getLineNr();
                    p.nextToken();
                    JsonNode value = p.readValueAsTree();
                    if (value == null) {
                        value = YAML.getNodeFactory().nullNode();
                    }
                    String raw = value.isValueNode() ? value.asText() : value.toString();
                    lines.put(key, new Where(source, line, raw));
                    apply(key, value, raw, source, line, b, problems);
                }
            } catch (IOException e) {
                problems.add(syntax(source, e));
            }
        }
    }

    private static ConfigProblem syntax(String source, IOException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        int line = 0;
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null) {
            line = jpe.getLocation().getLineNr();
        }
        return new ConfigProblem(source, line, "(syntax)", "", "not valid YAML: " + msg);
    }

    private static void apply(String key, JsonNode v, String raw, String src, int line, NexusConfig.Builder b,
                              List<ConfigProblem> problems) {
        try {
            switch (key) {
                case "tickDuration" -> b.tickDuration(duration(v));
                case "enableSense" -> b.enableSense(bool(v));
                case "enableUnderstand" -> b.enableUnderstand(bool(v));
                case "enableReason" -> b.enableReason(bool(v));
                case "enableDecide" -> b.enableDecide(bool(v));
                case "enableAct" -> b.enableAct(bool(v));
                case "enableMemory" -> b.enableMemory(bool(v));
                case "enableReflect" -> b.enableReflect(bool(v));
                case "maxBusQueue" -> b.maxBusQueue(integer(v));
                case "enableSafety" -> b.enableSafety(bool(v));
                case "enableTelemetry" -> b.enableTelemetry(bool(v));
                case "level" -> b.level(level(v));
                case "confirmationWindow" -> b.confirmationWindow(duration(v));
                case "dryRun" -> b.dryRun(bool(v));
                case "actionBudgetPerMinute" -> b.actionBudgetPerMinute(integer(v));
                case "protect" -> b.protect(stringList(v));
                case "dataDir" -> b.dataDir(Path.of(text(v)));
                case "jvmTargets", "scrapeTargets" -> {
                    // entry by entry: every bad entry is its own problem, the good ones are kept (and validated)
                    List<String[]> bad = new ArrayList<>(); // {entry as written, message}
                    if (key.equals("jvmTargets")) {
                        b.jvmTargets(jvmTargets(v, bad));
                    } else {
                        b.scrapeTargets(scrapeTargets(v, bad));
                    }
                    for (String[] e : bad) {
                        problems.add(new ConfigProblem(src, line, key, e[0], e[1]));
                    }
                }
                default -> {
                    problems.add(new ConfigProblem(src, line, key, raw, "unknown key; known keys: " + String.join(", ", KEYS)
                            + suggestion(key)));
                    return;
                }
            }
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(src, line, key, raw, e.getMessage()));
        }
    }

    private static String suggestion(String key) {
        return suggestion(key, KEYS);
    }

    private static String suggestion(String key, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = editDistance(k.toLowerCase(), key.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Duration duration(JsonNode v) {
        if (!v.isTextual() && !(v.isNumber() && v.asDouble() == 0)) {
            throw new IllegalArgumentException("must be a duration with a unit such as 250ms, 1s or 2m, got "
                    + typeName(v));
        }
        return Durations.parse(v.asText());
    }

    private static NexusLevel level(JsonNode v) {
        if (!v.isValueNode() || v.isNull()) {
            throw new IllegalArgumentException("must be 0-6 or one of " + NexusLevel.allowedNames() + ", got " + typeName(v));
        }
        return NexusLevel.parse(v.asText());
    }

    private static boolean bool(JsonNode v) {
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("must be true or false, got " + typeName(v));
        }
        return v.booleanValue();
    }

    private static int integer(JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("must be a whole number, got " + typeName(v));
        }
        return v.intValue();
    }

    private static String text(JsonNode v) {
        if (!v.isValueNode() || v.isNull()) {
            throw new IllegalArgumentException("must be text, got " + typeName(v));
        }
        return v.asText();
    }

    private static List<String> stringList(JsonNode v) {
        if (v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("must be a list such as [sshd, 1234, system.slice], got " + typeName(v));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isValueNode() || e.isNull()) {
                throw new IllegalArgumentException("list entries must be names, pids or cgroup paths, got " + typeName(e));
            }
            out.add(e.asText());
        }
        return out;
    }

    private static List<String> jvmTargets(JsonNode v, List<String[]> bad) {
        if (v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("must be a list of process ids and service:jmx: URLs, such as"
                    + " [4242, \"service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi\"], got " + typeName(v));
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        for (JsonNode e : v) {
            i++;
            if (e.isTextual() || e.isIntegralNumber()) {
                out.add(e.asText());
            } else {
                bad.add(new String[] {e.toString(), "entry " + i + " must be a process id or a service:jmx: URL, got "
                        + typeName(e)});
            }
        }
        return out;
    }

    private static List<SenseTargets.ScrapeTarget> scrapeTargets(JsonNode v, List<String[]> bad) {
        if (v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("must be a list of URLs or {url, timeout, interval} mappings, such as"
                    + " [http://127.0.0.1:9100/metrics], got " + typeName(v));
        }
        List<SenseTargets.ScrapeTarget> out = new ArrayList<>();
        int i = 0;
        for (JsonNode e : v) {
            i++;
            String written = e.isTextual() ? e.asText() : e.toString();
            if (e.isTextual()) {
                out.add(SenseTargets.ScrapeTarget.of(e.asText()));
                continue;
            }
            if (!e.isObject()) {
                bad.add(new String[] {written, "entry " + i + " must be a URL or a mapping with url, timeout and"
                        + " interval, got " + typeName(e)});
                continue;
            }
            JsonNode url = e.get("url");
            if (url == null || !url.isTextual()) {
                bad.add(new String[] {written, "entry " + i + " has no url (text), e.g. {url: http://host:9100/metrics}"});
                continue;
            }
            List<String> unknown = new ArrayList<>();
            e.fieldNames().forEachRemaining(f -> {
                if (!f.equals("url") && !f.equals("timeout") && !f.equals("interval")) {
                    unknown.add(f);
                }
            });
            if (!unknown.isEmpty()) {
                bad.add(new String[] {url.asText(), "entry " + i + " has unknown key(s) " + unknown
                        + "; known: url, timeout, interval" + suggestion(unknown.get(0), List.of("url", "timeout", "interval"))});
                continue;
            }
            try {
                out.add(new SenseTargets.ScrapeTarget(url.asText(),
                        e.has("timeout") ? duration(e.get("timeout")) : SenseTargets.ScrapeTarget.DEFAULT_TIMEOUT,
                        e.has("interval") ? duration(e.get("interval")) : SenseTargets.ScrapeTarget.DEFAULT_INTERVAL));
            } catch (IllegalArgumentException ex) {
                bad.add(new String[] {url.asText(), "entry " + i + ": timeout and interval " + ex.getMessage()});
            }
        }
        return out;
    }

    private static String typeName(JsonNode v) {
        if (v.isNull()) {
            return "nothing (null)";
        }
        if (v.isBoolean()) {
            return "a boolean";
        }
        if (v.isNumber()) {
            return "a number";
        }
        if (v.isTextual()) {
            return "text";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        return v.getNodeType().toString().toLowerCase();
    }

    /** Validation repeats a type problem already reported for the same key (e.g. a null level): keep the first. */
    private static List<ConfigProblem> dedupe(List<ConfigProblem> problems) {
        List<ConfigProblem> out = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        for (ConfigProblem p : problems) {
            String id = p.key() + "@" + p.source() + (ENTRY_KEYS.contains(p.key()) ? "@" + p.value() + "@" + p.message() : "");
            if (!seen.add(id)) {
                continue; // validation repeating a problem already reported for this key by the reader
            }
            out.add(p);
        }
        return out;
    }

    /** The defaults as a key → value map, in {@link #KEYS} order (for {@code nexus config show}). */
    public static Map<String, Object> describe(NexusConfig c) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("tickDuration", Durations.format(c.tickDuration()));
        for (Domain d : Domain.values()) {
            m.put("enable" + d.name().charAt(0) + d.name().substring(1).toLowerCase(), c.isEnabled(d));
        }
        m.put("maxBusQueue", c.maxBusQueue());
        m.put("enableSafety", c.enableSafety());
        m.put("enableTelemetry", c.enableTelemetry());
        m.put("level", c.level() == null ? null : c.level().name().toLowerCase());
        m.put("confirmationWindow", Durations.format(c.confirmationWindow()));
        m.put("dryRun", c.dryRun());
        m.put("actionBudgetPerMinute", c.actionBudgetPerMinute());
        m.put("protect", c.protect());
        m.put("dataDir", String.valueOf(c.dataDir()));
        m.put("jvmTargets", c.jvmTargets());
        List<Object> scrape = new ArrayList<>();
        for (SenseTargets.ScrapeTarget t : c.scrapeTargets()) {
            Map<String, Object> e = new java.util.LinkedHashMap<>();
            e.put("url", t.url());
            e.put("timeout", Durations.format(t.timeout()));
            e.put("interval", Durations.format(t.interval()));
            scrape.add(e);
        }
        m.put("scrapeTargets", scrape);
        return m;
    }
}
