package dev.helix.nexus.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.core.Domain;
import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.NexusLevel;
import dev.helix.nexus.core.NexusState;
import dev.helix.nexus.core.clock.ManualClock;
import dev.helix.nexus.core.event.NexusEvent;
import dev.helix.nexus.core.event.RecentEvents;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 3 audit: a persistently failed sensor made the engine append a {@code component.problem} event every tick (the
 * event log is what the SQLite store keeps: 86 400 identical rows a day at 1 Hz). The engine now logs a problem when it
 * appears or its reason changes, a reminder at most once per interval, and {@code component.recovered} when it ends,
 * while health (DEGRADED, the per-tick problem list) still sees every tick's report.
 */
class ComponentProblemLogTest {

    private static final long START = 1_767_225_600_000L;
    private static final Duration TICK = Duration.ofSeconds(1);

    /** A sensor whose health the test sets; records one series per sample. */
    private static final class SwitchableSensor implements Sensor {
        private final String name;
        volatile SensorHealth health;
        int samples;

        SwitchableSensor(String name) {
            this.name = name;
            this.health = SensorHealth.healthy("test:" + name);
        }

        void fail(String reason) {
            health = SensorHealth.failed("test:" + name, reason);
        }

        void heal() {
            health = SensorHealth.healthy("test:" + name);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void sample(MetricSink sink, long timestampMillis) {
            samples++;
            sink.record(MetricKey.of(name + "_value"), samples, timestampMillis);
        }

        @Override
        public SensorHealth health() {
            return health;
        }
    }

    private final ManualClock clock = new ManualClock(START);
    private final RecentEvents events = new RecentEvents(100_000);

    private NexusEngine engine(Duration reminder, Sensor... sensors) {
        NexusConfig config = NexusConfig.builder().tickDuration(TICK).level(NexusLevel.MONITORING).build();
        NexusEngine.Builder b = NexusEngine.builder(config, clock).eventLog(events).sensors(List.of(sensors));
        if (reminder != null) {
            b.problemReminder(reminder);
        }
        NexusEngine e = b.build();
        e.start();
        return e;
    }

    private List<NexusEvent> ofType(String type) {
        return events.snapshot().stream().filter(e -> e.type().equals(type)).toList();
    }

    @Test
    void aSensorFailedForAnHourIsLoggedOnceThenEveryTenMinutesNotEveryTick() throws InterruptedException {
        SwitchableSensor s = new SwitchableSensor("scrape");
        s.fail("no answer from http://127.0.0.1:9/metrics since start-up");
        try (NexusEngine engine = engine(null, s)) {
            engine.runLoop(3600); // ticks at 0 s .. 3599 s

            assertThat(engine.state()).isEqualTo(NexusState.DEGRADED);
            assertThat(s.samples).isEqualTo(3600);
            List<NexusEvent> problems = ofType("component.problem");
            assertThat(problems).extracting(NexusEvent::timestampMillis).containsExactly(START, START + 600_000,
                    START + 1_200_000, START + 1_800_000, START + 2_400_000, START + 3_000_000);
            assertThat(problems).allSatisfy(e -> {
                assertThat(e.component()).isEqualTo("sensor:scrape");
                assertThat(e.reason()).isEqualTo("no answer from http://127.0.0.1:9/metrics since start-up");
            });
            assertThat(problems.get(0).evidence()).doesNotContainKey("reminder");
            assertThat(problems.get(1).evidence()).containsEntry("reminder", true).containsEntry("sinceMillis", START)
                    .containsEntry("ticks", 601L).containsEntry("unlogged", 599L);
            assertThat(problems.get(5).evidence()).containsEntry("ticks", 3001L).containsEntry("unlogged", 599L);
            assertThat(ofType("component.recovered")).isEmpty();
            assertThat(ofType("sensor.health")).hasSize(1);
        }
    }

    @Test
    void theReminderIntervalIsConfigurable() throws InterruptedException {
        SwitchableSensor s = new SwitchableSensor("disk");
        s.fail("cannot read /proc/diskstats");
        try (NexusEngine engine = engine(Duration.ofSeconds(30), s)) {
            engine.runLoop(100); // 0 s .. 99 s: first report, then 30, 60, 90 s
            assertThat(ofType("component.problem")).extracting(NexusEvent::timestampMillis)
                    .containsExactly(START, START + 30_000, START + 60_000, START + 90_000);
        }
    }

    @Test
    void aChangedReasonIsLoggedAtOnceNamingThePreviousOne() throws InterruptedException {
        SwitchableSensor s = new SwitchableSensor("jvm");
        s.fail("first reason");
        try (NexusEngine engine = engine(null, s)) {
            engine.runLoop(5);
            s.fail("second reason");
            engine.runLoop(5);

            List<NexusEvent> problems = ofType("component.problem");
            assertThat(problems).extracting(NexusEvent::reason).containsExactly("first reason", "second reason");
            assertThat(problems.get(1).timestampMillis()).isEqualTo(START + 5_000);
            assertThat(problems.get(1).evidence()).containsEntry("previousReason", "first reason");
            assertThat(ofType("component.recovered")).as("a change of reason is not a recovery").isEmpty();
            assertThat(engine.state()).isEqualTo(NexusState.DEGRADED);
        }
    }

    @Test
    void aReasonAlternatingBetweenTwoTextsIsLoggedOnceEachNotEveryTick() throws InterruptedException {
        // what a hanging scrape endpoint does: "no answer ... after 1000 ms", then "timed out after 2000 ms", ...
        SwitchableSensor s = new SwitchableSensor("scrape");
        try (NexusEngine engine = engine(null, s)) {
            for (int i = 0; i < 300; i++) {
                s.fail(i % 2 == 0 ? "no answer after 1000 ms" : "timed out after 2000 ms");
                engine.runLoop(1);
            }
            assertThat(ofType("component.problem")).extracting(NexusEvent::reason)
                    .containsExactly("no answer after 1000 ms", "timed out after 2000 ms");
            assertThat(ofType("component.recovered")).isEmpty();
        }
    }

    @Test
    void aReasonThatChangesEveryTickLogsAtMostSixteenTextsThenOnlyReminders() throws InterruptedException {
        SwitchableSensor s = new SwitchableSensor("counter");
        try (NexusEngine engine = engine(null, s)) {
            for (int i = 0; i < 1200; i++) { // 20 minutes at 1 Hz
                s.fail("stale for " + i + " s");
                engine.runLoop(1);
            }
            List<NexusEvent> problems = ofType("component.problem");
            assertThat(problems).hasSize(16 + 1);
            assertThat(problems.subList(0, 16)).extracting(NexusEvent::reason).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 16).mapToObj(i -> "stale for " + i + " s").toList());
            // the 16th text was logged at 15 s; the next event is the reminder 10 minutes later, with the latest text
            assertThat(problems.get(16).timestampMillis()).isEqualTo(START + 615_000);
            assertThat(problems.get(16).reason()).isEqualTo("stale for 615 s");
            assertThat(problems.get(16).evidence()).containsEntry("reminder", true).containsEntry("unlogged", 599L);
        }
    }

    @Test
    void sensorHealthEventsFollowStatusChangesAndAtMostSixteenReasonsPerStatus() throws InterruptedException {
        SwitchableSensor s = new SwitchableSensor("scrape");
        try (NexusEngine engine = engine(null, s)) {
            for (int i = 0; i < 100; i++) {
                s.fail("no answer after " + (1000 + i) + " ms");
                engine.runLoop(1);
            }
            s.health = SensorHealth.degraded("test:scrape", "republishing the scrape of 900 ms ago");
            engine.runLoop(3);
            s.heal();
            engine.runLoop(2);

            List<NexusEvent> health = ofType("sensor.health");
            assertThat(health).hasSize(16 + 1 + 1);
            assertThat(health.subList(0, 16)).allSatisfy(e -> assertThat(e.evidence()).containsEntry("status", "FAILED"));
            assertThat(health.get(15).reason()).isEqualTo("no answer after 1015 ms");
            assertThat(health.get(16).evidence()).containsEntry("status", "DEGRADED");
            assertThat(health.get(17).reason()).isEqualTo("sensor healthy again");
        }
    }

    @Test
    void aProblemThatEndsIsLoggedAsRecoveredOnceAndTheEngineRecoversAsBefore() throws InterruptedException {
        SwitchableSensor s = new SwitchableSensor("cgroup");
        SwitchableSensor steady = new SwitchableSensor("steady");
        s.fail("cgroup.procs vanished");
        try (NexusEngine engine = engine(null, s, steady)) {
            engine.runLoop(20);
            s.heal();
            engine.runLoop(NexusEngine.GOOD_TICKS_TO_RECOVER - 1);
            assertThat(engine.state()).as("recovery still needs its streak of good ticks").isEqualTo(NexusState.DEGRADED);
            engine.runLoop(1);
            assertThat(engine.state()).isEqualTo(NexusState.RUNNING);

            assertThat(ofType("component.problem")).hasSize(1);
            assertThat(ofType("component.recovered")).singleElement().satisfies(e -> {
                assertThat(e.component()).isEqualTo("sensor:cgroup");
                assertThat(e.timestampMillis()).isEqualTo(START + 20_000);
                assertThat(e.evidence()).containsEntry("previousReason", "cgroup.procs vanished")
                        .containsEntry("sinceMillis", START).containsEntry("ticks", 20L);
            });

            s.fail("cgroup.procs vanished");
            engine.runLoop(3);
            assertThat(ofType("component.problem")).as("the same problem coming back is new again").hasSize(2)
                    .last().satisfies(e -> assertThat(e.evidence()).doesNotContainKeys("reminder", "previousReason"));
            assertThat(ofType("component.recovered")).hasSize(1);
            assertThat(engine.state()).isEqualTo(NexusState.DEGRADED);
        }
    }

    @Test
    void everyTickWithAProblemStillCountsAgainstHealthThoughOnlyTheFirstIsLogged() {
        SwitchableSensor s = new SwitchableSensor("flaky");
        s.fail("broken");
        try (NexusEngine engine = engine(null, s)) {
            for (int i = 0; i < NexusEngine.GOOD_TICKS_TO_RECOVER * 3; i++) {
                engine.tick();
                assertThat(engine.state()).as("tick %d", i + 1).isEqualTo(NexusState.DEGRADED);
            }
            assertThat(ofType("component.problem")).hasSize(1);
        }
    }

    @Test
    void problemsOfDifferentComponentsAndTheSameProblemTwiceInATickAreLoggedOncePerComponent() {
        SwitchableSensor a = new SwitchableSensor("a");
        SwitchableSensor b = new SwitchableSensor("b");
        a.fail("a is down");
        b.fail("b is down");
        DomainHandler twice = new DomainHandler() {
            @Override public Domain domain() { return Domain.REFLECT; }
            @Override public void onTick(TickContext ctx) {
                ctx.reportProblem("detector:x", "model missing");
                ctx.reportProblem("detector:x", "model missing");
            }
        };
        NexusConfig config = NexusConfig.builder().tickDuration(TICK).level(NexusLevel.MONITORING).build();
        try (NexusEngine engine = NexusEngine.builder(config, clock).eventLog(events).sensors(List.of(a, b))
                .handler(twice).build()) {
            engine.start();
            for (int i = 0; i < 10; i++) {
                engine.tick();
                clock.advance(TICK);
            }
            assertThat(ofType("component.problem")).extracting(NexusEvent::component)
                    .containsExactly("sensor:a", "sensor:b", "detector:x");
            a.heal();
            engine.tick();
            assertThat(ofType("component.recovered")).extracting(NexusEvent::component).containsExactly("sensor:a");
            assertThat(engine.state()).isEqualTo(NexusState.DEGRADED);
        }
    }

    @Test
    void aPredictorThrowingALinkageErrorEveryTickIsOneProblemAndTheOtherPredictorsStillRun() {
        int[] calls = new int[1];
        dev.helix.nexus.core.spi.Predictor broken = new dev.helix.nexus.core.spi.Predictor() {
            @Override public String name() { return "broken"; }
            @Override public List<dev.helix.nexus.core.spi.Prediction> predict(
                    dev.helix.nexus.core.spi.TelemetrySnapshot t, long ts) {
                throw new NoClassDefFoundError("org/example/Missing");
            }
        };
        dev.helix.nexus.core.spi.Predictor counting = new dev.helix.nexus.core.spi.Predictor() {
            @Override public String name() { return "counting"; }
            @Override public List<dev.helix.nexus.core.spi.Prediction> predict(
                    dev.helix.nexus.core.spi.TelemetrySnapshot t, long ts) {
                calls[0]++;
                return List.of();
            }
        };
        NexusConfig config = NexusConfig.builder().tickDuration(TICK).level(NexusLevel.PREDICTION).build();
        try (NexusEngine engine = NexusEngine.builder(config, clock).eventLog(events).predictor(broken)
                .predictor(counting).build()) {
            engine.start();
            for (int i = 0; i < 30; i++) {
                engine.tick();
                clock.advance(TICK);
            }
            assertThat(calls[0]).isEqualTo(30);
            assertThat(engine.state()).isEqualTo(NexusState.DEGRADED);
            assertThat(ofType("component.problem")).singleElement().satisfies(e -> {
                assertThat(e.component()).isEqualTo("predictor:broken");
                assertThat(e.reason()).contains("NoClassDefFoundError", "org/example/Missing");
            });
        }
    }

    @Test
    void aReminderIntervalThatIsNotPositiveIsRejectedNamingIt() {
        NexusConfig config = NexusConfig.builder().tickDuration(TICK).build();
        NexusEngine.Builder b = NexusEngine.builder(config, clock);
        assertThatThrownBy(() -> b.problemReminder(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("problem reminder").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> b.problemReminder(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
