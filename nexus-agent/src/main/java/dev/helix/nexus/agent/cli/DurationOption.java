package dev.helix.nexus.agent.cli;

import dev.helix.nexus.core.Durations;

import java.io.PrintWriter;
import java.time.Duration;

/** Parsing of a CLI option that must be a positive duration ({@code 250ms}, {@code 5s}, {@code 2m}, ...). */
final class DurationOption {

    private DurationOption() {
    }

    /**
     * The positive duration {@code value} of {@code option}, or {@code null} after printing one line naming the option
     * and the problem to {@code err} (the caller then exits with {@link ExitCodes#USAGE}).
     */
    static Duration positive(PrintWriter err, String option, String value) {
        try {
            Duration d = Durations.parse(value);
            if (d.isNegative() || d.isZero()) {
                err.println("nexus: " + option + " must be positive, got " + value);
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            err.println("nexus: " + option + ": " + e.getMessage());
            return null;
        }
    }
}
