package dev.helix.nexus.agent.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.MetricKey;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.core.spi.SensorHealth;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, "other JVMs through JMX where configured": {@code NEXUS_JVM_TARGETS} / {@code -Dnexus.jvm.targets} turns
 * pids and {@code service:jmx:} URLs into sensors; a real child JVM is read both ways, with the own-JVM metric set.
 */
class JvmTargetsSensorProviderTest {

    private Process child;

    @AfterEach
    void stopChild() throws Exception {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void nothingWhenUnsetBlankOrSenseIsDisabled() {
        assertThat(new JvmTargetsSensorProvider(null, "ENV").create(NexusConfig.defaults())).isEmpty();
        assertThat(new JvmTargetsSensorProvider(" , ", "ENV").create(NexusConfig.defaults())).isEmpty();
        NexusConfig off = NexusConfig.builder().enableSense(false).build();
        assertThat(new JvmTargetsSensorProvider("4242", "ENV").create(off)).isEmpty();
    }

    @Test
    void configuredTargetsAreUsedUnlessTheVariableReplacesThem() {
        // pids above any pid_max: the sensors' background attach finds no such process and touches nothing
        NexusConfig config = NexusConfig.defaults().toBuilder().jvmTargets(List.of("999999991", "nope")).buildUnchecked();
        List<Sensor> fromConfig = new JvmTargetsSensorProvider(null, "NEXUS_JVM_TARGETS").create(config);
        List<Sensor> replaced = new JvmTargetsSensorProvider("999999992", "NEXUS_JVM_TARGETS").create(config);
        try {
            assertThat(fromConfig).extracting(Sensor::name).containsExactly("jvm-attach-999999991", "jvm-target-nope");
            assertThat(fromConfig.get(1).health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(fromConfig.get(1).health().reason())
                    .isEqualTo("jvmTargets entry 2: 'nope' is neither a positive process id nor a service:jmx: URL");
            assertThat(replaced).extracting(Sensor::name).containsExactly("jvm-attach-999999992");
        } finally {
            fromConfig.forEach(Sensor::close);
            replaced.forEach(Sensor::close);
        }
    }

    @Test
    void aBadEntryIsAFailedSensorNamingTheVariableAndTheEntry() throws Exception {
        List<Sensor> s = new JvmTargetsSensorProvider("12x, -3,service:jmx:nope", "NEXUS_JVM_TARGETS")
                .create(NexusConfig.defaults());
        assertThat(s).hasSize(3);
        for (Sensor x : s) {
            x.sample((k, v, t) -> { throw new AssertionError("recorded " + k); }, 1_000);
            assertThat(x.health().status()).isEqualTo(SensorHealth.Status.FAILED);
            assertThat(x.health().reason()).startsWith("NEXUS_JVM_TARGETS: '");
        }
        assertThat(s.get(0).health().reason()).contains("'12x' is neither a positive process id nor a service:jmx: URL");
        assertThat(s.get(1).health().reason()).contains("'-3'");
        assertThat(s.get(2).health().reason()).contains("'service:jmx:nope' is not a valid JMX service URL");
    }

    @Test
    void readsAChildJvmByPidAndOverRemoteJmxWithTheOwnJvmMetricSet() throws Exception {
        int port = startChild();
        String url = "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi";
        List<Sensor> sensors = new JvmTargetsSensorProvider(child.pid() + "," + url, "NEXUS_JVM_TARGETS")
                .create(NexusConfig.defaults());
        assertThat(sensors).extracting(Sensor::name).containsExactly("jvm-attach-" + child.pid(), "jvm-jmx-" + url);
        Map<MetricKey, Double> got = new HashMap<>();
        MetricSink sink = (k, v, t) -> got.put(k, v);
        // connecting happens off the tick: sample like a 300 ms tick until both report a CPU rate (two readings)
        MetricKey pidCores = MetricKey.of("jvm_process_cpu_cores", "pid", Long.toString(child.pid()));
        MetricKey urlCores = MetricKey.of("jvm_process_cpu_cores", "jmx", url);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(got.containsKey(pidCores) && got.containsKey(urlCores)) && System.nanoTime() < deadline) {
            long now = System.currentTimeMillis();
            for (Sensor s : sensors) {
                s.sample(sink, now);
            }
            Thread.sleep(300);
        }
        assumeTrue(sensors.get(0).health().isHealthy(), "cannot attach to the child: " + sensors.get(0).health());
        assertThat(sensors.get(1).health().isHealthy()).as(sensors.get(1).health().toString()).isTrue();
        for (String[] label : new String[][] {{"pid", Long.toString(child.pid())}, {"jmx", url}}) {
            assertThat(value(got, "jvm_memory_used_bytes", label, "area", "heap")).isPositive();
            assertThat(value(got, "jvm_memory_committed_bytes", label, "area", "nonheap")).isPositive();
            assertThat(value(got, "jvm_memory_pool_used_bytes", label, "pool", "Eden Space")).isGreaterThanOrEqualTo(0);
            assertThat(value(got, "jvm_memory_pool_used_after_gc_bytes", label, "pool", "Tenured Gen"))
                    .isGreaterThanOrEqualTo(0);
            assertThat(value(got, "jvm_gc_collections", label, "gc", "Copy")).isGreaterThanOrEqualTo(0);
            assertThat(value(got, "jvm_gc_time_fraction", label, "gc", "MarkSweepCompact")).isBetween(0.0, 1.0);
            assertThat(value(got, "jvm_classes_loaded", label)).isGreaterThan(100);
            assertThat(value(got, "jvm_open_fds", label)).isGreaterThan(2);
            assertThat(value(got, "jvm_max_fds", label)).isGreaterThanOrEqualTo(value(got, "jvm_open_fds", label));
            assertThat(value(got, "jvm_threads_live", label)).isGreaterThan(1);
            assertThat(value(got, "jvm_threads_deadlocked", label)).isZero();
            assertThat(value(got, "jvm_threads", label, "state", "runnable")).isPositive();
            double states = 0;
            for (Thread.State st : Thread.State.values()) {
                states += value(got, "jvm_threads", label, "state", st.name().toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(states).as("thread states sum to the live threads").isEqualTo(value(got, "jvm_threads_live", label));
            assertThat(value(got, "jvm_process_cpu_cores", label)).isGreaterThanOrEqualTo(0);
            assertThat(value(got, "jmx_reading_age_seconds", label)).isGreaterThanOrEqualTo(0);
        }
        sensors.forEach(Sensor::close);
    }

    /**
     * A SIGSTOPped target answers no JMX call (RMI has no reply timeout): the tick must not wait for it. The last
     * reading is republished DEGRADED while younger than the timeout, then FAILED with nothing recorded; after SIGCONT
     * the sensor is healthy again.
     */
    @Test
    void aStoppedTargetNeverStallsTheTickAndRecoversWhenResumed() throws Exception {
        int port = startChild();
        assumeTrue(java.nio.file.Files.isExecutable(Path.of("/bin/kill")), "no /bin/kill");
        AttachedJvmSensor s = AttachedJvmSensor.remote(
                new javax.management.remote.JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"),
                java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(1500));
        try {
            Map<MetricKey, Double> got = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!s.health().isHealthy() && System.nanoTime() < deadline) {
                s.sample((k, v, t) -> got.put(k, v), System.currentTimeMillis());
                Thread.sleep(200);
            }
            assertThat(s.health().isHealthy()).as(s.health().toString()).isTrue();
            signal("STOP");
            long stoppedAt = System.currentTimeMillis();
            List<SensorHealth.Status> seen = new java.util.ArrayList<>();
            long longestTickNanos = 0;
            int recordedWhenFailed = 0;
            while (System.currentTimeMillis() - stoppedAt < 3_000) {
                int[] n = {0};
                long t0 = System.nanoTime();
                s.sample((k, v, t) -> n[0]++, System.currentTimeMillis());
                longestTickNanos = Math.max(longestTickNanos, System.nanoTime() - t0);
                seen.add(s.health().status());
                if (s.health().status() == SensorHealth.Status.FAILED) {
                    recordedWhenFailed += n[0];
                }
                Thread.sleep(200);
            }
            // each tick waits at most the 100 ms wait for the reading it starts, and none is started while one hangs
            assertThat(longestTickNanos).as("longest tick while the target is stopped")
                    .isLessThan(TimeUnit.SECONDS.toNanos(1));
            assertThat(seen).contains(SensorHealth.Status.DEGRADED).endsWith(SensorHealth.Status.FAILED);
            assertThat(s.health().reason()).contains("no answer from the JVM at service:jmx:").contains("timeout 1500 ms");
            assertThat(recordedWhenFailed).as("stale readings are not republished past the timeout").isZero();
            signal("CONT");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!s.health().isHealthy() && System.nanoTime() < deadline) {
                s.sample((k, v, t) -> got.put(k, v), System.currentTimeMillis());
                Thread.sleep(200);
            }
            assertThat(s.health().isHealthy()).as("after SIGCONT: " + s.health()).isTrue();
        } finally {
            signal("CONT");
            s.close();
        }
    }

    private void signal(String sig) throws Exception {
        new ProcessBuilder("/bin/kill", "-" + sig, Long.toString(child.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts {@link DeadlockChild} (no deadlock) with a remote JMX connector on a free loopback port; returns it. */
    private int startChild() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path classes = Path.of(DeadlockChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        child = new ProcessBuilder(javaBin, "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dcom.sun.management.jmxremote.port=" + port, "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
                "-cp", classes.toString(), DeadlockChild.class.getName(), "none")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> first = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                first.complete(child.inputReader().readLine());
            } catch (Exception e) {
                first.completeExceptionally(e);
            }
        });
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("ready");
        return port;
    }

    private static double value(Map<MetricKey, Double> got, String name, String[] label, String... more) {
        String[] pairs = new String[2 + more.length];
        pairs[0] = label[0];
        pairs[1] = label[1];
        System.arraycopy(more, 0, pairs, 2, more.length);
        MetricKey k = MetricKey.of(name, pairs);
        assertThat(got).as("series %s", k).containsKey(k);
        return got.get(k);
    }
}
