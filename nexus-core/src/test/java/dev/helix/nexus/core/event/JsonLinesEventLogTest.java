package dev.helix.nexus.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.engine.NexusEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesEventLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<JsonNode> readLines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.isObject()).as("line %s", line).isTrue();
            out.add(n);
        }
        return out;
    }

    @Test
    void writesOneParseableJsonObjectPerLineWithEveryField() throws IOException {
        Path file = dir.resolve("nested/dir/events.jsonl");
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("limitBytes", 268_435_456L);
        evidence.put("ratio", 0.75);
        evidence.put("note", "multi\nline \"quoted\" text");
        evidence.put("list", List.of(1, 2));
        try (JsonLinesEventLog log = new JsonLinesEventLog(file)) {
            log.append(new NexusEvent(1_767_225_600_123L, EventCategory.ACTION, "action.completed", "cgroup:nexus/demo",
                    "set memory.max", evidence));
            log.append(NexusEvent.of(1_767_225_601_000L, EventCategory.ENGINE, "engine.start", null, null));
            assertThat(log.failedWrites()).isZero();
            assertThat(log.file()).isEqualTo(file);
        }

        assertThat(Files.readAllLines(file)).hasSize(2);
        List<JsonNode> lines = readLines(file);
        JsonNode first = lines.get(0);
        assertThat(first.properties()).extracting(Map.Entry::getKey)
                .containsExactly("time", "ts", "category", "type", "component", "reason", "evidence");
        assertThat(first.get("time").asText()).isEqualTo("2026-01-01T00:00:00.123Z");
        assertThat(Instant.parse(first.get("time").asText()).toEpochMilli()).isEqualTo(first.get("ts").asLong());
        assertThat(first.get("ts").asLong()).isEqualTo(1_767_225_600_123L);
        assertThat(first.get("category").asText()).isEqualTo("ACTION");
        assertThat(first.get("type").asText()).isEqualTo("action.completed");
        assertThat(first.get("component").asText()).isEqualTo("cgroup:nexus/demo");
        assertThat(first.get("reason").asText()).isEqualTo("set memory.max");
        assertThat(first.get("evidence").get("limitBytes").asLong()).isEqualTo(268_435_456L);
        assertThat(first.get("evidence").get("ratio").asDouble()).isEqualTo(0.75);
        assertThat(first.get("evidence").get("note").asText()).isEqualTo("multi\nline \"quoted\" text");
        assertThat(first.get("evidence").get("list")).hasSize(2);

        JsonNode second = lines.get(1);
        assertThat(second.get("component").asText()).isEqualTo("nexus");
        assertThat(second.get("reason").asText()).isEmpty();
        assertThat(second.get("evidence").isObject()).isTrue();
        assertThat(second.get("evidence")).isEmpty();
    }

    @Test
    void appendsToAnExistingFile() throws IOException {
        Path file = dir.resolve("events.jsonl");
        try (JsonLinesEventLog log = new JsonLinesEventLog(file)) {
            log.append(NexusEvent.of(1, EventCategory.ENGINE, "a", "nexus", "first"));
        }
        try (JsonLinesEventLog log = new JsonLinesEventLog(file)) {
            log.append(NexusEvent.of(2, EventCategory.ENGINE, "b", "nexus", "second"));
        }
        assertThat(readLines(file)).extracting(n -> n.get("type").asText()).containsExactly("a", "b");
    }

    @Test
    void eachEventIsOnDiskWhenAppendReturns() throws IOException {
        Path file = dir.resolve("events.jsonl");
        try (JsonLinesEventLog log = new JsonLinesEventLog(file)) {
            log.append(NexusEvent.of(1, EventCategory.ENGINE, "a", "nexus", "first"));
            assertThat(readLines(file)).hasSize(1);
        }
    }

    @Test
    void evidenceJacksonCannotSerialiseIsWrittenAsText() throws IOException {
        Object opaque = new Object() {
            public Object getSelf() {
                return this;
            }

            @Override
            public String toString() {
                return "opaque-thing";
            }
        };
        String json = JsonLinesEventLog.toJson(new NexusEvent(5, EventCategory.DETECTION, "anomaly", "x", "r",
                Map.of("thing", opaque)));
        assertThat(JSON.readTree(json).get("evidence").get("thing").asText()).isEqualTo("opaque-thing");
    }

    @Test
    void appendAfterCloseIsCountedNotThrown() {
        JsonLinesEventLog log = new JsonLinesEventLog(dir.resolve("events.jsonl"));
        log.close();
        log.append(NexusEvent.of(1, EventCategory.ENGINE, "a", "nexus", "late"));
        assertThat(log.failedWrites()).isEqualTo(1);
    }

    @Test
    void anUnopenableFileFailsAtConstruction() throws IOException {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "x");
        assertThatThrownBy(() -> new JsonLinesEventLog(notADir.resolve("events.jsonl")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot open event log");
    }

    @Test
    void anEngineRunWritesItsEventsAsJsonLines() throws IOException {
        Path file = dir.resolve("engine.jsonl");
        JsonLinesEventLog log = new JsonLinesEventLog(file);
        NexusEngine engine = NexusEngine.builder(NexusConfig.builder().level(NexusLevel.MONITORING).build(),
                new ManualClock()).eventLog(log).build();
        engine.start();
        engine.tick();
        engine.close();
        log.close();

        List<JsonNode> lines = readLines(file);
        assertThat(lines).extracting(n -> n.get("type").asText())
                .startsWith("state.transition", "engine.start", "state.transition")
                .endsWith("state.transition", "state.transition", "engine.stop");
        assertThat(lines).allSatisfy(n -> assertThat(n.has("time") && n.has("ts") && n.has("category")
                && n.has("component") && n.has("reason") && n.has("evidence")).isTrue());
        assertThat(lines.get(0).get("evidence").get("to").asText()).isEqualTo("INITIALIZING");
    }

    @Test
    void recentEventsKeepsTheLastOnesOldestFirst() {
        RecentEvents recent = new RecentEvents(3);
        for (int i = 1; i <= 5; i++) {
            recent.append(NexusEvent.of(i, EventCategory.ENGINE, "e" + i, null, null));
        }
        assertThat(recent.snapshot()).extracting(NexusEvent::type).containsExactly("e3", "e4", "e5");
        assertThat(recent.total()).isEqualTo(5);
        assertThatThrownBy(() -> new RecentEvents(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compositeLogSendsToEveryLogEvenWhenOneFails() {
        CompositeEventLog composite = new CompositeEventLog();
        RecentEvents a = new RecentEvents(10);
        RecentEvents b = new RecentEvents(10);
        composite.add(a);
        composite.add(e -> {
            throw new IllegalStateException("broken sink");
        });
        composite.add(b);
        composite.append(NexusEvent.of(1, EventCategory.ENGINE, "x", null, null));
        assertThat(a.total()).isEqualTo(1);
        assertThat(b.total()).isEqualTo(1);
    }

    @Test
    void eventEvidenceIsAnInsertionOrderedCopy() {
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("z", 1);
        ev.put("a", 2);
        NexusEvent e = new NexusEvent(0, EventCategory.ENGINE, "t", null, null, ev);
        ev.put("later", 3);
        assertThat(e.evidence()).containsOnlyKeys("z", "a");
        assertThat(e.evidence().keySet()).containsExactly("z", "a");
        assertThatThrownBy(() -> e.evidence().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }
}
