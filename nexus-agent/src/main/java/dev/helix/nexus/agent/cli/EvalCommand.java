package dev.helix.nexus.agent.cli;

import dev.helix.nexus.detect.eval.NabEvaluation;
import dev.helix.nexus.detect.eval.SmdEvaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nexus eval nab|smd}: the honest measure of detection quality on external labelled data. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate the detectors on labelled data (NAB, SMD).",
        subcommands = {EvalCommand.Nab.class, EvalCommand.Smd.class})
public final class EvalCommand extends GroupCommand {

    /** What both evaluations take: a data directory, an output directory and optionally a detector name. */
    abstract static class Evaluation implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "The data set's directory.")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where results are written.")
        Path out;

        @Option(names = "--detector", paramLabel = "NAME", description = "A catalogued detector (default: the data set's default configuration).")
        String detector;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(data)) {
                spec.commandLine().getErr().println("nexus: --data " + data + " is not a directory");
                return ExitCodes.USAGE;
            }
            run();
            return ExitCodes.OK;
        }

        abstract void run() throws Exception;
    }

    /** The NAB corpus with one fixed detector configuration, scored by the Java port of the NAB scorer. */
    @Command(name = "nab", mixinStandardHelpOptions = true,
            description = "Run one fixed detector configuration over the NAB corpus (--data holds data/ and labels/), write OUT/results/<detector>/... and print oracle and fixed-threshold scores.")
    static final class Nab extends Evaluation {
        @Override
        void run() throws Exception {
            if (detector == null) {
                NabEvaluation.run(data, out, System.out);
            } else {
                NabEvaluation.run(data, out, System.out, detector);
            }
        }
    }

    /** SMD: learn on each machine's train part, score its test part. */
    @Command(name = "smd", mixinStandardHelpOptions = true,
            description = "For each machine in --data learn on train, score test, write OUT/<machine>.csv (score,alert) and print P/R/F1, best-F1 and point-adjusted F1.")
    static final class Smd extends Evaluation {
        @Override
        void run() throws Exception {
            if (detector == null) {
                SmdEvaluation.run(data, out, System.out);
            } else {
                SmdEvaluation.run(data, out, System.out, detector);
            }
        }
    }
}
