package dev.helix.nexus.bench.detect;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Before/after comparison of the detector hot paths in <em>thread CPU time</em> per operation, for a shared,
 * oversubscribed box where wall-clock JMH figures mostly measure the other tenants. Each variant is a class path
 * (e.g. a previous {@code nexus-detect} jar followed by this benchmarks jar, so the old classes win) loaded in its own
 * class loader; the variants are measured in alternation in one JVM, 0.2 s per measurement, a third of the rounds
 * discarded as warm-up, and the median, min and max of the per-round CPU ns/op are printed.
 *
 * <p>Workloads, on the same data and shapes as {@link StreamingDetectorBenchmark} and
 * {@link IsolationForestBenchmark}: {@code iqr}, {@code zscorePlusIqr} (ns per sample), {@code ifScore} (ns per
 * 38-dim vector), {@code ifFit} (ns per 100-tree fit). Calls go through {@link MethodHandle}s (a few ns per call,
 * the same for every variant). CPU time excludes time-slicing but not the cache pollution other processes cause.
 *
 * <p>Run: {@code java -cp target/benchmarks.jar dev.helix.nexus.bench.detect.CpuTimeComparison WORKLOAD ROUNDS
 * label=path[:path...] ...}, e.g. {@code ifScore 10 before=/tmp/old/nexus-detect-0.1.0-SNAPSHOT.jar:target/benchmarks.jar
 * after=target/benchmarks.jar}.
 */
public final class CpuTimeComparison {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long SLICE_NS = 200_000_000L;

    private CpuTimeComparison() {
    }

    /** One measured call: returns a value so the work is not eliminated. */
    @FunctionalInterface
    private interface Op {
        double run() throws Throwable;
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: WORKLOAD ROUNDS label=classpath ... (WORKLOAD: iqr, "
                    + "zscorePlusIqr, ifScore, ifFit)");
        }
        String workload = args[0];
        int rounds = Integer.parseInt(args[1]);
        if (rounds < 1) {
            throw new IllegalArgumentException("ROUNDS must be >= 1, got " + rounds);
        }
        SmdData data = SmdData.load();
        List<String> labels = new ArrayList<>();
        List<Op> ops = new ArrayList<>();
        int perCall = 1;
        for (int a = 2; a < args.length; a++) {
            int eq = args[a].indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("variant must be label=classpath, got " + args[a]);
            }
            String[] paths = args[a].substring(eq + 1).split(":");
            URL[] urls = new URL[paths.length];
            for (int i = 0; i < paths.length; i++) {
                urls[i] = Path.of(paths[i]).toUri().toURL();
            }
            ClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
            labels.add(args[a].substring(0, eq));
            Workload w = switch (workload) {
                case "iqr", "zscorePlusIqr" -> streaming(loader, workload.equals("zscorePlusIqr"));
                case "ifScore", "ifFit" -> forest(loader, data, workload.equals("ifFit"));
                default -> throw new IllegalArgumentException("unknown workload " + workload);
            };
            ops.add(w.op());
            perCall = w.perCall();
        }
        double[][] ns = new double[ops.size()][rounds];
        double sink = 0;
        for (int r = -Math.max(1, rounds / 3); r < rounds; r++) {
            for (int k = 0; k < ops.size(); k++) {
                Op op = ops.get(k);
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                int reps = 0;
                while (System.nanoTime() - wall0 < SLICE_NS) {
                    sink += op.run();
                    reps++;
                }
                long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
                if (r >= 0) {
                    ns[k][r] = cpu / (double) reps / perCall;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s, data %s, %d rounds of %.1f s per variant, load average %s%n", workload,
                data.source, rounds, SLICE_NS / 1e9, loadAverage());
        for (int k = 0; k < ops.size(); k++) {
            double[] v = ns[k].clone();
            Arrays.sort(v);
            double median = v[v.length / 2];
            System.out.printf(Locale.ROOT, "%-10s CPU ns/op median %,.1f (min %,.1f, max %,.1f) = %,.0f ops/s per core%n",
                    labels.get(k), median, v[0], v[v.length - 1], 1e9 / median);
        }
        if (sink == Double.MIN_VALUE) {
            System.out.println();
        }
    }

    private record Workload(Op op, int perCall) {
    }

    private static String loadAverage() {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Warm detectors fed the {@link StreamingDetectorBenchmark} stream; one op = one sample. */
    private static Workload streaming(ClassLoader loader, boolean withZ) throws Throwable {
        SplittableRandom rng = new SplittableRandom(42);
        double[] xs = new double[StreamingDetectorBenchmark.N];
        for (int i = 0; i < xs.length; i++) {
            double g = StreamingDetectorBenchmark.gaussian(rng);
            xs[i] = 50 + 5 * g + (rng.nextDouble() < 0.01 ? 30 : 0);
        }
        MethodHandle iqr = update(loader, "dev.helix.nexus.detect.anomaly.IqrDetector");
        MethodHandle z = update(loader, "dev.helix.nexus.detect.anomaly.RollingZScoreDetector");
        for (double x : xs) {
            double unused = (double) iqr.invokeExact(x) + (double) z.invokeExact(x);
        }
        Op op = withZ
                ? () -> {
                    double s = 0;
                    for (double x : xs) {
                        s += (double) z.invokeExact(x) + (double) iqr.invokeExact(x);
                    }
                    return s;
                }
                : () -> {
                    double s = 0;
                    for (double x : xs) {
                        s += (double) iqr.invokeExact(x);
                    }
                    return s;
                };
        return new Workload(op, xs.length);
    }

    private static MethodHandle update(ClassLoader loader, String cls) throws Throwable {
        Class<?> c = loader.loadClass(cls);
        Object detector = c.getConstructor().newInstance();
        return MethodHandles.publicLookup()
                .findVirtual(c, "update", MethodType.methodType(double.class, double.class)).bindTo(detector);
    }

    /** The {@link IsolationForestBenchmark} forest; one op = one scored vector, or one fit. */
    private static Workload forest(ClassLoader loader, SmdData data, boolean fit) throws Throwable {
        int dims = data.dims();
        int rows = IsolationForestBenchmark.FIT_ROWS;
        int batch = IsolationForestBenchmark.BATCH;
        double[] fitData = SmdData.flatten(data.train, rows);
        double[][] testRows = new double[batch][];
        for (int i = 0; i < batch; i++) {
            testRows[i] = data.test[i % Math.min(batch, data.test.length)];
        }
        double[] test = SmdData.flatten(testRows, batch);
        Class<?> c = loader.loadClass("dev.helix.nexus.detect.internal.IsolationForest");
        Object forest = c.getConstructor(int.class, int.class, int.class, int.class, long.class)
                .newInstance(dims, IsolationForestBenchmark.TREES, IsolationForestBenchmark.PSI, rows, 42L);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle fitM = lookup.findVirtual(c, "fit", MethodType.methodType(void.class, double[].class, int.class))
                .bindTo(forest);
        MethodHandle score = lookup.findVirtual(c, "score",
                MethodType.methodType(double.class, double[].class, int.class)).bindTo(forest);
        fitM.invokeExact(fitData, rows);
        if (fit) {
            return new Workload(() -> {
                fitM.invokeExact(fitData, rows);
                return 0;
            }, 1);
        }
        return new Workload(() -> {
            double s = 0;
            for (int i = 0; i < batch; i++) {
                s += (double) score.invokeExact(test, i * dims);
            }
            return s;
        }, batch);
    }
}
