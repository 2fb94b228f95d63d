package dev.helix.nexus.bench.telemetry;

import dev.helix.nexus.core.NexusConfig;
import dev.helix.nexus.core.spi.MetricSink;
import dev.helix.nexus.core.spi.Sensor;
import dev.helix.nexus.telemetry.TelemetrySensorProvider;
import dev.helix.nexus.telemetry.TelemetryStore;
import dev.helix.nexus.telemetry.store.BackgroundStoreWriter;
import dev.helix.nexus.telemetry.store.SqliteTelemetryStore;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cost of sensing this host at 1 Hz with every NEXUS sensor on, next to the cost of a real {@code node_exporter}
 * scraped at 1 Hz, measured the same way in the same run.
 *
 * <p>Usage: {@code SensingOverheadRun [seconds] [warm-up ticks] [--sqlite]} (defaults 60 and 20; the JIT needs
 * about 20 ticks before the per-tick cost settles). With {@code --sqlite} every sample also goes, as in the agent,
 * through a {@link BackgroundStoreWriter} into a {@link SqliteTelemetryStore} in a temporary directory; the tick
 * thread then pays only for the queueing, and the writer thread's CPU is reported separately. Two threads run at 1 Hz on a shared schedule, the
 * scraper offset by half a second so the two never overlap:
 * <ul>
 *   <li>sensing thread: every sensor of {@link TelemetrySensorProvider} (what the agent registers: /proc host,
 *       processes, cgroups, JVM, syscall-latency probe, JFR stream) sampled into a {@link TelemetryStore}; per tick
 *       the thread's CPU time, allocated bytes and wall time;</li>
 *   <li>scraper thread: a plain {@link HttpURLConnection} GET of a node_exporter started here on a free loopback
 *       port, body read fully; per scrape the scraper thread's CPU/allocation and node_exporter's CPU from
 *       {@code /proc/<pid>/stat} utime+stime (10 ms ticks) and from the sum of {@code /proc/<pid>/task/}*{@code
 *       /schedstat} (ns), plus its Go heap allocation ({@code go_memstats_alloc_bytes_total} delta).</li>
 * </ul>
 * Whole-JVM CPU ({@code /proc/self/stat}) over the window is reported too, since JFR, JIT and GC threads count;
 * the scraper thread's CPU is subtracted from it. It is also split by thread: {@code task/[tid]/schedstat} (ns) of
 * every live thread at the window's start and end, grouped by thread name (tick thread, C1, C2, JFR, GC and VM
 * thread, others); threads that exit inside the window are missing from that sum. RSS from {@code /proc/<pid>/status}. Warm-up ticks first (both
 * loops, not measured). Runs of 120 or more measured ticks are also split into the first {@value #SPLIT_TICK} ticks
 * and the rest (tick CPU and whole JVM by thread group per phase): run with 0 warm-up ticks and the launcher's JVM
 * flags to see what a freshly started agent costs in its first minute and after it (docs/benchmarks/jvm-ergonomics.md).
 */
public final class SensingOverheadRun {

    /** Warm-up ticks (and scrapes) before measuring; set from the second argument. */
    private static int warmup = 20;
    private static final long PERIOD_NS = 1_000_000_000L;
    private static final String NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";
    /**
     * Runs of at least twice this many measured ticks are also reported in two phases, ticks {@code [0, SPLIT_TICK)}
     * and {@code [SPLIT_TICK, n)}: with no warm-up the first phase is the agent's first minute (cold code, the JIT
     * busiest), the second its steady state.
     */
    static final int SPLIT_TICK = 60;

    private SensingOverheadRun() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        boolean sqlite = args.length > 2 && args[2].equals("--sqlite");
        if (seconds < 2 || warmup < 0 || (args.length > 2 && !sqlite) || args.length > 3) {
            throw new IllegalArgumentException("usage: SensingOverheadRun [seconds >= 2] [warm-up ticks >= 0] "
                    + "[--sqlite], got " + String.join(" ", args));
        }
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        tmx.setThreadCpuTimeEnabled(true);
        tmx.setThreadAllocatedMemoryEnabled(true);
        long clk = clockTicksPerSecond();
        long selfPid = ProcessHandle.current().pid();
        System.out.printf(Locale.ROOT, "SensingOverheadRun: %d s at 1 Hz after %d warm-up ticks; %s; loadavg %s%n",
                seconds, warmup, Runtime.version(), loadavg());
        long rssBaselineKb = statusKb(selfPid, "VmRSS");

        int port = freePort();
        Process ne = new ProcessBuilder(NODE_EXPORTER, "--web.listen-address=127.0.0.1:" + port)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<Sensor> sensors = new TelemetrySensorProvider().create(NexusConfig.defaults());
        Path dbDir = sqlite ? Files.createTempDirectory("nexus-overhead-") : null;
        BackgroundStoreWriter writer = sqlite
                ? BackgroundStoreWriter.start(SqliteTelemetryStore.open(dbDir.resolve("nexus.db"))) : null;
        try {
            URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
            waitUp(uri, ne);
            System.out.printf(Locale.ROOT, "node_exporter pid %d on %s; %d NEXUS sensors: %s%n", ne.pid(), uri,
                    sensors.size(), sensors.stream().map(Sensor::name).toList());

            SensingLoop sensing = new SensingLoop(sensors, seconds, tmx, writer);
            ScrapeLoop scrape = new ScrapeLoop(uri, ne.pid(), clk, seconds, tmx);
            long start = System.nanoTime() + 200_000_000L;
            sensing.start = start;
            scrape.start = start + PERIOD_NS / 2;
            Thread ts = new Thread(sensing, "nexus-sensing");
            Thread tc = new Thread(scrape, "node-exporter-scraper");
            ts.start();
            tc.start();
            // progress every 10 s
            while (ts.isAlive() || tc.isAlive()) {
                ts.join(10_000);
                if (ts.isAlive() || tc.isAlive()) {
                    int a = sensing.done.get();
                    int b = scrape.done.get();
                    System.out.printf(Locale.ROOT,
                            "  progress: sensing %d/%d (mean %.2f ms CPU), scrapes %d/%d (node_exporter mean %.2f ms"
                                    + " CPU), loadavg %s%n",
                            a, seconds, mean(sensing.cpuNs, a) / 1e6, b, seconds, mean(scrape.neSchedNs, b) / 1e6,
                            loadavg());
                }
            }
            tc.join();
            if (sensing.failure != null) {
                throw new IllegalStateException("sensing loop failed", sensing.failure);
            }
            if (scrape.failure != null) {
                throw new IllegalStateException("scrape loop failed", scrape.failure);
            }
            report(seconds, sensing, scrape, selfPid, ne.pid(), rssBaselineKb);
            if (writer != null) {
                long w0 = System.nanoTime();
                writer.close();
                System.out.printf(Locale.ROOT, "SQLite (agent wiring: BackgroundStoreWriter -> SqliteTelemetryStore): "
                                + "writer thread %.3f ms CPU per tick (async, off the tick thread), %d samples dropped, "
                                + "close (drain + commit) %.1f ms wall; %s = %d KB + WAL %d KB%n",
                        (sensing.writerCpu1 - sensing.writerCpu0) / 1e6 / ((sensing.window1Ns - sensing.window0Ns)
                                / 1e9), writer.droppedSamples(), (System.nanoTime() - w0) / 1e6,
                        dbDir.resolve("nexus.db"), sizeKb(dbDir.resolve("nexus.db")),
                        sizeKb(dbDir.resolve("nexus.db-wal")));
            }
        } finally {
            if (writer != null) {
                writer.close();
                for (String f : new String[] {"nexus.db", "nexus.db-wal", "nexus.db-shm"}) {
                    Files.deleteIfExists(dbDir.resolve(f));
                }
                Files.deleteIfExists(dbDir);
            }
            for (Sensor s : sensors) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    // closing is best effort
                }
            }
            ne.destroy();
            if (!ne.waitFor(5, TimeUnit.SECONDS)) {
                ne.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ sensing side

    private static final class SensingLoop implements Runnable {
        final List<Sensor> sensors;
        final int n;
        final com.sun.management.ThreadMXBean tmx;
        final long[] cpuNs;
        final long[] allocBytes;
        final long[] wallNs;
        final TelemetryStore store = new TelemetryStore();
        final BackgroundStoreWriter writer;
        final MetricSink sink;
        long writerCpu0;
        long writerCpu1;
        long userNs0;
        long userNs1;
        long threadCpuNs0;
        long threadCpuNs1;
        final AtomicInteger done = new AtomicInteger();
        volatile long start;
        volatile Throwable failure;
        // whole-JVM window, taken on this thread right before the first / after the last measured tick
        long procTicks0;
        long procTicks1;
        long window0Ns;
        long window1Ns;
        long jfrCpu0;
        long jfrCpu1;
        long jfrAlloc0;
        long jfrAlloc1;
        java.util.Map<Long, ThreadCpu> threads0;
        java.util.Map<Long, ThreadCpu> threads1;
        /** Measured tick at which the phase split is taken ({@link #SPLIT_TICK}), or -1 when the run is too short. */
        final int splitAt;
        java.util.Map<Long, ThreadCpu> threadsSplit;
        long procTicksSplit;
        long windowSplitNs;
        int sampleErrors;
        final long[] perSensorCpuNs;
        final long[] perSensorAlloc;
        /** Per sensor, CPU ns summed over the measured ticks before {@link #splitAt} (index 0) and from it on (1). */
        final long[][] perSensorPhaseCpuNs;

        SensingLoop(List<Sensor> sensors, int n, com.sun.management.ThreadMXBean tmx, BackgroundStoreWriter writer) {
            this.sensors = sensors;
            this.writer = writer;
            // the agent's wiring: every sample into the in-memory store and the SQLite writer's queue
            this.sink = writer == null ? store : (k, v, t) -> {
                store.record(k, v, t);
                writer.record(k, v, t);
            };
            this.n = n;
            this.tmx = tmx;
            cpuNs = new long[n];
            allocBytes = new long[n];
            wallNs = new long[n];
            perSensorCpuNs = new long[sensors.size()];
            perSensorAlloc = new long[sensors.size()];
            perSensorPhaseCpuNs = new long[2][sensors.size()];
            splitAt = n >= 2 * SPLIT_TICK ? SPLIT_TICK : -1;
        }

        @Override
        public void run() {
            try {
                long self = ProcessHandle.current().pid();
                for (int i = 0; i < warmup + n; i++) {
                    sleepUntil(start + (long) i * PERIOD_NS);
                    int m = i - warmup;
                    if (m == 0) {
                        threads0 = threadCpu(self);
                        procTicks0 = procCpuTicks(self);
                        window0Ns = System.nanoTime();
                        long[] j = threadsNamed(tmx, "JFR");
                        jfrCpu0 = j[0];
                        jfrAlloc0 = j[1];
                        writerCpu0 = threadsNamed(tmx, "NEXUS-STORE-WRITER")[0];
                        userNs0 = tmx.getCurrentThreadUserTime();
                        threadCpuNs0 = tmx.getCurrentThreadCpuTime();
                    }
                    if (splitAt >= 0 && m == splitAt) { // not at m = -1, the last warm-up tick of a short run
                        threadsSplit = threadCpu(self);
                        procTicksSplit = procCpuTicks(self);
                        windowSplitNs = System.nanoTime();
                    }
                    long ts = System.currentTimeMillis();
                    long c0 = tmx.getCurrentThreadCpuTime();
                    long a0 = tmx.getCurrentThreadAllocatedBytes();
                    long w0 = System.nanoTime();
                    long pc = c0;
                    long pa = a0;
                    for (int k = 0; k < sensors.size(); k++) {
                        try {
                            sensors.get(k).sample(sink, ts);
                        } catch (Exception e) {
                            sampleErrors++;
                        }
                        long nc = tmx.getCurrentThreadCpuTime();
                        long na = tmx.getCurrentThreadAllocatedBytes();
                        if (m >= 0) {
                            perSensorCpuNs[k] += nc - pc;
                            perSensorPhaseCpuNs[splitAt >= 0 && m >= splitAt ? 1 : 0][k] += nc - pc;
                            perSensorAlloc[k] += na - pa;
                        }
                        pc = nc;
                        pa = na;
                    }
                    long w1 = System.nanoTime();
                    long a1 = tmx.getCurrentThreadAllocatedBytes();
                    long c1 = tmx.getCurrentThreadCpuTime();
                    if (m >= 0) {
                        cpuNs[m] = c1 - c0;
                        allocBytes[m] = a1 - a0;
                        wallNs[m] = w1 - w0;
                        done.incrementAndGet();
                    }
                }
                // close the window one period after the last tick started, so it spans n whole seconds
                sleepUntil(start + (long) (warmup + n) * PERIOD_NS);
                userNs1 = tmx.getCurrentThreadUserTime();
                threadCpuNs1 = tmx.getCurrentThreadCpuTime();
                procTicks1 = procCpuTicks(self);
                threads1 = threadCpu(self);
                window1Ns = System.nanoTime();
                long[] j = threadsNamed(tmx, "JFR");
                jfrCpu1 = j[0];
                jfrAlloc1 = j[1];
                writerCpu1 = threadsNamed(tmx, "NEXUS-STORE-WRITER")[0];
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    /** Sum of CPU ns and allocated bytes of live threads whose upper-cased name contains {@code part}. */
    private static long[] threadsNamed(com.sun.management.ThreadMXBean tmx, String part) {
        long cpu = 0;
        long alloc = 0;
        for (ThreadInfo ti : tmx.getThreadInfo(tmx.getAllThreadIds())) {
            if (ti != null && ti.getThreadName().toUpperCase(Locale.ROOT).contains(part)) {
                long c = tmx.getThreadCpuTime(ti.getThreadId());
                long a = tmx.getThreadAllocatedBytes(ti.getThreadId());
                cpu += Math.max(0, c);
                alloc += Math.max(0, a);
            }
        }
        return new long[] {cpu, alloc};
    }

    // ------------------------------------------------------------------------------------------ scrape side

    private static final class ScrapeLoop implements Runnable {
        final URI uri;
        final long pid;
        final long clk;
        final int n;
        final com.sun.management.ThreadMXBean tmx;
        final long[] neStatNs; // node_exporter CPU per scrape interval, /proc/pid/stat (10 ms resolution)
        final long[] neSchedNs; // same, sum of per-thread schedstat (ns resolution)
        final long[] neGoAlloc; // go_memstats_alloc_bytes_total delta
        final long[] scraperCpuNs;
        final long[] scraperAlloc;
        final long[] wallNs;
        final AtomicInteger done = new AtomicInteger();
        volatile long start;
        volatile Throwable failure;
        long neStat0;
        long neStat1;
        long neRssKb;
        long neHwmKb;
        int samplesPerScrape;
        long bodyBytes;
        int scrapeErrors;

        ScrapeLoop(URI uri, long pid, long clk, int n, com.sun.management.ThreadMXBean tmx) {
            this.uri = uri;
            this.pid = pid;
            this.clk = clk;
            this.n = n;
            this.tmx = tmx;
            neStatNs = new long[n];
            neSchedNs = new long[n];
            neGoAlloc = new long[n];
            scraperCpuNs = new long[n];
            scraperAlloc = new long[n];
            wallNs = new long[n];
        }

        @Override
        public void run() {
            try {
                long prevStat = procCpuTicks(pid);
                long prevSched = schedstatSum(pid);
                double prevGo = Double.NaN;
                for (int i = 0; i < warmup + n; i++) {
                    sleepUntil(start + (long) i * PERIOD_NS);
                    int m = i - warmup;
                    long c0 = tmx.getCurrentThreadCpuTime();
                    long a0 = tmx.getCurrentThreadAllocatedBytes();
                    long w0 = System.nanoTime();
                    double go = Double.NaN;
                    try {
                        String body = get(uri);
                        bodyBytes = body.length();
                        go = goAllocTotal(body);
                        samplesPerScrape = countSamples(body);
                    } catch (IOException e) {
                        scrapeErrors++;
                    }
                    long w1 = System.nanoTime();
                    long a1 = tmx.getCurrentThreadAllocatedBytes();
                    long c1 = tmx.getCurrentThreadCpuTime();
                    // node_exporter's CPU since the previous scrape: the scrape itself plus anything it did idle
                    long st = procCpuTicks(pid);
                    long sc = schedstatSum(pid);
                    if (m == 0) {
                        neStat0 = prevStat;
                    }
                    if (m >= 0) {
                        neStatNs[m] = (st - prevStat) * 1_000_000_000L / clk;
                        neSchedNs[m] = sc - prevSched;
                        neGoAlloc[m] = Double.isNaN(go) || Double.isNaN(prevGo) ? -1 : (long) (go - prevGo);
                        scraperCpuNs[m] = c1 - c0;
                        scraperAlloc[m] = a1 - a0;
                        wallNs[m] = w1 - w0;
                        done.incrementAndGet();
                    }
                    prevStat = st;
                    prevSched = sc;
                    prevGo = go;
                }
                neStat1 = prevStat;
                neRssKb = statusKb(pid, "VmRSS");
                neHwmKb = statusKb(pid, "VmHWM");
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private static String get(URI uri) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        int code = c.getResponseCode();
        try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
            if (code != 200) {
                throw new IOException("HTTP " + code + " from " + uri);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double goAllocTotal(String body) {
        int i = body.indexOf("\ngo_memstats_alloc_bytes_total ");
        if (i < 0) {
            return Double.NaN;
        }
        int s = i + "\ngo_memstats_alloc_bytes_total ".length();
        int e = body.indexOf('\n', s);
        return Double.parseDouble(body.substring(s, e < 0 ? body.length() : e).trim());
    }

    private static int countSamples(String body) {
        int n = 0;
        int pos = 0;
        while (pos < body.length()) {
            int e = body.indexOf('\n', pos);
            if (e < 0) {
                e = body.length();
            }
            if (e > pos && body.charAt(pos) != '#') {
                n++;
            }
            pos = e + 1;
        }
        return n;
    }

    private static void waitUp(URI uri, Process ne) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!ne.isAlive()) {
                throw new IllegalStateException("node_exporter exited with " + ne.exitValue());
            }
            try {
                get(uri);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("node_exporter not answering on " + uri, last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------------------------------ /proc helpers

    /** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/pid/stat). */
    static long procCpuTicks(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state): utime is field 14 -> f[11], stime field 15 -> f[12]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A thread's name ({@code comm}, 15 characters at most) and its CPU ns from {@code schedstat}. */
    record ThreadCpu(String comm, long ns) {
    }

    /** Every live thread of {@code pid}: tid to comm and CPU ns ({@code task/[tid]/schedstat}, ns resolution). */
    static java.util.Map<Long, ThreadCpu> threadCpu(long pid) {
        java.util.Map<Long, ThreadCpu> out = new java.util.HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : ds) {
                try {
                    String s = Files.readString(t.resolve("schedstat"));
                    String comm = Files.readString(t.resolve("comm")).strip();
                    out.put(Long.parseLong(t.getFileName().toString()),
                            new ThreadCpu(comm, Long.parseLong(s.substring(0, s.indexOf(' ')))));
                } catch (IOException | RuntimeException e) {
                    // thread exited between listing and reading
                }
            }
        } catch (IOException e) {
            // no split then
        }
        return out;
    }

    /** The group a JVM thread's CPU is reported under, from its comm (thread name cut to 15 characters). */
    static String threadGroup(String comm) {
        if (comm.equals("nexus-sensing")) {
            return "tick thread (sensors -> store)";
        } else if (comm.startsWith("node-exporter")) {
            return "scraper thread (harness, subtracted)";
        } else if (comm.startsWith("C2 Compiler")) {
            return "JIT: C2 compiler";
        } else if (comm.startsWith("C1 Compiler")) {
            return "JIT: C1 compiler";
        } else if (comm.startsWith("JFR") || comm.contains("Stream")) {
            return "JFR (recorder, periodic, event stream)";
        } else if (comm.startsWith("GC ") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")) {
            return "GC and safepoints (GC workers, G1 threads, VM Thread)";
        } else if (comm.startsWith("NEXUS-STORE")) {
            return "SQLite writer thread";
        }
        return "other JVM threads (" + comm + ")";
    }

    /** Sum of the first field (ns on CPU) of every live thread's schedstat; -1 when unavailable. */
    static long schedstatSum(long pid) {
        long sum = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : ds) {
                try {
                    String s = Files.readString(t.resolve("schedstat"));
                    sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
                } catch (IOException | RuntimeException e) {
                    // thread exited between listing and reading
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    static long statusKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    private static long sizeKb(Path p) {
        try {
            return Files.size(p) / 1024;
        } catch (IOException e) {
            return 0;
        }
    }

    static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void sleepUntil(long deadlineNs) throws InterruptedException {
        long d;
        while ((d = deadlineNs - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(d);
        }
    }

    // ------------------------------------------------------------------------------------------ report

    private static double mean(long[] a, int n) {
        if (n <= 0) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i];
        }
        return s / n;
    }

    private static double pct(long[] a, double p) {
        long[] c = a.clone();
        Arrays.sort(c);
        int idx = (int) Math.ceil(p * c.length) - 1;
        return c[Math.max(0, Math.min(c.length - 1, idx))];
    }

    private static String ms(long[] a) {
        return String.format(Locale.ROOT, "%7.3f %7.3f %7.3f", mean(a, a.length) / 1e6, pct(a, 0.5) / 1e6,
                pct(a, 0.99) / 1e6);
    }

    /** CPU ns per thread group between two {@link #threadCpu} snapshots; a thread new in the second counts from 0. */
    static java.util.Map<String, Long> groupDeltas(java.util.Map<Long, ThreadCpu> t0,
            java.util.Map<Long, ThreadCpu> t1) {
        java.util.Map<String, Long> byGroup = new java.util.TreeMap<>();
        for (java.util.Map.Entry<Long, ThreadCpu> e : t1.entrySet()) {
            ThreadCpu before = t0.get(e.getKey());
            long d = e.getValue().ns() - (before == null ? 0 : before.ns());
            String g = threadGroup(e.getValue().comm());
            byGroup.merge(g.startsWith("other") ? "other JVM threads" : g, d, Long::sum);
        }
        return byGroup;
    }

    /**
     * The first {@link #SPLIT_TICK} measured ticks against the rest: tick-thread CPU per tick and whole-JVM CPU by
     * thread group, each phase from its own pair of snapshots (whole JVM from {@code /proc/self/stat}, 10 ms ticks,
     * minus the scraper's CPU of the same ticks).
     */
    private static void reportPhases(SensingLoop s, ScrapeLoop c) {
        int k = s.splitAt;
        int n = s.n;
        String[] groups = {"tick thread (sensors -> store)", "JIT: C2 compiler", "JIT: C1 compiler",
            "JFR (recorder, periodic, event stream)", "GC and safepoints (GC workers, G1 threads, VM Thread)",
            "SQLite writer thread", "other JVM threads"};
        System.out.println();
        System.out.printf(Locale.ROOT, "Phases (first %d ticks vs the rest; %% of one core unless said):%n", k);
        System.out.println("| phase | s | tick CPU ms mean / p50 / p99 | whole JVM minus scraper % | tick % | C2 % | "
                + "C1 % | JFR % | GC/VM % | SQLite writer % | other % |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        Object[][] phases = {
            {"ticks 0-" + (k - 1), s.threads0, s.threadsSplit, s.procTicks0, s.procTicksSplit, s.window0Ns,
                s.windowSplitNs, 0, k},
            {"ticks " + k + "-" + (n - 1), s.threadsSplit, s.threads1, s.procTicksSplit, s.procTicks1,
                s.windowSplitNs, s.window1Ns, k, n}};
        for (Object[] p : phases) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Long> g = groupDeltas((java.util.Map<Long, ThreadCpu>) p[1],
                    (java.util.Map<Long, ThreadCpu>) p[2]);
            double sec = ((long) p[6] - (long) p[5]) / 1e9;
            long[] ticks = Arrays.copyOfRange(s.cpuNs, (int) p[7], (int) p[8]);
            long[] scr = Arrays.copyOfRange(c.scraperCpuNs, (int) p[7], (int) p[8]);
            double scraperMs = mean(scr, scr.length) * scr.length / 1e6;
            double wholeMs = ((long) p[4] - (long) p[3]) * 1000.0 / c.clk - scraperMs;
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %.1f | %s | %.3f", p[0], sec,
                    ms(ticks), wholeMs / sec / 10.0));
            for (String name : groups) {
                row.append(String.format(Locale.ROOT, " | %.3f", g.getOrDefault(name, 0L) / 1e6 / sec / 10.0));
            }
            System.out.println(row.append(" |"));
        }
    }

    /**
     * Processes per tick and how many of them had their {@code stat} read, from the processes sensor's own series in
     * the store ({@code host_processes}, {@code host_processes_stat_read}; the latter only from builds that export
     * it), over the last {@code n} recorded ticks, split like the phases.
     */
    private static void reportProcessReads(SensingLoop s, int n) {
        double[] procs = lastValues(s.store, "host_processes", n);
        double[] read = lastValues(s.store, "host_processes_stat_read", n);
        int k0 = s.splitAt > 0 ? s.splitAt : n;
        StringBuilder out = new StringBuilder("Processes per tick (mean; ticks 0-" + (k0 - 1)
                + (k0 < n ? " | ticks " + k0 + "-" + (n - 1) : "") + "): ");
        out.append(String.format(Locale.ROOT, "%.1f", meanOf(procs, 0, Math.min(k0, procs.length))));
        if (k0 < n) {
            out.append(String.format(Locale.ROOT, " | %.1f", meanOf(procs, k0, procs.length)));
        }
        if (read.length == 0) {
            out.append("; stat read per tick: not exported by this build (every process read every tick)");
        } else {
            out.append(String.format(Locale.ROOT, "; stat read per tick: %.1f", meanOf(read, 0, Math.min(k0,
                    read.length))));
            if (k0 < n) {
                out.append(String.format(Locale.ROOT, " | %.1f", meanOf(read, k0, read.length)));
            }
        }
        System.out.println(out);
    }

    /** The last {@code n} recorded values of the label-less series {@code name}, oldest first (fewer if missing). */
    private static double[] lastValues(TelemetryStore store, String name, int n) {
        dev.helix.nexus.core.spi.MetricKey key = dev.helix.nexus.core.spi.MetricKey.of(name);
        int size = store.size(key);
        if (size <= 0) {
            return new double[0];
        }
        long[] times = new long[size];
        double[] values = new double[size];
        int got = store.copyHistory(key, times, values);
        return Arrays.copyOfRange(values, Math.max(0, got - n), got);
    }

    private static double meanOf(double[] a, int from, int to) {
        if (to <= from) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += a[i];
        }
        return sum / (to - from);
    }

    private static void report(int n, SensingLoop s, ScrapeLoop c, long selfPid, long nePid, long rssBaselineKb)
            throws IOException {
        long rssKb = statusKb(selfPid, "VmRSS");
        long hwmKb = statusKb(selfPid, "VmHWM");
        double windowS = (s.window1Ns - s.window0Ns) / 1e9;
        double procCpuMsPerS = (s.procTicks1 - s.procTicks0) * 1000.0 / c.clk / windowS;
        double scraperMsPerS = mean(c.scraperCpuNs, n) / 1e6; // one scrape per second
        double jvmMinusScraper = procCpuMsPerS - scraperMsPerS;
        double jfrCpuMsPerS = (s.jfrCpu1 - s.jfrCpu0) / 1e6 / windowS;
        double jfrAllocPerS = (s.jfrAlloc1 - s.jfrAlloc0) / windowS;
        double neStatMsPerS = (c.neStat1 - c.neStat0) * 1000.0 / c.clk / n;
        long[] goAlloc = Arrays.stream(c.neGoAlloc).filter(v -> v >= 0).toArray();
        double nexusCpu = mean(s.cpuNs, n) / 1e6;
        double neCpu = mean(c.neSchedNs, n) / 1e6;

        System.out.println();
        System.out.printf(Locale.ROOT, "Result: %d ticks/scrapes at 1 Hz (window %.1f s), loadavg now %s%n", n,
                windowS, loadavg());
        System.out.printf(Locale.ROOT, "NEXUS: %d sensors, %d series in store, %d sample exceptions; "
                        + "node_exporter: %d samples/scrape, %d bytes body, %d scrape errors%n",
                s.sensors.size(), s.store.seriesCount(), s.sampleErrors, c.samplesPerScrape, c.bodyBytes,
                c.scrapeErrors);
        System.out.println();
        System.out.println("| what (per 1 s tick) | CPU ms mean / p50 / p99 | % of one core | wall ms mean / p50 / p99 "
                + "| bytes allocated / tick (mean) | RSS |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| NEXUS sensing thread (all sensors -> TelemetryStore) | %s | %.3f%% | %s | "
                        + "%,.0f (p99 %,.0f) | JVM VmRSS %d MB (before sensors %d MB, HWM %d MB) |%n",
                ms(s.cpuNs), nexusCpu / 10.0, ms(s.wallNs), mean(s.allocBytes, n), pct(s.allocBytes, 0.99),
                rssKb / 1024, rssBaselineKb / 1024, hwmKb / 1024);
        double threadMs = (s.threadCpuNs1 - s.threadCpuNs0) / 1e6 / n;
        double userMs = (s.userNs1 - s.userNs0) / 1e6 / n;
        System.out.printf(Locale.ROOT, "| NEXUS sensing thread over the window, user / kernel split (user from "
                        + "getCurrentThreadUserTime: tick-sampled, scaled to the exact total; incl. the harness's "
                        + "probes and sleeps) | %.3f = user %.3f + kernel %.3f (kernel %.0f %%) | - | - | - | - |%n",
                threadMs, userMs, threadMs - userMs, threadMs > 0 ? 100 * (threadMs - userMs) / threadMs : 0.0);
        System.out.printf(Locale.ROOT, "| NEXUS JFR threads (async, not on tick thread) | %.3f (mean) | %.3f%% | - "
                + "| %,.0f | - |%n", jfrCpuMsPerS, jfrCpuMsPerS / 10.0, jfrAllocPerS);
        System.out.printf(Locale.ROOT, "| NEXUS whole JVM (/proc/self/stat, minus scraper thread; incl. JIT, GC, JFR)"
                        + " | %.2f (mean; 10 ms ticks) | %.3f%% | - | - | - |%n",
                jvmMinusScraper, jvmMinusScraper / 10.0);
        System.out.printf(Locale.ROOT, "| node_exporter process (schedstat, ns) | %s | %.3f%% | - | %s | VmRSS %d MB "
                        + "(HWM %d MB) |%n", ms(c.neSchedNs), neCpu / 10.0,
                goAlloc.length == 0 ? "-" : String.format(Locale.ROOT, "%,.0f Go heap (p99 %,.0f)",
                        mean(goAlloc, goAlloc.length), pct(goAlloc, 0.99)),
                c.neRssKb / 1024, c.neHwmKb / 1024);
        System.out.printf(Locale.ROOT, "| node_exporter process (/proc/pid/stat utime+stime, 10 ms ticks) | %s | "
                + "%.3f%% | - | - | - |%n", ms(c.neStatNs), neStatMsPerS / 10.0);
        System.out.printf(Locale.ROOT, "| Java scraper thread (HTTP GET + read body) | %s | %.3f%% | %s | %,.0f | "
                + "(in the JVM above) |%n", ms(c.scraperCpuNs), scraperMsPerS / 10.0, ms(c.wallNs),
                mean(c.scraperAlloc, n));
        if (s.threads0 != null && s.threads1 != null) {
            java.util.Map<String, Long> byGroup = new java.util.TreeMap<>();
            java.util.Map<String, Long> others = new java.util.TreeMap<>();
            long sum = 0;
            for (java.util.Map.Entry<Long, ThreadCpu> e : s.threads1.entrySet()) {
                ThreadCpu before = s.threads0.get(e.getKey());
                long d = e.getValue().ns() - (before == null ? 0 : before.ns()); // a new thread counts from 0
                String g = threadGroup(e.getValue().comm());
                if (g.startsWith("other")) {
                    others.merge(e.getValue().comm(), d, Long::sum);
                    g = "other JVM threads";
                }
                byGroup.merge(g, d, Long::sum);
                sum += d;
            }
            double procMs = (s.procTicks1 - s.procTicks0) * 1000.0 / c.clk;
            System.out.println();
            System.out.printf(Locale.ROOT, "Whole JVM by thread (task/[tid]/schedstat deltas over the %.1f s window; "
                    + "threads that exited inside it are missing from the sum):%n", windowS);
            System.out.println("| thread group | CPU ms per s | % of one core |");
            System.out.println("|---|---|---|");
            for (java.util.Map.Entry<String, Long> e : byGroup.entrySet()) {
                System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f%% |%n", e.getKey(), e.getValue() / 1e6 / windowS,
                        e.getValue() / 1e6 / windowS / 10.0);
            }
            long scraperNs = byGroup.getOrDefault("scraper thread (harness, subtracted)", 0L);
            System.out.printf(Locale.ROOT, "| **sum of live threads minus scraper** | %.3f | %.3f%% |%n",
                    (sum - scraperNs) / 1e6 / windowS, (sum - scraperNs) / 1e6 / windowS / 10.0);
            System.out.printf(Locale.ROOT, "(cross-check: /proc/self/stat utime+stime %.1f ms per s incl. scraper;"
                    + " other threads: %s)%n", procMs / windowS, others.entrySet().stream()
                    .filter(e -> e.getValue() > 0)
                    .map(e -> String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue() / 1e6 / windowS))
                    .toList());
        }
        if (s.threadsSplit != null) {
            reportPhases(s, c);
        }
        System.out.println();
        System.out.println("Per NEXUS sensor (tick thread, mean per tick; includes ~2 MXBean reads of overhead each):");
        for (int k = 0; k < s.sensors.size(); k++) {
            System.out.printf(Locale.ROOT, "  %-16s %8.3f ms CPU %,12.0f bytes%n", s.sensors.get(k).name(),
                    s.perSensorCpuNs[k] / 1e6 / n, (double) s.perSensorAlloc[k] / n);
        }
        if (s.splitAt > 0) {
            int k0 = s.splitAt;
            System.out.printf(Locale.ROOT, "Per NEXUS sensor by phase (ms CPU per tick): ticks 0-%d | ticks %d-%d%n",
                    k0 - 1, k0, n - 1);
            for (int k = 0; k < s.sensors.size(); k++) {
                System.out.printf(Locale.ROOT, "  %-16s %8.3f | %8.3f%n", s.sensors.get(k).name(),
                        s.perSensorPhaseCpuNs[0][k] / 1e6 / k0, s.perSensorPhaseCpuNs[1][k] / 1e6 / (n - k0));
            }
        }
        reportProcessReads(s, n);
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf(Locale.ROOT, "JVM heap at end: used %d MB, committed %d MB, max %d MB; %d live threads%n",
                heap.getUsed() >> 20, heap.getCommitted() >> 20, heap.getMax() >> 20,
                ManagementFactory.getThreadMXBean().getThreadCount());
        System.out.println();
        System.out.printf(Locale.ROOT, "Ratios (CPU per tick): NEXUS tick thread / node_exporter = %.2f; "
                        + "NEXUS tick thread / (node_exporter + scraper) = %.2f; "
                        + "NEXUS whole JVM / (node_exporter + scraper) = %.2f%n",
                nexusCpu / neCpu, nexusCpu / (neCpu + scraperMsPerS),
                jvmMinusScraper / (neCpu + scraperMsPerS));
        long[] lateCpu = Arrays.copyOfRange(s.cpuNs, n / 2, n);
        long[] lateNe = Arrays.copyOfRange(c.neSchedNs, n / 2, n);
        System.out.printf(Locale.ROOT, "Second half only (JIT warmer): NEXUS tick thread CPU mean %.3f / p50 %.3f / "
                        + "p99 %.3f ms; node_exporter mean %.3f / p50 %.3f / p99 %.3f ms%n",
                mean(lateCpu, lateCpu.length) / 1e6, pct(lateCpu, 0.5) / 1e6, pct(lateCpu, 0.99) / 1e6,
                mean(lateNe, lateNe.length) / 1e6, pct(lateNe, 0.5) / 1e6, pct(lateNe, 0.99) / 1e6);
        System.out.printf(Locale.ROOT, "Targets: < 0.5%% of one core (tick thread %.3f%%, whole JVM %.3f%%); "
                        + "< 2 ms per tick (CPU mean %.3f / p99 %.3f ms, wall mean %.3f / p99 %.3f ms)%n",
                nexusCpu / 10.0, jvmMinusScraper / 10.0, nexusCpu, pct(s.cpuNs, 0.99) / 1e6,
                mean(s.wallNs, n) / 1e6, pct(s.wallNs, 0.99) / 1e6);
    }
}
