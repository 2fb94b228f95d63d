package dev.helix.nexus.agent.demo;

import dev.helix.nexus.detect.behavior.MannKendall;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A small, explicit judgement over one process's recent samples (RSS and CPU share per tick):
 * <ul>
 *   <li>{@link Pattern#RESOURCE_LEAK}: at least {@code minSamples} RSS samples, a rising Mann-Kendall trend with
 *   p &lt; {@code alpha}, and at least {@code minGrowthBytes} of growth over the window;</li>
 *   <li>{@link Pattern#CPU_BOUND}: the last {@code cpuSamples} CPU shares all at least {@code cpuFraction} of the
 *   ceiling (one core, or the cgroup cap when lower).</li>
 * </ul>
 * Not thread-safe.
 */
public final class PatternJudge {

    /**
     * One observation of a process.
     *
     * @param cpu    CPU share received (1.0 = a full core)
     * @param demand CPU wanted: running plus waiting on the run queue, from {@code /proc/<pid>/schedstat} (NaN when
     *               unknown); on a busy host a hog receives less than a core but still demands one
     */
    public record Sample(long nanos, long rssBytes, double cpu, double demand, char state) {
        double want() {
            return Double.isNaN(demand) ? cpu : Math.max(cpu, demand);
        }
    }

    /** A named pattern with the evidence that supports it. */
    public record Finding(Pattern pattern, String evidence) { }

    private final int window;
    private final int minSamples;
    private final double alpha;
    private final long minGrowthBytes;
    private final int cpuSamples;
    private final double cpuFraction;
    private final Deque<Sample> samples = new ArrayDeque<>();

    public PatternJudge(int window, int minSamples, double alpha, long minGrowthBytes, int cpuSamples,
                        double cpuFraction) {
        this.window = window;
        this.minSamples = minSamples;
        this.alpha = alpha;
        this.minGrowthBytes = minGrowthBytes;
        this.cpuSamples = cpuSamples;
        this.cpuFraction = cpuFraction;
    }

    /** The demo's defaults: 12-sample window, 10 needed, p &lt; 0.01, +8 MiB; CPU ≥ 0.85 of the ceiling 4 times. */
    public static PatternJudge standard() {
        return new PatternJudge(12, 10, 0.01, 8L << 20, 4, 0.85);
    }

    public void add(Sample s) {
        samples.addLast(s);
        while (samples.size() > window) {
            samples.removeFirst();
        }
    }

    public void clear() {
        samples.clear();
    }

    public int size() {
        return samples.size();
    }

    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The leak judgement, if it holds now. */
    public Optional<Finding> leak() {
        if (samples.size() < minSamples) {
            return Optional.empty();
        }
        List<Sample> s = samples();
        double[] rss = s.stream().mapToDouble(Sample::rssBytes).toArray();
        MannKendall.Result mk = MannKendall.test(rss);
        long growth = s.getLast().rssBytes() - s.getFirst().rssBytes();
        if (!mk.increasing(alpha) || growth < minGrowthBytes) {
            return Optional.empty();
        }
        double secs = (s.getLast().nanos() - s.getFirst().nanos()) / 1e9;
        return Optional.of(new Finding(Pattern.RESOURCE_LEAK, String.format(
                "RSS %s -> %s in %.1f s (%+.1f MiB/s), %s", mib(s.getFirst().rssBytes()), mib(s.getLast().rssBytes()),
                secs, growth / (1024.0 * 1024.0) / Math.max(secs, 1e-9),
                String.format("Mann-Kendall S=%d Z=%.2f p=%.1e (n=%d)", mk.s(), mk.z(), mk.p(), mk.n()))));
    }

    /** The CPU judgement against {@code ceiling} CPUs (1.0 uncapped), if it holds now. */
    public Optional<Finding> cpuBound(double ceiling) {
        if (samples.size() < cpuSamples) {
            return Optional.empty();
        }
        List<Sample> s = samples();
        List<Sample> last = s.subList(s.size() - cpuSamples, s.size());
        double limit = cpuFraction * Math.min(1.0, ceiling);
        if (!last.stream().allMatch(x -> x.want() >= limit)) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder();
        StringBuilder d = new StringBuilder();
        for (Sample x : last) {
            b.append(b.isEmpty() ? "" : " ").append(String.format("%.2f", x.cpu()));
            d.append(d.isEmpty() ? "" : " ").append(String.format("%.2f", x.want()));
        }
        double secs = (last.getLast().nanos() - last.getFirst().nanos()) / 1e9;
        return Optional.of(new Finding(Pattern.CPU_BOUND, String.format(
                "CPU demand (run + run-queue wait) [%s], all >= %.2f (%.0f%% of a %.2f-CPU ceiling) for %.1f s; "
                        + "CPU share received [%s]", d, limit, cpuFraction * 100, Math.min(1.0, ceiling), secs, b)));
    }

    /** Mean CPU share of the last {@code n} samples (NaN when none). */
    public double meanCpu(int n) {
        List<Sample> s = samples();
        return s.subList(Math.max(0, s.size() - n), s.size()).stream().mapToDouble(Sample::cpu).average()
                .orElse(Double.NaN);
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
