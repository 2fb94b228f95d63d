package dev.helix.nexus.core;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a configuration has problems; carries all of them, not only the first. */
public final class InvalidConfigException extends IllegalArgumentException {

    private final List<ConfigProblem> problems;

    public InvalidConfigException(List<ConfigProblem> problems) {
        super("invalid NEXUS configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n"
                + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order found. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
