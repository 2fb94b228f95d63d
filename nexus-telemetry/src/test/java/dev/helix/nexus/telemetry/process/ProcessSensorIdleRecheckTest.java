package dev.helix.nexus.telemetry.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.telemetry.TestSupport.Sink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The idle re-check of {@link ProcessSensor}: which stat files are read on which tick, and what is reported. */
class ProcessSensorIdleRecheckTest {

    static final long T0 = 1_767_225_600_000L;
    static final String[] BUSY = {"comm", "p10", "pid", "10"};

    /** One busy, big process (the only one reported with topN 1) and five idle small ones, pids 20..24. */
    private static FakeProc busyAndIdle(Path tmp) throws Exception {
        FakeProc fp = new FakeProc(tmp.resolve("proc"));
        fp.spawn(10, 1000, 50_000);
        for (int pid = 20; pid < 25; pid++) {
            fp.spawn(pid, 5, 100);
        }
        fp.write();
        return fp;
    }

    private static ProcessSensor sensor(Path proc, int cap) {
        return new ProcessSensor(proc, 1, 100, 4096, ProcessSensor.DEFAULT_TASK_SWEEP_EVERY, 64, cap);
    }

    /** Samples tick {@code tick} (one second apart) after moving the busy process on by 50 CPU ticks. */
    private static void tick(FakeProc fp, ProcessSensor s, Sink sink, int tick) throws Exception {
        fp.procs.get(10).utime += 50;
        fp.write();
        sink.clear();
        s.sample(sink, T0 + 1000L * tick);
    }

    @Test
    void idleProcessesAreReadEveryTwoThenEveryFourTicksAfterTwoUnchangedReadsAndTheCountsAreExported(
            @TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        ProcessSensor s = sensor(fp.root, 4);
        Sink sink = new Sink();
        // ticks 0-2 read all six (new, then unchanged once, twice); the idle ones are due again at 4, then at 8
        int[] expectedReads = {6, 6, 6, 1, 6, 1, 1, 1, 6, 1, 1, 1, 6};
        for (int tick = 0; tick < expectedReads.length; tick++) {
            tick(fp, s, sink, tick);
            assertThat(sink.get("host_processes_stat_read")).as("tick %d", tick).isEqualTo(expectedReads[tick]);
            assertThat(sink.get("host_processes_stat_skipped")).as("tick %d", tick)
                    .isEqualTo(6 - expectedReads[tick]);
            assertThat(sink.get("host_processes")).as("tick %d", tick).isEqualTo(6);
            if (tick > 0) {
                assertThat(sink.get("process_cpu_cores", BUSY)).as("tick %d", tick).isEqualTo(0.5);
            }
        }
        assertThat(s.listings()).as("listed once: no fork, no exit since").isEqualTo(1);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        s.close();
    }

    @Test
    void withCapOneEveryProcessIsReadEveryTick(@TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        ProcessSensor s = sensor(fp.root, 1);
        Sink sink = new Sink();
        for (int tick = 0; tick < 10; tick++) {
            tick(fp, s, sink, tick);
            assertThat(sink.get("host_processes_stat_read")).as("tick %d", tick).isEqualTo(6);
            assertThat(sink.get("host_processes_stat_skipped")).as("tick %d", tick).isZero();
        }
        s.close();
    }

    @Test
    void aWakingIdleProcessIsReportedWithinTheCapWithItsCpuRateOverTheWholeIntervalSinceItsLastRead(
            @TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        ProcessSensor s = sensor(fp.root, 4);
        Sink sink = new Sink();
        for (int tick = 0; tick < 6; tick++) {
            tick(fp, s, sink, tick);
        }
        // pid 22 was last read at tick 4 and is due at tick 8; it wakes between ticks 5 and 6 and uses 8 s of CPU
        long lastRead = s.lastReadTs(22);
        assertThat(lastRead).isEqualTo(T0 + 4000);
        fp.procs.get(22).utime += 800;
        String[] woke = {"comm", "p22", "pid", "22"};
        int seenAt = -1;
        for (int tick = 6; tick < 6 + 4 && seenAt < 0; tick++) {
            tick(fp, s, sink, tick);
            if (sink.has("process_cpu_cores", woke)) {
                seenAt = tick;
            }
        }
        assertThat(seenAt).as("reported at most cap - 1 = 3 ticks after it woke").isBetween(6, 8);
        double seconds = (T0 + 1000L * seenAt - lastRead) / 1000.0;
        double cores = sink.get("process_cpu_cores", woke);
        assertThat(cores).isEqualTo(8.0 / seconds);
        assertThat(cores * seconds).as("no CPU time lost").isCloseTo(8.0, org.assertj.core.data.Offset.offset(1e-9));
        s.close();
    }

    @Test
    void aNewProcessIsReadOnTheTickItAppearsAndAnExitedIdleOneIsDroppedAtOnce(@TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        ProcessSensor s = sensor(fp.root, 4);
        Sink sink = new Sink();
        for (int tick = 0; tick < 4; tick++) {
            tick(fp, s, sink, tick);
        }
        assertThat(sink.get("host_processes_stat_skipped")).isEqualTo(5);

        fp.spawn(30, 0, 200_000); // biggest RSS: reported at once
        tick(fp, s, sink, 4);
        assertThat(sink.get("host_processes")).isEqualTo(7);
        assertThat(s.lastReadTs(30)).isEqualTo(T0 + 4000);
        assertThat(sink.get("process_rss_bytes", "comm", "p30", "pid", "30")).isEqualTo(200_000 * 4096.0);

        tick(fp, s, sink, 5);
        assertThat(sink.get("host_processes_stat_skipped")).as("the idle ones are skipped again").isEqualTo(5);
        assertThat(s.openFiles()).as("one kept stat file per process").isEqualTo(7);
        fp.exit(21); // an idle process not due this tick exits: the task count in loadavg drops
        tick(fp, s, sink, 6);
        assertThat(sink.get("host_processes")).isEqualTo(6);
        assertThat(s.lastReadTs(21)).as("dropped").isEqualTo(Long.MIN_VALUE);
        assertThat(s.openFiles()).as("its stat file closed").isEqualTo(6);
        assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
        s.close();
        assertThat(s.openFiles()).isZero();
    }

    @Test
    void aPidReusedByANewProcessWhileTheOldOneWasSkippedIsReadAsTheNewProcess(@TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        ProcessSensor s = sensor(fp.root, 4);
        Sink sink = new Sink();
        for (int tick = 0; tick < 5; tick++) {
            tick(fp, s, sink, tick);
        }
        assertThat(s.lastReadTs(23)).as("read on tick 4, due again on tick 8").isEqualTo(T0 + 4000);
        // the old 23 exits and, after the pid counter wrapped, a new process gets pid 23 between two ticks: the
        // task count is unchanged, only the last pid moved (from 24 back to 23)
        FakeProc.Proc reused = fp.reuse(23, 5, 300_000);
        tick(fp, s, sink, 5);
        assertThat(s.lastReadTs(23)).isEqualTo(T0 + 5000);
        String[] p23 = {"comm", "p23", "pid", "23"};
        assertThat(sink.get("process_rss_bytes", p23)).isEqualTo(reused.rssPages * 4096.0);
        assertThat(sink.get("process_cpu_cores", p23)).as("a new history: no rate yet").isNaN();
        s.close();
    }

    @Test
    void whileTheHostHasTasksInIoWaitEveryProcessIsRead(@TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        ProcessSensor s = sensor(fp.root, 4);
        Sink sink = new Sink();
        for (int tick = 0; tick < 5; tick++) {
            tick(fp, s, sink, tick);
        }
        fp.procsBlocked = 1;
        fp.procs.get(24).state = 'D'; // an idle process, not due before tick 8, blocks in I/O: seen on this tick
        tick(fp, s, sink, 5);
        assertThat(sink.get("host_processes_stat_skipped")).isZero();
        assertThat(sink.get("host_processes_d_state")).isEqualTo(1);
        fp.procsBlocked = 0;
        tick(fp, s, sink, 6);
        assertThat(s.lastReadTs(24)).as("a process last seen in D is read every tick").isEqualTo(T0 + 6000);
        assertThat(sink.get("host_processes_d_state")).isEqualTo(1);
        s.close();
    }

    @Test
    void aMultiThreadedIdleProcessIsReadOnItsTaskRotationTurn(@TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        FakeProc.Proc mt = fp.spawn(40, 5, 100);
        mt.threads = 2;
        for (int tid : new int[] {40, 41}) {
            Files.createDirectories(fp.root.resolve("40/task/" + tid));
            Files.writeString(fp.root.resolve("40/task/" + tid + "/stat"), FakeProc.statLine(mt));
        }
        ProcessSensor s = new ProcessSensor(fp.root, 1, 100, 4096, 5, 64, 4); // turns: (tick + 40) % 5 == 0
        Sink sink = new Sink();
        List<Integer> readTicks = new ArrayList<>();
        for (int tick = 0; tick < 16; tick++) {
            long before = s.lastReadTs(40);
            tick(fp, s, sink, tick);
            if (s.lastReadTs(40) != before) {
                readTicks.add(tick);
            }
        }
        // new (0), unchanged once (1), twice (2: due at 4), 4 (due at 8), its turn 5 (due at 9), 9, turn 10, 14,
        // turn 15
        assertThat(readTicks).containsExactly(0, 1, 2, 4, 5, 9, 10, 14, 15);
        s.close();
    }

    @Test
    void aScanListenerReceivesEveryProcessEveryTickSoNothingIsSkippedForIt(@TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        ProcessSensor s = sensor(fp.root, 4);
        int[] calls = new int[1];
        s.scanListener(new ProcessScanListener() {
            @Override
            public void scanStarted(long ts) {
                calls[0] = 0;
            }

            @Override
            public void process(long pid, long startTime, long cpuTicks, long threads, String comm) {
                calls[0]++;
            }

            @Override
            public void scanFinished(long ts, boolean complete) {
            }
        });
        Sink sink = new Sink();
        for (int tick = 0; tick < 8; tick++) {
            tick(fp, s, sink, tick);
            assertThat(calls[0]).as("tick %d", tick).isEqualTo(6);
            assertThat(sink.get("host_processes_stat_skipped")).isZero();
        }
        s.close();
    }

    @Test
    void aProcRootOfAnotherPidNamespaceIsReadInFullEveryTick(@TempDir Path tmp) throws Exception {
        FakeProc fp = busyAndIdle(tmp);
        Files.delete(fp.root.resolve("self")); // loadavg no longer speaks for these pids: pid reuse is unknowable
        ProcessSensor s = sensor(fp.root, 4);
        Sink sink = new Sink();
        for (int tick = 0; tick < 8; tick++) {
            tick(fp, s, sink, tick);
            assertThat(sink.get("host_processes_stat_skipped")).as("tick %d", tick).isZero();
        }
        s.close();
    }

    @Test
    void theRecheckIntervalDoublesFromTheSecondUnchangedReadUpToTheCap() {
        assertThat(List.of(0, 1, 2, 3, 4, 5, 40).stream().map(k -> ProcessSensor.recheckInterval(k, 4)).toList())
                .containsExactly(1L, 1L, 2L, 4L, 4L, 4L, 4L);
        assertThat(ProcessSensor.recheckInterval(5, 16)).isEqualTo(16);
        assertThat(ProcessSensor.recheckInterval(9, 1)).isEqualTo(1);
    }

    @Test
    void aCapBelowOneIsRejectedNamingTheProcRoot(@TempDir Path tmp) {
        assertThatThrownBy(() -> new ProcessSensor(tmp, 1, 100, 4096, 10, 64, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(tmp.toString()).hasMessageContaining("idleRecheckCap");
    }
}
