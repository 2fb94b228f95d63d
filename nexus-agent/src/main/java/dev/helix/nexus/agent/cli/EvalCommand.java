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
public final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    static int checkDir(CommandSpec spec, Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            spec.commandLine().getErr().println("nexus: " + what + " " + dir + " is not a directory");
            return ExitCodes.USAGE;
        }
        return ExitCodes.OK;
    }

    /** The NAB corpus with the fixed detector configuration, scored by the Java port of the NAB scorer. */
    @Command(name = "nab", mixinStandardHelpOptions = true,
            description = "Run one fixed detector configuration over the NAB corpus, write NAB-format results and score them (oracle and fixed threshold).")
    static final class Nab implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "NAB root holding data/ and labels/ (e.g. ../shared/data/nab).")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where results/<detector>/... are written.")
        Path out;

        @Option(names = "--detector", paramLabel = "NAME", description = "A catalogued detector (default: the NAB default configuration).")
        String detector;

        @Override
        public Integer call() throws Exception {
            int rc = checkDir(spec, data, "--data");
            if (rc != ExitCodes.OK) {
                return rc;
            }
            if (detector == null) {
                NabEvaluation.run(data, out, System.out);
            } else {
                NabEvaluation.run(data, out, System.out, detector);
            }
            return ExitCodes.OK;
        }
    }

    /** SMD: learn on each machine's train part, score its test part. */
    @Command(name = "smd", mixinStandardHelpOptions = true,
            description = "For each machine learn on train, score test, write OUT/<machine>.csv (score,alert) and print P/R/F1.")
    static final class Smd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "Directory of machine-X_{train,test}.csv.gz and machine-X_test_label.csv.")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where <machine>.csv files are written.")
        Path out;

        @Option(names = "--detector", paramLabel = "NAME", description = "A multivariate detector (default: the SMD default configuration).")
        String detector;

        @Override
        public Integer call() throws Exception {
            int rc = checkDir(spec, data, "--data");
            if (rc != ExitCodes.OK) {
                return rc;
            }
            if (detector == null) {
                SmdEvaluation.run(data, out, System.out);
            } else {
                SmdEvaluation.run(data, out, System.out, detector);
            }
            return ExitCodes.OK;
        }
    }
}
