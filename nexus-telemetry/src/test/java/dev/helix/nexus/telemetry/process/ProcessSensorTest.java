package dev.helix.nexus.telemetry.process;

import static dev.helix.nexus.telemetry.TestSupport.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.helix.nexus.core.spi.SensorHealth;
import dev.helix.nexus.telemetry.TestSupport.Sink;
import dev.helix.nexus.telemetry.internal.AbstractSensor;
import dev.helix.nexus.telemetry.internal.PidStat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSensorTest {

    static final long T0 = 1_767_225_600_000L;

    @Test
    void parsesCommWithSpacesAndParentheses() {
        PidStat st = PidStat.parse("4242 (my (app) x) S 1 4242 4242 0 -1 4194560 5000 0 10 0 150 50 0 0 20 0 2 0 48000 "
                + "1048576000 25600 18446744073709551615 1 1 0 0");
        assertThat(st).isNotNull();
        assertThat(st.comm()).isEqualTo("my (app) x");
        assertThat(st.state()).isEqualTo('S');
        assertThat(st.utimeTicks()).isEqualTo(150);
        assertThat(st.stimeTicks()).isEqualTo(50);
        assertThat(st.threads()).isEqualTo(2);
        assertThat(st.startTime()).isEqualTo(48000);
        assertThat(st.rssPages()).isEqualTo(25600);
    }

    @Test
    void realStatOfThisProcessParses() throws Exception {
        PidStat st = PidStat.parse(Files.readString(Path.of("/proc/self/stat")));
        assertThat(st).isNotNull();
        assertThat(st.pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Property(tries = 1000)
    void pidStatParserNeverThrows(@ForAll String garbage) {
        PidStat.parse(garbage);
        PidStat.parse("1 (" + garbage + ") R 0 0 0 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 7");
    }

    static Path copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    @Test
    void topProcessesCpuRssGrowthFdsIoAndDState(@TempDir Path tmp) throws Exception {
        Path proc = copyTree(fixture("proc-t0"), tmp.resolve("proc"));
        ProcessSensor s = new ProcessSensor(proc, 5, 100, 4096);
        Sink sink = new Sink();
        s.sample(sink, T0);
        // the garbage stat of pid 77 degrades but does not stop the others
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.DEGRADED);
        assertThat(s.health().reason()).contains("77/stat").doesNotContain(AbstractSensor.INTERNAL_ERROR);
        String[] app = {"comm", "my (app) x", "pid", "4242"};
        assertThat(sink.get("process_rss_bytes", app)).isEqualTo(102400 * 1024.0);
        assertThat(sink.get("process_threads", app)).isEqualTo(2);
        assertThat(sink.get("process_threads_d_state", app)).isEqualTo(1);
        assertThat(sink.get("process_open_fds", app)).isEqualTo(3);
        assertThat(sink.get("process_cpu_cores", app)).isNaN(); // needs two readings
        assertThat(sink.get("host_threads_d_state")).isEqualTo(1);
        assertThat(sink.get("host_processes_d_state")).isEqualTo(1);
        assertThat(sink.get("host_processes")).isEqualTo(2);

        // one second later: +50 ticks of CPU (0.5 cores), +1 MiB RSS, +4096 bytes written
        Files.writeString(proc.resolve("4242/stat"), "4242 (my (app) x) S 1 4242 4242 0 -1 4194560 5000 0 10 0 190 60 "
                + "0 0 20 0 2 0 48000 1048576000 25856 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        Files.writeString(proc.resolve("4242/status"), "Name:\tmy (app) x\nState:\tS (sleeping)\nThreads:\t2\nVmRSS:\t  103424 kB\n");
        Files.writeString(proc.resolve("4242/io"), "read_bytes: 4096\nwrite_bytes: 12288\n");
        s.sample(sink, T0 + 1000);
        assertThat(sink.get("process_cpu_cores", app)).isEqualTo(0.5);
        assertThat(sink.get("process_rss_growth_bytes_per_second", app)).isEqualTo(1024 * 1024.0);
        assertThat(sink.get("process_write_bytes_per_second", app)).isEqualTo(4096);
        assertThat(sink.get("process_read_bytes_per_second", app)).isEqualTo(0);

        // pid reused by a new process (different start time): no bogus CPU rate
        Files.writeString(proc.resolve("4242/stat"), "4242 (my (app) x) S 1 4242 4242 0 -1 4194560 5000 0 10 0 1 1 "
                + "0 0 20 0 2 0 99999 1048576000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        s.sample(sink, T0 + 2000);
        assertThat(sink.get("process_cpu_cores", app)).isNaN();
    }

    @Test
    void missingProcFails() {
        ProcessSensor s = new ProcessSensor(Path.of("/no/such/proc"));
        s.sample(new Sink(), T0);
        assertThat(s.health().status()).isEqualTo(SensorHealth.Status.FAILED);
        assertThat(s.health().reason()).contains("/no/such/proc");
    }

    @Test
    void realProcIsHealthyAndFindsThisJvm() {
        ProcessSensor s = new ProcessSensor(Path.of("/proc"), 200, 100, 4096);
        Sink sink = new Sink();
        s.sample(sink, T0);
        assertThat(s.health().status()).isNotEqualTo(SensorHealth.Status.FAILED);
        assertThat(sink.latest.keySet()).anyMatch(k -> String.valueOf(ProcessHandle.current().pid()).equals(k.label("pid")));
    }
}
