package dev.helix.nexus.heal.quarantine;

import java.time.Duration;

/**
 * Erlang-style restart intensity with Kubernetes-style backoff: more than {@code intensity} restarts within
 * {@code period} gives up; the n-th restart within the period waits {@code initialBackoff * 2^(n-1)}, capped at
 * {@code maxBackoff} (the first restart waits {@code initialBackoff}, which may be zero).
 */
public record RestartPolicy(int intensity, Duration period, Duration initialBackoff, Duration maxBackoff) {

    /** 3 restarts in 60 s; backoff 1 s doubling to 30 s. */
    public static final RestartPolicy DEFAULT = new RestartPolicy(3, Duration.ofSeconds(60), Duration.ofSeconds(1),
            Duration.ofSeconds(30));

    public RestartPolicy {
        if (intensity < 0 || period.isNegative() || period.isZero() || initialBackoff.isNegative()
                || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("bad restart policy: intensity " + intensity + ", period " + period
                    + ", backoff " + initialBackoff + ".." + maxBackoff);
        }
    }

    /** The wait before restart number {@code n} (1-based) within the period. */
    public Duration backoff(int n) {
        if (n <= 1) {
            return initialBackoff;
        }
        long ms = initialBackoff.toMillis();
        for (int i = 1; i < n && ms < maxBackoff.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }
}
